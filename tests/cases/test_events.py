"""Recording what happened on the case page, and tracking a request sent outside the portal.

Hand-checked GDPR dates for Bavaria (DE-BY): a request received (confirmed) on Thursday 2025-05-29
is due one month later, on Sunday 2025-06-29, which is not a working day, so the date moves to
Monday 2025-06-30 (Art. 12(3) GDPR; Art. 3(4) Regulation 1182/71). An extension notified on
2025-06-10, within that first month, allows three months in all from receipt: Friday 2025-08-29.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from deletion_portal.cases.models import Case, EventKind

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def record(client, case, data, **extra):
    return client.post(reverse("cases:record-event", args=[case.pk]),
                       {f"event-{k}": v for k, v in data.items()}, **extra)


def posted(client, case, data):
    return client.post(reverse("cases:record-post", args=[case.pk]), {f"post-{k}": v for k, v in data.items()})


def test_it_records_a_confirmed_receipt_in_the_past_and_computes_the_deadline(owner_client, final_case):
    assert posted(owner_client, final_case, {"posted_on": "2025-05-27"}).status_code == 302
    response = record(owner_client, final_case, {"kind": "received", "on": "2025-05-29", "confirmed": "on"})
    assert response.status_code == 302
    final_case.refresh_from_db()
    assert final_case.received_on == date(2025, 5, 29) and final_case.received_confirmed
    assert final_case.respond_by == date(2025, 6, 30)
    assert final_case.next_date == date(2025, 6, 30) and final_case.next_date_label == "Employer must answer"
    page = text(owner_client.get(reverse("cases:detail", args=[final_case.pk])))
    assert "Monday 30 June 2025" in page and "is a Sunday, so the end moves to the next day" in page
    assert "days ago" in page  # that date has passed


def test_it_moves_the_next_date_when_an_extension_is_notified(owner_client, final_case):
    record(owner_client, final_case, {"kind": "received", "on": "2025-05-29", "confirmed": "on"})
    response = record(owner_client, final_case, {"kind": "extension_notified", "on": "2025-06-10",
                                                 "reasons": "Many requests at once."})
    assert response.status_code == 302
    final_case.refresh_from_db()
    assert final_case.next_date == date(2025, 8, 29)
    assert final_case.next_date_label == "Employer must answer (extended)"


def test_it_shows_the_extended_date_as_the_date_that_counts_in_the_trail(owner_client, final_case):
    """After a valid extension (Art. 12(3) GDPR) the trail's prominent date is the extended one (Friday 29
    August 2025); the first one (Monday 30 June 2025) stays, labelled as history."""
    record(owner_client, final_case, {"kind": "received", "on": "2025-05-29", "confirmed": "on"})
    before = text(owner_client.get(reverse("cases:detail", args=[final_case.pk])))
    assert '<dt>Must answer by</dt><dd class="date" data-kind="respond_by">Monday 30 June 2025</dd>' in before
    assert "Latest, if the employer extends in time" in before
    record(owner_client, final_case, {"kind": "extension_notified", "on": "2025-06-10", "reasons": "Many requests at once."})
    page = text(owner_client.get(reverse("cases:detail", args=[final_case.pk])))
    assert '<dd class="date" data-kind="extended_respond_by">Friday 29 August 2025</dd>' in page
    # The replaced date stays, struck through and small (issue 12).
    assert ('<dt class="replaced">First deadline (before the extension)</dt><dd class="replaced" data-kind="respond_by">'
            '<s>Monday 30 June 2025</s></dd>') in page
    assert "Must answer by</dt><dd class=\"date\" data-kind=\"respond_by\"" not in page


def test_it_estimates_delivery_of_a_posted_letter_and_uses_a_delivery_date(owner_client, final_case):
    response = posted(owner_client, final_case, {"posted_on": "2025-05-27", "delivered_on": "2025-05-29",
                                                 "tracking_number": "RR1DE"})
    assert response.status_code == 302
    final_case.refresh_from_db()
    assert final_case.status == "sent"
    assert final_case.received_on == date(2025, 5, 29) and not final_case.received_confirmed
    assert final_case.respond_by == date(2025, 6, 30)


def test_it_records_a_web_form_submission(owner_client, final_case):
    response = owner_client.post(reverse("cases:record-web-form", args=[final_case.pk]), {"web-used_on": "2025-05-29"})
    assert response.status_code == 302
    event = final_case.events.get(kind=EventKind.SENT)
    assert event.details == {"channel": "web_form"} and event.on == date(2025, 5, 29)


def test_it_refuses_a_future_date_and_keeps_the_values(owner_client, final_case):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = record(owner_client, final_case, {"kind": "refused", "on": tomorrow, "grounds": "Manifestly excessive"})
    assert response.status_code == 400
    page = text(response)
    assert f"{tomorrow} is in the future; record events once they have happened." in page
    assert "Manifestly excessive" in page and f'value="{tomorrow}"' in page
    assert not final_case.events.filter(kind=EventKind.REFUSED).exists()


def test_it_refuses_a_date_before_the_letter_was_finalised(owner_client, final_case):
    response = posted(owner_client, final_case, {"posted_on": "2025-04-30", "tracking_number": "RR2DE"})
    assert response.status_code == 400
    page = text(response)
    assert "The letter was finalised on 2025-05-02; this cannot have happened on 2025-04-30" in page
    assert 'value="RR2DE"' in page
    assert not final_case.events.filter(kind=EventKind.SENT).exists()


def test_it_shows_each_kinds_required_field_next_to_it(owner_client, final_case):
    refused = record(owner_client, final_case, {"kind": "refused", "on": "2025-06-01", "grounds": ""})
    assert refused.status_code == 400 and "The grounds is required." in text(refused)
    closed = record(owner_client, final_case, {"kind": "closed", "on": "2025-06-01"})
    assert closed.status_code == 400 and "Choose an outcome" in text(closed)
    no_kind = record(owner_client, final_case, {"kind": "", "on": "not a date"})
    assert no_kind.status_code == 400
    assert "Choose what happened." in text(no_kind) and "Enter a real date as YYYY-MM-DD" in text(no_kind)
    assert sorted(final_case.events.values_list("kind", flat=True)) == ["drafted", "finalised"]


def test_it_closes_a_case_with_its_outcome(owner_client, final_case):
    assert record(owner_client, final_case, {"kind": "closed", "on": "2025-07-01", "outcome": "fulfilled"}).status_code == 302
    final_case.refresh_from_db()
    assert final_case.status == "closed" and final_case.next_date is None
    page = text(owner_client.get(reverse("cases:detail", args=[final_case.pk])))
    assert "They did everything I asked" in page and 'id="record-event"' not in page
    again = record(owner_client, final_case, {"kind": "acknowledged", "on": "2025-07-02"})
    assert again.status_code == 400


def test_it_refuses_to_record_on_a_draft(owner_client, draft_case):
    response = record(owner_client, draft_case, {"kind": "acknowledged", "on": "2025-07-02"})
    assert response.status_code == 400
    assert "Finalise the letter before recording what happened to it." in text(response)


# --- Track a request sent elsewhere --------------------------------------------------------------------------


TRACK = {
    "employer-employer": None,  # set per test
    "work_place": "DE-BY",
    "law_key": "eu-gdpr",
    "sent_on": "2019-03-01",
    "channel": "post",
    "rights": ["access", "erasure"],
}


def test_it_tracks_a_request_sent_years_ago(owner_client, owner, employer):
    response = owner_client.post(reverse("cases:track"), {**TRACK, "employer-employer": employer.pk})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.owner == owner and case.sent_outside_portal and case.status == "sent"
    assert case.rights == ["access", "erasure"] and case.region == "DE-BY"
    sent = case.events.get(kind=EventKind.SENT)
    assert sent.on == date(2019, 3, 1) and sent.details["channel"] == "post"
    # A posted letter arrives two working days later: Tuesday 2019-03-05; one month later 2019-04-05.
    assert case.received_on == date(2019, 3, 5) and case.respond_by == date(2019, 4, 5)
    page = text(owner_client.get(response["Location"]))
    assert "Sent outside the portal</dt><dd>yes" in page and 'id="record-event"' in page
    # Later events on such a case can be years ago too.
    assert record(owner_client, case, {"kind": "response_received", "on": "2019-04-01"}).status_code == 302


def test_it_tracks_a_request_to_an_employer_added_on_the_way(owner_client):
    response = owner_client.post(reverse("cases:track"), {
        **TRACK, "employer-employer": "", "employer-legal_name": "Nimbus Labeling SAS", "employer-country": "FR",
        "work_place": "FR", "channel": "email", "sent_on": "2024-01-15",
    })
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.employer.legal_name == "Nimbus Labeling SAS" and case.region == "FR"


def test_a_tracked_gdpr_request_to_a_us_employer_counts_the_work_places_holidays(owner_client):
    """GDPR Art. 3(1): the request runs under the GDPR, so its dates use holidays inside the EU (DE-BY)."""
    response = owner_client.post(reverse("cases:track"), {
        **TRACK, "employer-employer": "", "employer-legal_name": "Cloudward Inc.", "employer-country": "US",
        "work_place": "DE-BY", "employer_country": "US",
    })
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.employer_country, case.region) == ("US", "DE-BY")


def test_it_refuses_a_track_with_bad_input_and_keeps_the_values(owner_client, employer):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = owner_client.post(reverse("cases:track"), {
        **TRACK, "employer-employer": employer.pk, "work_place": "US-VA", "employer_country": "US",
        "law_key": "eu-gdpr", "sent_on": tomorrow, "rights": [],
    })
    assert response.status_code == 400
    page = text(response)
    assert "is in the future" in page
    assert "Choose at least one right you asked for." in page
    assert "None of the laws we track applies to these places." in page
    assert 'value="US-VA" selected' in page and f'value="{employer.pk}" checked' in page
    assert not Case.objects.exists()


def test_it_refuses_a_right_the_tracked_law_does_not_have(owner_client, employer):
    response = owner_client.post(reverse("cases:track"), {
        **TRACK, "employer-employer": employer.pk, "work_place": "CA-ON", "employer_country": "CA",
        "law_key": "ca-pipeda", "rights": ["erasure"],
    })
    assert response.status_code == 400
    assert "PIPEDA has no right erasure" in text(response)
    assert not Case.objects.exists()


def test_it_asks_for_an_employer_when_tracking(owner_client):
    response = owner_client.post(reverse("cases:track"), {**TRACK, "employer-employer": ""})
    assert response.status_code == 400
    assert "Choose an employer from the search results" in text(response)
    assert not Case.objects.exists()
