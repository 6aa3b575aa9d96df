"""The case page wires in tracking: the active deadline rows and upcoming reminders, links to the
checklist, follow-up, complaint, evidence bundle and the case's .ics, actions to send a final follow-up
or complaint (by email, post or web form, naming the letter), the outbox, and the retention notice."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.urls import reverse

from deletion_portal.cases.models import EventKind, LetterKind
from deletion_portal.cases.services import case_record_event, letter_finalize
from deletion_portal.core.models import OutboxMessage
from deletion_portal.tracking.letters import complaint_draft, follow_up_draft
from deletion_portal.tracking.models import Deadline, DeadlineKind
from tests.support.tracking import AFTER, SENT_ON, follow_up_sent, respond, send
from tests.support.world import login

pytestmark = pytest.mark.django_db

LATER = date(2025, 7, 1)


def at(day: date):
    return time_machine.travel(datetime.combine(day, datetime.min.time(), dt_timezone.utc) + timedelta(hours=10), tick=False)


def page_of(client, case) -> str:
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def sent_case(final_case):
    with at(SENT_ON):  # the reminders are planned as of the day it was sent
        return send(final_case)


@pytest.fixture
def final_follow_up(sent_case, pdf_rendering):
    with at(AFTER):
        return letter_finalize(case=sent_case, letter=follow_up_draft(case=sent_case, today=AFTER), today=AFTER)


@pytest.fixture
def final_complaint(sent_case, pdf_rendering):
    follow_up_sent(sent_case)  # a complaint waits for the sent follow-up's 14 days
    with at(LATER):
        return letter_finalize(case=sent_case, letter=complaint_draft(case=sent_case, today=LATER), today=LATER)


# --- Dates, reminders and links --------------------------------------------------------------------------


def test_it_shows_the_active_deadline_rows_and_the_upcoming_reminders(owner_client, sent_case):
    with at(date(2025, 5, 10)):
        page = page_of(owner_client, sent_case)
    respond_by = Deadline.objects.get(case=sent_case, active=True, kind=DeadlineKind.RESPOND_BY)
    assert respond_by.due_on == date(2025, 6, 2)
    dates = page.split('id="dates"')[1].split("</section>")[0]
    assert 'data-kind="respond_by"' in dates and "Monday 2 June 2025" in dates
    assert "We will remind you on Monday 26 May 2025 (7 days before the deadline)" in dates
    assert "We will remind you on Sunday 1 June 2025 (the day before the deadline)" in dates
    assert reverse("tracking:case-calendar", args=[sent_case.pk]) in dates


def test_it_links_the_follow_up_complaint_evidence_and_the_response_checklist(owner_client, sent_case):
    event = respond(sent_case, on=date(2025, 5, 20))
    page = page_of(owner_client, sent_case)
    steps = page.split('id="next-steps"')[1].split("</section>")[0]
    assert reverse("tracking:checklist", args=[sent_case.pk, event.pk]) in steps
    assert reverse("tracking:follow-up", args=[sent_case.pk]) in steps and "Draft a follow-up" in steps
    assert reverse("tracking:complaint", args=[sent_case.pk]) in steps and "Draft a complaint" in steps
    assert reverse("tracking:evidence", args=[sent_case.pk]) in steps
    assert "Download the evidence bundle (.zip)" in steps


def test_following_the_links_drafts_nothing_until_the_owner_posts(owner_client, sent_case):
    """The case page links to the follow-up and complaint pages; opening them (GET, as a prefetcher or a
    link preview would) drafts nothing; their POST buttons draft, and the case page then links the drafts."""
    respond(sent_case, on=date(2025, 5, 20))  # incomplete: every checklist item is still unticked
    follow_up_url = reverse("tracking:follow-up", args=[sent_case.pk])
    complaint_url = reverse("tracking:complaint", args=[sent_case.pk])
    with at(LATER):
        state = (sent_case.letters.count(), sent_case.events.count())
        page = owner_client.get(follow_up_url)
        assert page.status_code == 200 and "Draft the follow-up" in page.content.decode()
        page = owner_client.get(complaint_url)  # not before the follow-up was sent and its 14 days have run
        assert page.status_code == 200 and "Send the follow-up first" in page.content.decode()
        assert (sent_case.letters.count(), sent_case.events.count()) == state
        steps = page_of(owner_client, sent_case).split('id="next-steps"')[1].split("</section>")[0]
        assert "Draft a follow-up" in steps
        assert owner_client.post(follow_up_url).status_code == 302
        assert (sent_case.letters.count(), sent_case.events.count()) == (state[0] + 1, state[1] + 1)
        steps = page_of(owner_client, sent_case).split('id="next-steps"')[1].split("</section>")[0]
    assert "Your follow-up draft" in steps
    follow_up = sent_case.letters.get(kind=LetterKind.FOLLOW_UP)
    with at(LATER):
        letter_finalize(case=sent_case, letter=follow_up, today=LATER)
        case_record_event(case=sent_case, kind=EventKind.SENT, on=LATER, actor=sent_case.owner,
                          details={"channel": "email", "letter": follow_up.short_id}, today=LATER)
    later = LATER + timedelta(days=15)
    with at(later):
        page = owner_client.get(complaint_url)
        assert "Draft the complaint to " in page.content.decode()
        assert owner_client.post(complaint_url).status_code == 302
        steps = page_of(owner_client, sent_case).split('id="next-steps"')[1].split("</section>")[0]
    assert "Your complaint draft" in steps
    assert {k for k in sent_case.letters.values_list("kind", flat=True)} >= {LetterKind.FOLLOW_UP, LetterKind.COMPLAINT}


def test_a_draft_case_offers_no_tracking_links(owner_client, draft_case):
    page = page_of(owner_client, draft_case)
    assert 'id="next-steps"' not in page and 'id="retention"' not in page


# --- Sending a follow-up or complaint --------------------------------------------------------------------


def test_sending_a_follow_up_by_email_records_it_and_starts_its_14_days(owner_client, sent_case, final_follow_up):
    with at(AFTER):
        page = page_of(owner_client, sent_case)
        assert f'id="send-{final_follow_up.short_id}"' in page
        response = owner_client.post(reverse("cases:send-email", args=[sent_case.pk]),
                                     {"letter": final_follow_up.short_id})
    assert response.status_code == 302
    message = OutboxMessage.objects.get(key=f"letter:{final_follow_up.pk}:email")
    assert message.to == ["privacy@acme.example"]
    assert message.attachments[0]["filename"].endswith(f"{final_follow_up.short_id}.pdf")
    sent = [e for e in sent_case.events.filter(kind=EventKind.SENT) if e.details.get("letter_kind") == "follow_up"]
    assert len(sent) == 1
    assert sent[0].on == AFTER and sent[0].details["letter"] == final_follow_up.short_id
    assert sent[0].details["channel"] == "email"
    # Hand-checked: sent Tuesday 10 June 2025 + 14 calendar days = Tuesday 24 June 2025.
    row = Deadline.objects.get(case=sent_case, active=True, kind=DeadlineKind.FOLLOW_UP_ANSWER_BY)
    assert row.due_on == date(2025, 6, 24)
    # Sent: the letter's send actions are gone, the outbox row is visible.
    with at(AFTER):
        page = page_of(owner_client, sent_case)
    assert f'id="send-{final_follow_up.short_id}"' not in page
    assert 'class="outbox"' in page and "Queued" in page.split('class="outbox"')[1]


def test_sending_the_follow_up_twice_sends_one_email(owner_client, sent_case, final_follow_up):
    url = reverse("cases:send-email", args=[sent_case.pk])
    with at(AFTER):
        owner_client.post(url, {"letter": final_follow_up.short_id})
        owner_client.post(url, {"letter": final_follow_up.short_id})
    assert OutboxMessage.objects.filter(key=f"letter:{final_follow_up.pk}:email").count() == 1
    assert sent_case.events.filter(kind=EventKind.SENT, details__letter=final_follow_up.short_id).count() == 1


def test_posting_the_follow_up_is_recorded_with_its_letter(owner_client, sent_case, final_follow_up):
    with at(AFTER):
        response = owner_client.post(reverse("cases:record-post", args=[sent_case.pk]),
                                     {"post-posted_on": "2025-06-10", "post-letter": final_follow_up.short_id})
    assert response.status_code == 302
    event = sent_case.events.get(kind=EventKind.SENT, details__letter=final_follow_up.short_id)
    assert event.details["channel"] == "post" and event.details["letter_kind"] == "follow_up"
    assert Deadline.objects.get(case=sent_case, active=True, kind=DeadlineKind.FOLLOW_UP_ANSWER_BY).due_on == date(2025, 6, 24)


def test_a_complaint_is_recorded_through_the_web_form_and_is_never_emailed_to_the_employer(
        owner_client, sent_case, final_complaint):
    with at(LATER):
        page = page_of(owner_client, sent_case)
        card = page.split(f'id="send-{final_complaint.short_id}"')[1].split('class="card unsent-letter"')[0]
        assert "send-letter-email" not in card and "record-letter-web-form" in card
        owner_client.post(reverse("cases:send-email", args=[sent_case.pk]), {"letter": final_complaint.short_id})
        assert not OutboxMessage.objects.filter(key=f"letter:{final_complaint.pk}:email").exists()
        response = owner_client.post(reverse("cases:record-web-form", args=[sent_case.pk]),
                                     {"web-used_on": "2025-07-01", "web-letter": final_complaint.short_id})
    assert response.status_code == 302
    event = sent_case.events.get(kind=EventKind.SENT, details__letter=final_complaint.short_id)
    assert event.details == {"channel": "web_form", "letter": final_complaint.short_id, "letter_kind": "complaint"}


def test_an_unknown_letter_id_sends_nothing(owner_client, sent_case):
    before = OutboxMessage.objects.count()
    response = owner_client.post(reverse("cases:send-email", args=[sent_case.pk]), {"letter": "ZZZZZZZZ"}, follow=True)
    assert "No final letter with that id" in response.content.decode()
    assert OutboxMessage.objects.count() == before


def test_a_bad_letter_on_the_post_form_is_shown_with_that_letter(owner_client, sent_case, final_follow_up):
    with at(AFTER):
        response = owner_client.post(reverse("cases:record-post", args=[sent_case.pk]),
                                     {"post-posted_on": "2025-06-09", "post-letter": final_follow_up.short_id})
    assert response.status_code == 400
    card = response.content.decode().split(f'id="send-{final_follow_up.short_id}"')[1]
    assert "before it was finalised" in card.split('class="record-letter-post"')[1].split("</form>")[0]
    request_form = response.content.decode().split('id="record-post"')[1].split("</form>")[0]
    assert "before it was finalised" not in request_form
    assert not sent_case.events.filter(kind=EventKind.SENT, details__letter=final_follow_up.short_id).exists()


def test_sending_someone_elses_letter_is_a_404(client, colleague, sent_case, final_follow_up):
    login(client, colleague)
    with at(AFTER):
        for name, data in (("cases:send-email", {"letter": final_follow_up.short_id}),
                           ("cases:record-post", {"post-posted_on": "2025-06-10", "post-letter": final_follow_up.short_id}),
                           ("cases:record-web-form", {"web-used_on": "2025-06-10", "web-letter": final_follow_up.short_id})):
            assert client.post(reverse(name, args=[sent_case.pk]), data).status_code == 404
    assert not OutboxMessage.objects.exists()
    assert not sent_case.events.filter(kind=EventKind.SENT, details__letter=final_follow_up.short_id).exists()


def test_the_request_letter_is_still_sent_without_a_letter_field(owner_client, final_case):
    owner_client.post(reverse("cases:send-email", args=[final_case.pk]))
    request_letter = final_case.letters.get(kind=LetterKind.REQUEST)
    assert OutboxMessage.objects.filter(key=f"letter:{request_letter.pk}:email").exists()


# --- Outbox and retention on the page ----------------------------------------------------------------------


def test_failed_emails_stay_visible_on_a_closed_case(owner_client, sent_case):
    OutboxMessage.objects.create(key="x", topic=f"case:{sent_case.pk}", to=["privacy@acme.example"], subject="s",
                                 body="b", state="failed", attempts=5, last_error="SMTPRecipientsRefused")
    from deletion_portal.cases.services import case_record_event

    case_record_event(case=sent_case, kind=EventKind.CLOSED, on=date(2025, 5, 3), details={"outcome": "no_response"},
                      today=date(2025, 5, 3))
    page = page_of(owner_client, sent_case)
    outbox = page.split('class="outbox"')[1]
    assert "Failed" in outbox and "5" in outbox and "SMTPRecipientsRefused" in outbox


def test_an_open_case_explains_retention_and_offers_to_keep(owner_client, sent_case):
    page = page_of(owner_client, sent_case)
    retention = page.split('id="retention"')[1].split("</section>")[0]
    assert "Once closed, a case is deleted" in retention
    assert reverse("tracking:keep", args=[sent_case.pk]) in retention and "Keep this case" in retention
