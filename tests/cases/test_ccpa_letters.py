"""Step 3 keeps what the user ticked, and the CCPA letters speak the CCPA (issue 12).

Citations: Cal. Civ. Code §1798.100/.110/.115 (request to know), §1798.105 (request to delete), §1798.120
(opt-out of sale or sharing), §1798.121 (limit the use of sensitive personal information; keystroke patterns
are biometric information, §1798.140), 11 CCR §7021(b) (45 days, verification does not extend them)."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date

import pytest

from deletion_portal.cases.forms import RightsForm
from deletion_portal.cases.letters import letter_html
from deletion_portal.cases.models import Case
from deletion_portal.employers.models import Employer
from deletion_portal.laws.registry import get_regime

TODAY = date(2026, 3, 5)


def text_of(markup: str) -> str:
    body = re.sub(r"<title>.*?</title>", " ", markup, flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


#: (law, bundle, rights ticked beside it, the rights the case asks for). The CCPA's "Erase my training
#: contributions" = know (§1798.110) + delete (§1798.105) + limit (§1798.121) + opt out (§1798.120), from the record.
STEP_3 = [
    ("us-ca-ccpa", "erase_training", [], ["access", "erasure", "limit_sensitive", "opt_out_sharing"]),
    ("us-ca-ccpa", "find_out", ["limit_sensitive"], ["access", "limit_sensitive"]),
    ("us-ca-ccpa", "erase_training", ["rectification"],
     ["access", "erasure", "limit_sensitive", "opt_out_sharing", "rectification"]),
    # GDPR: Art. 20 portability ticked beside the bundle (Arts 15, 21, 18, 17) is kept, not dropped.
    ("eu-gdpr", "erase_training", ["portability"], ["access", "objection", "restriction", "erasure", "portability"]),
    ("eu-gdpr", "find_out", [], ["access"]),
]


@pytest.mark.parametrize(("law", "bundle", "ticked", "expected"), STEP_3)
def test_step_3_keeps_the_bundle_and_what_was_ticked_beside_it(law, bundle, ticked, expected):
    form = RightsForm({"bundle": bundle, "rights": ticked}, regime=get_regime(law))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["rights"] == expected
    assert form.added == ticked  # each ticked right is kept, and said so


def test_the_bundle_contents_are_the_law_records():
    assert get_regime("us-ca-ccpa").letters.bundle_rights("erase_training") == (
        "access", "erasure", "limit_sensitive", "opt_out_sharing")
    assert get_regime("eu-gdpr").letters.bundle_rights("erase_training") is None  # the bundle's usual list


def test_a_bundle_right_unticked_is_kept_and_the_form_says_so():
    form = RightsForm({"bundle": "erase_training", "rights": ["access", "erasure", "portability"]},
                      regime=get_regime("eu-gdpr"))
    assert form.is_valid()
    assert form.cleaned_data["rights"] == ["access", "objection", "restriction", "erasure", "portability"]
    assert form.unticked == ["objection", "restriction"] and form.added == ["portability"]


@pytest.mark.django_db
def test_the_wizard_says_what_it_kept(client, owner, employer):
    from deletion_portal.cases.services import case_create
    from tests.support.data import DRAFT_FIELDS

    client.force_login(owner)
    case = case_create(owner=owner, employer=employer, **{**DRAFT_FIELDS, "wizard_step": 3})
    response = client.post(f"/cases/{case.pk}/step/3/", {"bundle": "erase_training", "rights": ["portability"]},
                           follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Kept beside “Erase my training contributions”: Right to data portability" in body
    assert "Still asked for, as part of “Erase my training contributions”" in body  # the four bundle rights
    case.refresh_from_db()
    assert case.rights == ["access", "objection", "restriction", "erasure", "portability"]


def make_case(owner, lang, rights) -> Case:
    employer = Employer.objects.create(legal_name="Condor Labs Inc.", country="US",
                                       postal_address="1 Market St\nSan Francisco, CA 94105", privacy_email="privacy@condor.example")
    return Case.objects.create(owner=owner, employer=employer, law_key="us-ca-ccpa", language=lang, region="US-CA",
                               rights=rights, categories=["keystrokes"], requester_name="Ana García",
                               requester_address="200 Pine St\nOakland, CA 94607", requester_email="ana@example.org",
                               residence_country="US")


ALL = ["access", "erasure", "limit_sensitive", "opt_out_sharing"]

#: (language, what the letter must say): CCPA words, not the GDPR's.
CCPA_WORDS = [
    ("en", "Privacy contact"),
    ("en", "Dear Privacy Contact,"),
    ("en", "Consumer privacy request under the CCPA: request to know, request to delete, request to limit the use of "
           "sensitive personal information and request to opt out of sale or sharing"),
    ("en", "Right to know"),
    ("en", "Request to limit the use of my sensitive personal information (Cal. Civ. Code §1798.121)"),
    ("en", "Request to opt out of sale and sharing (Cal. Civ. Code §1798.120)"),
    ("en", "Request to know (Cal. Civ. Code §§1798.100, 1798.110, 1798.115)"),
    ("es", "Contacto de privacidad"),
    ("es", "Estimado contacto de privacidad:"),
    ("es", "Solicitud de privacidad del consumidor conforme a la CCPA: solicitud para saber, solicitud de eliminación"),
    ("es", "Derecho a saber"),
    ("es", "Derecho a eliminar"),
    ("es", "Solicitud para limitar el uso de mi información personal confidencial (Cal. Civ. Code §1798.121)"),
    ("es", "Exclusión de la venta y el intercambio (Cal. Civ. Code §1798.120)"),
    ("es", "«información biométrica» según Cal. Civ. Code §1798.140"),
    ("es", "no prolonga los 45 días (11 CCR §7021(b))"),
    ("es", "No pueden tomar represalias contra mí por ejercer estos derechos (Cal. Civ. Code §1798.125)"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "expected"), CCPA_WORDS)
def test_ccpa_letters_use_ccpa_words(owner, lang, expected):
    text = text_of(letter_html(make_case(owner, lang, ALL), today=TODAY))
    assert expected in text
    assert "Data Protection Officer" not in text and "Delegado" not in text and "RGPD" not in text
    assert "mouse" not in text.lower() and "ratón" not in text.lower()  # only keystrokes were ticked
