"""What a mandate covers comes from the law's record (``representation``), table-driven with the citations."""

from __future__ import annotations

import pytest

from deletion_portal.advocacy.consents import mandate_scope
from deletion_portal.advocacy.models import Organisation
from deletion_portal.cases.models import Case

NGO = Organisation(name="NGO", country="DE", not_for_profit=True)
UNION = Organisation(name="Union", country="DE", not_for_profit=False)


@pytest.mark.parametrize(("law", "organisation", "citations"), [
    # GDPR: proxy for Arts 15-22 (EDPB Guidelines 01/2022); Art. 80(1) only for a not-for-profit body.
    pytest.param("eu-gdpr", NGO, ["EDPB Guidelines 01/2022", "Art. 80(1) GDPR"], id="GDPR Art. 80(1) not-for-profit"),
    pytest.param("eu-gdpr", UNION, ["EDPB Guidelines 01/2022"], id="GDPR Art. 80(1) needs a not-for-profit body"),
    pytest.param("uk-gdpr", NGO, ["ICO guidance", "Art. 80(1) UK GDPR; s.187 DPA 2018"], id="UK GDPR Art. 80(1), DPA s.187"),
    # CCPA: an authorized agent with the consumer's signed permission (11 CCR §7063); no Art. 80 analogue.
    pytest.param("us-ca-ccpa", NGO, ["11 CCR §7063"], id="CCPA 11 CCR 7063 authorized agent"),
    # A law without representation facts: general agency only, no citation claimed.
    pytest.param("br-lgpd", NGO, [""], id="LGPD no representation facts"),
])
def test_the_mandate_scope_follows_the_law(law, organisation, citations):
    scope = mandate_scope(Case(law_key=law), organisation)
    assert len(scope) == len(citations)
    for item, citation in zip(scope, citations, strict=True):
        assert item["citation"].startswith(citation) if citation else item["citation"] == ""
