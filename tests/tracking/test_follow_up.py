"""The follow-up letter: drafted once the deadline passed (or an answer is incomplete), cites the original
letter and the missed date, gives 14 days, exists in every language of the request, and is finalised
like any letter."""

from __future__ import annotations

from datetime import date, datetime, time
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.core.exceptions import ValidationError

from deletion_portal.cases.letters import LANGUAGES
from deletion_portal.cases.models import CaseEvent, EventKind, Letter, LetterKind
from deletion_portal.cases.services import letter_finalize
from deletion_portal.tracking.checklist import checklist_update
from deletion_portal.tracking.letters import follow_up_draft, missed_deadline
from tests.support.tracking import AFTER, DUE, HOSTILE, pdf_text, respond, send, text_of
from tests.support.world import login


@pytest.fixture
def sent_case(final_case):
    return send(final_case)


# --- When it can be drafted ---------------------------------------------------------------------------


def test_it_knows_the_missed_date_and_its_legal_basis(sent_case):
    missed = missed_deadline(sent_case)
    assert missed.on == DUE
    assert missed.fixed and not missed.extended
    assert missed.citation == "Art. 12(3) GDPR"


def test_it_refuses_before_the_deadline_has_passed(sent_case):
    with pytest.raises(ValidationError, match="until 2025-06-02"):
        follow_up_draft(case=sent_case, today=DUE)
    assert not sent_case.letters.filter(kind=LetterKind.FOLLOW_UP).exists()


def test_it_refuses_without_a_deadline(final_case):
    with pytest.raises(ValidationError):
        follow_up_draft(case=final_case, today=AFTER)


def test_it_drafts_once_the_deadline_has_passed(sent_case):
    letter = follow_up_draft(case=sent_case, today=AFTER)
    assert letter.kind == LetterKind.FOLLOW_UP
    assert not letter.is_final
    assert letter.language == "en"
    event = sent_case.events.get(kind=EventKind.DRAFTED, details__kind="follow_up")
    assert event.details == {"letter": letter.short_id, "kind": "follow_up", "missed_on": "2025-06-02"}


def test_drafting_is_idempotent(sent_case):
    first = follow_up_draft(case=sent_case, today=AFTER)
    second = follow_up_draft(case=sent_case, today=date(2025, 6, 11))
    assert second.pk == first.pk
    assert sent_case.letters.filter(kind=LetterKind.FOLLOW_UP).count() == 1
    assert sent_case.events.filter(kind=EventKind.DRAFTED, details__kind="follow_up").count() == 1
    assert "11 June 2025" in text_of(second.html)  # a draft is re-rendered as of today


def test_a_final_follow_up_is_returned_unchanged(sent_case, pdf_rendering):
    letter = follow_up_draft(case=sent_case, today=AFTER)
    final = letter_finalize(case=sent_case, letter=letter, today=AFTER)
    html = final.html
    again = follow_up_draft(case=sent_case, today=date(2025, 7, 1))
    assert again.pk == final.pk and again.is_final and again.html == html


# --- What it says ---------------------------------------------------------------------------------------


def test_it_cites_the_original_letter_the_missed_date_and_gives_14_days(sent_case):
    original = sent_case.letters.get(kind=LetterKind.REQUEST)
    text = text_of(follow_up_draft(case=sent_case, today=AFTER).html)
    assert sent_case.reference in text
    assert original.short_id in text
    assert original.sha256 in text
    assert "2 May 2025" in text  # the original letter's date
    assert "Under Art. 12(3) GDPR, your answer was due by 2 June 2025" in text
    assert "I have received no answer" in text
    assert "by 24 June 2025, 14 days from the date of this letter" in text
    assert "a supervisory authority (Art. 77 GDPR)" in text


def test_the_unticked_checklist_items_feed_the_letter(sent_case):
    event = respond(sent_case)
    codes = {item.code for item in event.checklist.all()}
    checklist_update(case=sent_case, response_event=event, answered_codes=codes - {"copy", "erasure:models"})
    text = text_of(follow_up_draft(case=sent_case, today=date(2025, 5, 25)).html)  # incomplete: no need to wait
    assert "Your answer of 20 May 2025 omitted:" in text
    assert "a copy of the data (Art. 15(3))" in text
    assert "erasure confirmed for the trained models" in text
    assert "the purposes of the processing" not in text


def test_a_complete_answer_needs_no_follow_up(sent_case):
    event = respond(sent_case)
    checklist_update(case=sent_case, response_event=event, answered_codes={i.code for i in event.checklist.all()})
    with pytest.raises(ValidationError, match="nothing missing"):
        follow_up_draft(case=sent_case, today=AFTER)


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_it_exists_in_every_language_of_the_request(owner, employer, lang, final_case):
    from deletion_portal.cases.letters import letter_languages

    law = "br-lgpd" if lang == "pt" else "eu-gdpr"
    final_case.law_key, final_case.language = law, lang
    final_case.region = "BR" if law == "br-lgpd" else "DE-BY"
    final_case.save()
    assert lang in letter_languages(law)
    case = send(final_case)
    letter = follow_up_draft(case=case, today=date(2025, 7, 10))
    assert letter.language == lang
    html = letter.html
    assert f'lang="{lang}"' in html
    assert case.letters.get(kind=LetterKind.REQUEST).sha256 in html
    assert 'class="letter letter-follow_up"' in html  # the one base layout


def test_german_follow_up_reads_german(sent_case):
    sent_case.language = "de"
    sent_case.save()
    text = text_of(follow_up_draft(case=sent_case, today=AFTER).html)
    assert "Nach Art. 12 Abs. 3 DSGVO war Ihre Antwort bis zum 2. Juni 2025 fällig" in text
    assert "bis zum 24. Juni 2025" in text
    assert "Mit freundlichen Grüßen" in text


def test_hostile_text_is_escaped(sent_case):
    sent_case.requester_name = HOSTILE
    sent_case.employer.legal_name = HOSTILE
    sent_case.employer.save()
    sent_case.save()
    html = follow_up_draft(case=sent_case, today=AFTER).html
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


# --- Finalising -------------------------------------------------------------------------------------------


def test_finalising_stores_pdf_hash_and_event(sent_case, pdf_rendering):
    import hashlib

    letter = follow_up_draft(case=sent_case, today=AFTER)
    final = letter_finalize(case=sent_case, letter=letter, today=AFTER)
    assert final.is_final and final.finalised_at
    data = final.pdf.read()
    assert hashlib.sha256(data).hexdigest() == final.sha256
    event = CaseEvent.objects.get(case=sent_case, kind=EventKind.FINALISED, details__kind="follow_up")
    assert {k: event.details[k] for k in ("letter", "kind", "sha256")} == {
        "letter": final.short_id, "kind": "follow_up", "sha256": final.sha256}
    assert letter_finalize(case=sent_case, letter=final).pk == final.pk  # idempotent
    assert CaseEvent.objects.filter(case=sent_case, kind=EventKind.FINALISED, details__kind="follow_up").count() == 1
    original = sent_case.letters.get(kind=LetterKind.REQUEST)
    text = pdf_text(data)
    compact = text.replace(" ", "")
    assert original.sha256 in compact
    assert sent_case.reference in text
    assert "2 June 2025" in text


def test_it_finalises_every_kind_through_the_one_lifecycle_and_leaves_a_final_request_as_it_is(sent_case):
    request_letter = sent_case.letters.get(kind=LetterKind.REQUEST, is_final=True)
    assert letter_finalize(case=sent_case, letter=request_letter) == request_letter
    assert CaseEvent.objects.filter(case=sent_case, kind=EventKind.FINALISED).count() == 1


# --- Views --------------------------------------------------------------------------------------------------


URL = "/cases/{}/follow-up/"


def counts(case) -> tuple[int, int, list]:
    """What a GET must leave as it was: the case's letters and events, and the follow-ups' text."""
    return (case.letters.count(), case.events.count(),
            list(case.letters.filter(kind=LetterKind.FOLLOW_UP).order_by("pk").values_list("pk", "html", "language")))


def on_day(day: date):
    """Freeze the clock at noon UTC on ``day`` (the portal's "today" for pages and drafts)."""
    return time_machine.travel(datetime.combine(day, time(12), dt_timezone.utc), tick=False)


@pytest.fixture
def after():
    with on_day(AFTER):
        yield


@pytest.fixture
def due():
    with on_day(DUE):
        yield


def test_a_get_drafts_nothing_and_offers_the_draft_button(sent_case, owner_client, after):
    before = counts(sent_case)
    response = owner_client.get(URL.format(sent_case.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Draft the follow-up" in body and 'method="post"' in body and "csrfmiddlewaretoken" in body
    assert "had until 2 June 2025 to answer and no answer is recorded" in body  # why it can be drafted
    assert "Finalise the letter" not in body
    assert counts(sent_case) == before
    assert not sent_case.letters.filter(kind=LetterKind.FOLLOW_UP).exists()
    assert not sent_case.events.filter(kind=EventKind.DRAFTED, details__kind=LetterKind.FOLLOW_UP).exists()


def test_a_post_drafts_once_and_redirects_back(sent_case, owner_client, after):
    letters, events, _ = counts(sent_case)
    response = owner_client.post(URL.format(sent_case.pk))
    assert response.status_code == 302 and response["Location"] == URL.format(sent_case.pk)
    assert sent_case.letters.filter(kind=LetterKind.FOLLOW_UP).count() == 1
    assert sent_case.events.filter(kind=EventKind.DRAFTED, details__kind=LetterKind.FOLLOW_UP).count() == 1
    assert counts(sent_case)[:2] == (letters + 1, events + 1)
    again = owner_client.post(URL.format(sent_case.pk))  # idempotent: the same draft
    assert again.status_code == 302
    assert counts(sent_case)[:2] == (letters + 1, events + 1)


def test_get_then_post_then_get_shows_the_draft(sent_case, owner_client, after):
    first = owner_client.get(URL.format(sent_case.pk)).content.decode()
    assert "your answer was due by 2 June 2025" not in first
    page = owner_client.post(URL.format(sent_case.pk), follow=True)
    assert page.redirect_chain == [(URL.format(sent_case.pk), 302)]
    body = page.content.decode()
    assert "The follow-up is drafted" in body
    assert "Finalise the letter" in body and "Update the draft" in body
    assert "your answer was due by 2 June 2025" in body
    assert "Draft the follow-up" not in body
    letter = sent_case.letters.get(kind=LetterKind.FOLLOW_UP)
    assert letter.short_id in body
    before = counts(sent_case)
    assert "your answer was due by 2 June 2025" in owner_client.get(URL.format(sent_case.pk)).content.decode()
    assert counts(sent_case) == before


def test_a_draft_is_re_rendered_only_on_an_explicit_post(sent_case, owner_client, after):
    letter = follow_up_draft(case=sent_case, today=AFTER)
    Letter.objects.filter(pk=letter.pk).update(html="<p>stale</p>")
    before = counts(sent_case)
    body = owner_client.get(URL.format(sent_case.pk)).content.decode()
    assert "stale" in body and "Update the draft" in body
    assert counts(sent_case) == before  # GET re-rendered nothing
    response = owner_client.post(URL.format(sent_case.pk))
    assert response.status_code == 302
    letter.refresh_from_db()
    assert "stale" not in letter.html and "2 June 2025" in letter.html
    assert counts(sent_case)[:2] == before[:2]  # the same letter, no new event


def test_the_page_finds_the_letter_the_draft_function_returns(sent_case, after):
    from deletion_portal.tracking.letters import current_follow_up

    assert current_follow_up(sent_case) is None
    letter = follow_up_draft(case=sent_case, today=AFTER)
    assert current_follow_up(sent_case) == letter


def test_the_check_writes_nothing_and_agrees_with_the_draft_function(sent_case):
    from deletion_portal.tracking.letters import follow_up_check

    before = counts(sent_case)
    with pytest.raises(ValidationError, match="until 2025-06-02"):
        follow_up_check(case=sent_case, today=DUE)
    with pytest.raises(ValidationError, match="until 2025-06-02"):
        follow_up_draft(case=sent_case, today=DUE)
    check = follow_up_check(case=sent_case, today=AFTER)
    assert check.missed.on == DUE and "2 June 2025" in check.reason
    assert counts(sent_case) == before


def test_the_page_explains_when_it_is_too_early(sent_case, owner_client, due):
    before = counts(sent_case)
    response = owner_client.get(URL.format(sent_case.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "until 2025-06-02" in body
    assert "Draft the follow-up" not in body
    assert counts(sent_case) == before


def test_a_post_too_early_shows_why_without_a_500(sent_case, owner_client, due):
    before = counts(sent_case)
    response = owner_client.post(URL.format(sent_case.pk))
    assert response.status_code == 400
    assert "until 2025-06-02" in response.content.decode()
    assert counts(sent_case) == before


def test_the_page_needs_get_or_post(sent_case, owner_client):
    assert owner_client.put(URL.format(sent_case.pk)).status_code == 405


def test_finalise_view(sent_case, owner_client, pdf_rendering):
    letter = follow_up_draft(case=sent_case, today=AFTER)
    response = owner_client.post(f"/cases/{sent_case.pk}/letters/{letter.pk}/finalize/")
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.is_final
    pdf = owner_client.get(f"/cases/{sent_case.pk}/letters/{letter.pk}/pdf")
    assert pdf.status_code == 200


def test_other_users_get_404(sent_case, client, colleague, outsider, after):
    for user in (colleague, outsider):
        login(client, user)
        before = counts(sent_case)
        assert client.get(URL.format(sent_case.pk)).status_code == 404
        assert client.post(URL.format(sent_case.pk)).status_code == 404
        assert counts(sent_case) == before
    assert not sent_case.letters.filter(kind=LetterKind.FOLLOW_UP).exists()
    letter = follow_up_draft(case=sent_case, today=AFTER)
    for user in (colleague, outsider):
        login(client, user)
        assert client.post(f"/cases/{sent_case.pk}/letters/{letter.pk}/finalize/").status_code == 404
    letter.refresh_from_db()
    assert not letter.is_final


def test_anonymous_is_sent_to_login(sent_case, client, after):
    before = counts(sent_case)
    for method in ("get", "post"):
        response = getattr(client, method)(URL.format(sent_case.pk))
        assert response.status_code == 302
        assert "login" in response["Location"]
    assert counts(sent_case) == before
    letter = follow_up_draft(case=sent_case, today=AFTER)
    response = client.post(f"/cases/{sent_case.pk}/letters/{letter.pk}/finalize/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_finalise_needs_post(sent_case, owner_client):
    letter = follow_up_draft(case=sent_case, today=AFTER)
    assert owner_client.get(f"/cases/{sent_case.pk}/letters/{letter.pk}/finalize/").status_code == 405


def test_another_cases_letter_is_404(sent_case, owner_client, owner, employer):
    from deletion_portal.cases.services import case_create
    from tests.support.data import DRAFT_FIELDS

    other = case_create(owner=owner, employer=employer, **DRAFT_FIELDS)
    letter = follow_up_draft(case=sent_case, today=AFTER)
    assert owner_client.post(f"/cases/{other.pk}/letters/{letter.pk}/finalize/").status_code == 404
    assert Letter.objects.get(pk=letter.pk).is_final is False
