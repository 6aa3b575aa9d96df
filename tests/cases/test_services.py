"""The case services as the views use them: validation messages, the lock on a final letter, events on
a request sent elsewhere, and idempotent sending."""

from __future__ import annotations

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from deletion_portal.cases.models import EventKind
from deletion_portal.cases.services import (
    case_create,
    case_missing_for_letter,
    case_record_event,
    case_update,
    letter_send_email,
    validate_case_fields,
)
from deletion_portal.core.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_it_names_a_right_the_regime_lacks():
    errors = validate_case_fields(law_key="ca-pipeda", rights=["access", "erasure"])
    assert errors == {"rights": "PIPEDA has no right erasure. Valid: access, rectification."}


def test_it_accepts_a_complete_gdpr_case():
    assert validate_case_fields(law_key="eu-gdpr", region="DE-BY", rights=["access", "erasure"],
                                categories=["keystrokes"], language="de") == {}


def test_it_lists_what_a_draft_still_needs(owner, employer):
    case = case_create(owner=owner, employer=employer)
    missing = case_missing_for_letter(case)
    assert "employer" not in missing
    assert {"law_key", "region", "language", "rights", "requester_name", "categories"} <= set(missing)


def test_it_locks_the_letters_content_once_final(final_case):
    with pytest.raises(ValidationError, match="The letter is final"):
        case_update(case=final_case, requester_name="Someone else")
    case_update(case=final_case, wizard_step=8)  # bookkeeping fields may still change


def test_it_accepts_old_dates_on_a_request_sent_elsewhere(owner, employer):
    case = case_create(owner=owner, employer=employer, law_key="eu-gdpr", region="DE-BY", sent_outside_portal=True)
    case_record_event(case=case, kind=EventKind.SENT, on=date(2018, 6, 1), actor=owner, details={"channel": "email"})
    case.refresh_from_db()
    assert case.status == "sent" and case.received_on == date(2018, 6, 1)
    assert case.respond_by == date(2018, 7, 2)  # 2018-07-01 is a Sunday
    with pytest.raises(ValidationError) as refused:
        case_record_event(case=case, kind=EventKind.RECEIVED, on=date(1999, 12, 31), actor=owner)
    assert "Choose a date after 2000-01-01." in refused.value.message_dict["date"]


def test_it_queues_one_message_however_often_it_is_sent(final_case, eager_celery, django_capture_on_commit_callbacks):
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            letter_send_email(case=final_case, actor=final_case.owner)
    assert OutboxMessage.objects.count() == 1 and len(mail.outbox) == 1
    assert final_case.events.filter(kind=EventKind.SENT).count() == 1


def test_it_finalises_a_letter_when_the_cache_is_down(draft_case, settings, caplog):
    # With REDIS_URL the cache is Redis; Redis being down must not stop a letter from being finalised
    # (the cache only saves re-rendering an unchanged draft). Port 9 on loopback refuses at once.
    from deletion_portal.cases.services import letter_finalize

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:9/0"}}
    letter = letter_finalize(case=draft_case)
    assert letter.is_final and len(letter.sha256) == 64
    assert "letter PDF cache unavailable" in caplog.text


def test_it_keeps_one_request_draft_per_case_and_none_once_the_letter_is_final(draft_case):
    """The request's draft is stored once per case (looked for under the case's lock, and the database refuses a
    second); once the request is final, storing a draft returns the final letter. Concurrency:
    tests/integration/test_concurrent_drafts.py."""
    from django.db import IntegrityError, transaction

    from deletion_portal.cases.models import Letter, LetterKind
    from deletion_portal.cases.services import letter_draft, letter_store_draft
    from tests.support.world import finalise_directly

    draft = letter_draft(case=draft_case)
    assert letter_draft(case=draft_case).pk == draft.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        Letter.objects.create(case=draft_case, kind=LetterKind.REQUEST, language="en", html="<p>again</p>")
    for _ in range(2):  # follow-ups and complaints may have several drafts (one per missed date, per authority)
        Letter.objects.create(case=draft_case, kind=LetterKind.FOLLOW_UP, language="en", html="<p>follow-up</p>")

    draft.delete()  # finalise_directly stores a final letter of its own
    final = finalise_directly(draft_case).letters.get(kind=LetterKind.REQUEST, is_final=True)
    stored = letter_store_draft(case=draft_case, kind=LetterKind.REQUEST, html="<p>late</p>", language="en",
                                template_version="test")  # a drafting request that rendered before the finalising
    assert stored.pk == final.pk and stored.html == "<p>Request</p>"
    assert list(draft_case.letters.filter(kind=LetterKind.REQUEST).values_list("is_final", flat=True)) == [True]
