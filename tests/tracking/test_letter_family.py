"""One letter family per law, read from its record (``letters.family``), the same in every letter.

The request letter, the follow-up and the complaint, and the response checklist all ask
``cases.letters.regime_family``; before, tracking had two copies of the question that knew only the GDPR
and gave a CCPA case the ``generic`` family.
"""

from __future__ import annotations

from datetime import date

import pytest

from deletion_portal.cases.letters import letter_context, regime_family
from deletion_portal.cases.models import EventKind
from deletion_portal.cases.services import case_create, case_record_event
from deletion_portal.laws.registry import all_regimes, get_regime
from deletion_portal.tracking import checklist as checklist_module
from deletion_portal.tracking import letters as tracking_letters
from deletion_portal.tracking.letters import complaint_context, complaint_draft, follow_up_draft, missed_deadline
from tests.support.data import DRAFT_FIELDS
from tests.support.tracking import follow_up_sent

SENT_ON = date(2025, 5, 2)
ANSWERED_ON = date(2025, 5, 20)
FOLLOW_UP_ON = date(2025, 7, 10)
COMPLAINT_ON = date(2025, 7, 25)  # the follow-up of 10 July (sent that day) gave until 24 July

#: (law, holiday region, the family its record gives). CCPA: its own family (11 CCR §7021; Civ. Code §1798.105).
LAWS = [
    ("eu-gdpr", "DE-BY", "gdpr"),
    ("uk-gdpr", "GB-ENG", "gdpr"),
    ("us-ca-ccpa", "US-CA", "ccpa"),
    ("ca-pipeda", "CA-ON", "generic"),
]


def test_the_family_is_the_records():
    for regime in all_regimes():
        assert regime_family(regime.key) == regime.letters.family
    assert regime_family("") == "generic"  # a draft without a law yet


@pytest.fixture
def spy_labels(monkeypatch):
    """Every family the checklist and the tracking letters ask labels for."""
    asked: list[str] = []

    def spy(original):
        def label(code, lang="en", *, family="gdpr"):
            asked.append(family)
            return original(code, lang, family=family)
        return label

    monkeypatch.setattr(checklist_module, "checklist_label", spy(checklist_module.checklist_label))
    monkeypatch.setattr(tracking_letters, "checklist_label", spy(checklist_module.checklist_label))
    return asked


@pytest.mark.django_db
@pytest.mark.parametrize(("law", "region", "family"), LAWS)
def test_every_letter_and_the_checklist_use_the_records_family(owner, employer, spy_labels, law, region, family):
    country = region.split("-")[0]
    rights = [code for code in ("access", "erasure") if get_regime(law).right(code)]
    case = case_create(owner=owner, employer=employer, sent_outside_portal=True, **{
        **DRAFT_FIELDS, "law_key": law, "region": region, "work_country": country, "work_region": region,
        "residence_country": country, "residence_region": region, "rights": rights})

    # The request letter.
    context = letter_context(case, today=SENT_ON)
    assert context["family"] == family
    assert context["asks_template"] == f"letters/en/_asks_{family}.html"

    # The checklist opened by the employer's (incomplete) answer.
    case_record_event(case=case, kind=EventKind.SENT, on=SENT_ON, actor=owner, details={"channel": "email"}, today=SENT_ON)
    event = case_record_event(case=case, kind=EventKind.RESPONSE_RECEIVED, on=ANSWERED_ON, actor=owner, today=ANSWERED_ON)
    assert event.checklist.exists()
    assert set(spy_labels) == {family}
    spy_labels.clear()

    # The follow-up: its context, the omitted items' labels, and the family's sign-off.
    case.refresh_from_db()
    follow_up = follow_up_draft(case=case, today=FOLLOW_UP_ON)
    assert set(spy_labels) == {family}
    context = tracking_letters.follow_up_context(case, missed=missed_deadline(case), today=FOLLOW_UP_ON)
    assert context["family"] == family
    assert ("Sincerely," in follow_up.html) is (family == "ccpa")

    # The complaint, once the follow-up was sent and its 14 days have run.
    follow_up_sent(case, on=FOLLOW_UP_ON)
    complaint = complaint_draft(case=case, today=COMPLAINT_ON)
    authority = tracking_letters.complaint_authority(case, complaint)
    assert complaint_context(case, authority=authority, today=COMPLAINT_ON)["family"] == family
    assert ("Sincerely," in complaint.html) is (family == "ccpa")
