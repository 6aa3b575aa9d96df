"""The case page reads at a glance (issue 12): one next action at the top with its date and why, the other
actions folded, one small form per kind of event, no follow-up or complaint before the request was sent,
the replaced date struck through, human labels, the two postal working days explained, draft deletion."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from deletion_portal.cases.models import Case, EventKind
from deletion_portal.cases.services import case_record_event
from deletion_portal.core.models import OutboxMessage
from tests.support.world import login

pytestmark = pytest.mark.django_db


def page(client, case) -> str:
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, ident: str) -> str:
    start = html.index(f'id="{ident}"')
    return html[start:html.index("</section>", start)]


def first_section_after_h1(html: str) -> str:
    return html.split("</h1>", 1)[1].split("<section", 2)[1]


# --- One next action -------------------------------------------------------------------------------------


def test_a_draft_asks_to_finish_the_letter_first(owner_client, draft_case):
    html = page(owner_client, draft_case)
    assert 'id="next-action"' in first_section_after_h1(html)
    action = section(html, "next-action")
    assert "Finish your letter" in action and reverse("cases:step", args=[draft_case.pk, 7]) in action
    assert "nothing has been sent" in action


def test_a_final_letter_asks_to_send_it_with_the_email_button_at_the_top(owner_client, final_case):
    action = section(page(owner_client, final_case), "next-action")
    assert "Send your letter" in action
    assert f'action="{reverse("cases:send-email", args=[final_case.pk])}"' in action
    assert 'href="#ways-to-send"' in action  # the other ways, folded below


def test_a_sent_request_waits_for_the_answer_with_its_date_largest(owner_client, sent_case):
    with time_machine.travel("2025-05-20 10:00:00Z", tick=False):
        html = page(owner_client, sent_case)
    action = section(html, "next-action")
    assert "Wait for the employer&#x27;s answer" in action
    # Art. 12(3) GDPR: one month from Friday 2 May 2025 → Monday 2 June 2025, shown once, as the big date.
    assert '<p class="date">Monday 2 June 2025</p>' in action and "13 days left" in action


def test_a_missed_deadline_asks_for_a_follow_up(owner_client, sent_case):
    with time_machine.travel("2025-06-10 10:00:00Z", tick=False):
        action = section(page(owner_client, sent_case), "next-action")
    assert "Send a follow-up" in action and reverse("tracking:follow-up", args=[sent_case.pk]) in action
    assert "Monday 2 June 2025" in action


def test_an_answer_asks_to_check_it(owner_client, sent_case):
    with time_machine.travel("2025-05-20 10:00:00Z", tick=False):
        event = case_record_event(case=sent_case, kind=EventKind.RESPONSE_RECEIVED, on=date(2025, 5, 19),
                                  actor=sent_case.owner)
        action = section(page(owner_client, sent_case), "next-action")
    assert "Check what the answer covered" in action
    assert reverse("tracking:checklist", args=[sent_case.pk, event.pk]) in action


# --- Folded actions, forms per kind ------------------------------------------------------------------------


def test_the_other_actions_are_folded(owner_client, sent_case):
    html = page(owner_client, sent_case)
    for ident in ("send", "record-event", "employer-access"):
        tag = re.search(rf'<details[^>]*id="{ident}"[^>]*>', html)
        assert tag and " open" not in tag[0], ident


def test_each_kind_of_event_has_its_own_form_with_only_its_fields(owner_client, sent_case):
    html = page(owner_client, sent_case)
    forms = dict(re.findall(r'<details class="event-kind" id="record-([a-z_]+)"[^>]*>(.*?)</details>', html, re.S))
    assert set(forms) >= {"received", "acknowledged", "extension_notified", "response_received", "refused", "closed"}
    assert 'name="event-reasons"' in forms["extension_notified"] and 'name="event-grounds"' not in forms["extension_notified"]
    assert 'name="event-grounds"' in forms["refused"] and 'name="event-reasons"' not in forms["refused"]
    assert 'name="event-outcome"' in forms["closed"] and 'name="event-upload"' not in forms["closed"]
    assert 'name="event-confirmed"' in forms["received"] and 'name="event-confirmed"' not in forms["acknowledged"]
    assert 'name="event-kind" value="refused"' in forms["refused"]
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids on the case page"


def test_a_form_with_errors_comes_back_open_in_its_kinds_place(owner_client, sent_case):
    response = owner_client.post(reverse("cases:record-event", args=[sent_case.pk]),
                                 {"event-kind": "refused", "event-on": "2025-05-10", "event-grounds": ""})
    assert response.status_code == 400
    html = response.content.decode()
    refused = re.search(r'<details class="event-kind" id="record-refused" open>(.*?)</details>', html, re.S)
    assert refused and "The grounds is required." in refused[1]


def test_no_follow_up_or_complaint_is_offered_before_the_request_was_sent(owner_client, final_case):
    html = page(owner_client, final_case)
    assert "Draft a follow-up" not in html and "Draft a complaint" not in html
    assert reverse("tracking:follow-up", args=[final_case.pk]) not in html


# --- Dates and labels ----------------------------------------------------------------------------------------


def test_a_valid_extension_strikes_the_replaced_date_small(owner_client, sent_case):
    with time_machine.travel("2025-05-20 10:00:00Z", tick=False):
        case_record_event(case=sent_case, kind=EventKind.EXTENSION_NOTIFIED, on=date(2025, 5, 19),
                          actor=sent_case.owner, details={"reasons": "Many requests at once."})
        html = page(owner_client, sent_case)
    action = section(html, "next-action")
    # Art. 12(3) GDPR: the extended date is the big one; the first (Monday 2 June 2025) is struck through.
    big = re.search(r'<p class="date">([^<]+)</p>', action)[1]
    assert big != "Monday 2 June 2025"
    assert '<p class="replaced">' in action and "<s>Monday 2 June 2025</s>" in action
    dates = section(html, "dates")
    assert re.search(r'data-kind="respond_by">\s*<td>[^<]*<span class="help">\(replaced\)</span></td>\s*<td class="replaced"><s>',
                     dates)


def test_labels_are_words_not_codes(owner_client, sent_case):
    html = page(owner_client, sent_case)
    facts = html.split('<dl class="case-facts">', 1)[1].split("</dl>", 1)[0]
    assert "holidays of Bayern" in facts and "DE-BY" not in facts
    assert "Letter language</dt><dd>English</dd>" in facts
    assert "Sent outside the portal</dt><dd>no</dd>" in facts


def test_the_postal_assumption_is_explained_where_it_moves_the_clock(owner_client, final_case):
    with time_machine.travel("2025-05-20 10:00:00Z", tick=False):
        owner_client.post(reverse("cases:record-post", args=[final_case.pk]), {"post-posted_on": "2025-05-16"})
        html = page(owner_client, final_case)
    note = section(html, "next-action").split('id="postal-delivery"', 1)[1]
    # Posted Friday 16 May 2025 → counted as received two working days later, Tuesday 20 May 2025.
    assert "Friday 16 May 2025" in note and "2 working days later, on Tuesday 20 May 2025" in note
    assert "holidays of Bayern" in note or "public holidays of Bayern" in note
    with time_machine.travel("2025-05-20 10:00:00Z", tick=False):
        owner_client.post(reverse("cases:record-event", args=[final_case.pk]),
                          {"event-kind": "received", "event-on": "2025-05-19", "event-confirmed": "on"})
        assert 'id="postal-delivery"' not in page(owner_client, final_case)


def test_dates_follow_the_interface_language(client, owner, sent_case):
    login(client, owner)
    client.cookies["django_language"] = "de"
    with time_machine.travel("2025-05-20 10:00:00Z", tick=False):
        html = page(client, sent_case)
    assert '<p class="date">Montag, 2. Juni 2025</p>' in html


# --- Deleting a draft --------------------------------------------------------------------------------------------


def test_the_owner_deletes_a_draft_from_its_page(owner_client, draft_case):
    html = page(owner_client, draft_case)
    assert f'action="{reverse("cases:delete", args=[draft_case.pk])}"' in section(html, "actions")
    response = owner_client.post(reverse("cases:delete", args=[draft_case.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("cases:list")
    assert not Case.objects.filter(pk=draft_case.pk).exists()


def test_a_case_with_a_final_letter_is_not_deleted(owner_client, final_case):
    assert "delete-draft" not in page(owner_client, final_case)
    response = owner_client.post(reverse("cases:delete", args=[final_case.pk]), follow=True)
    assert "Only a draft can be deleted" in response.content.decode()
    assert Case.objects.filter(pk=final_case.pk).exists()


def test_deleting_is_post_only_and_the_owners_only(client, owner_client, colleague, draft_case):
    assert owner_client.get(reverse("cases:delete", args=[draft_case.pk])).status_code == 405
    login(client, colleague)
    assert client.post(reverse("cases:delete", args=[draft_case.pk])).status_code == 404
    assert Case.objects.filter(pk=draft_case.pk).exists()


def test_deleting_a_draft_removes_its_outbox_rows_and_files(owner_client, draft_case, settings):
    OutboxMessage.objects.create(key="draft-x", topic=f"case:{draft_case.pk}", to=["a@b.example"], subject="s", body="b")
    owner_client.post(reverse("cases:delete", args=[draft_case.pk]))
    assert not OutboxMessage.objects.filter(topic=f"case:{draft_case.pk}").exists()
