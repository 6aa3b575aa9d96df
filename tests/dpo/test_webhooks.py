"""Webhooks for teams that run their own DSAR tool (issue 8, "## API" → Webhooks; "Done means": a webhook
delivered once to a local receiver with a valid signature after the receiver first fails).

A real HTTP receiver (http.server in a thread on 127.0.0.1, a free port) stands in for the team's tool; the
deliveries go through the real task (``dpo.deliver_webhook``, Celery eager) after the commit, and the back-off
through time_machine and the beat's requeue (``dpo.requeue_webhooks``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from deletion_portal.accounts.models import Role
from deletion_portal.cases.models import EventKind
from deletion_portal.cases.services import case_record_event
from deletion_portal.core.outbox import retry_delay
from deletion_portal.dpo.models import CaseClaim, Webhook, WebhookDelivery, WebhookDeliveryState
from deletion_portal.dpo.tasks import deliver_webhook, requeue_webhooks
from deletion_portal.dpo.webhooks import (
    MAX_ATTEMPTS,
    webhook_body,
    webhook_create,
    webhook_signature,
    webhook_signature_valid,
    webhook_url_clean,
)
from deletion_portal.employers.models import EmployerTeam, TeamAuditEntry, TeamRole
from tests.support.data import SENT_ON
from tests.support.world import login, make_account

pytestmark = pytest.mark.django_db

T0 = datetime(2025, 5, 2, 12, 0, tzinfo=dt_timezone.utc)


class Receiver:
    """The team's tool: records every POST; answers ``statuses`` in turn (then 200)."""

    def __init__(self, statuses=(500,)):
        self.statuses = list(statuses)
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/portal-hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(statuses=(500,)):
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for r in made:
        r.close()


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    settings.WEBHOOK_ALLOW_LOCAL_HTTP = True


@pytest.fixture
def admin(team, team_member):
    user = make_account("ada.admin@acme.example", Role.DPO, "Ada Admin")
    team_member(user, team, role=TeamRole.ADMIN)
    return user


def send(case, *, on=SENT_ON):
    case_record_event(case=case, kind=EventKind.SENT, on=on, actor=case.owner, details={"channel": "email"}, today=on)


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_fields(header: str) -> dict:
    return dict(part.split("=", 1) for part in header.split(","))


# --- Done means: delivered once, with a valid signature, after the receiver first fails ---------------------


def test_it_retries_with_back_off_and_delivers_once_with_a_valid_signature(
    admin, team, final_case, receiver, eager_celery, django_capture_on_commit_callbacks, client, caplog,
):
    tool = receiver(statuses=(500,))
    webhook = webhook_create(team=team, url=tool.url, actor=admin)
    caplog.set_level(logging.DEBUG)
    with time_machine.travel(T0, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            send(final_case)  # the new request: the SENT event → a delivery → the task, after the commit
        delivery = WebhookDelivery.objects.get()
        assert (delivery.state, delivery.attempts, delivery.last_status_code) == (WebhookDeliveryState.RETRYING, 1, 500)
        assert delivery.next_attempt_at == T0 + retry_delay(1)
        with django_capture_on_commit_callbacks(execute=True):
            assert requeue_webhooks() == 0  # not due yet: the back-off holds
    assert len(tool.requests) == 1

    later = T0 + retry_delay(1) + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert requeue_webhooks() == 1  # the beat hands the due retry to a worker
        delivery.refresh_from_db()
        assert (delivery.state, delivery.attempts, delivery.last_status_code) == (WebhookDeliveryState.DELIVERED, 2, 200)
        assert delivery.delivered_at == later
        # Delivered exactly once: the task again, or the beat again, sends nothing more.
        assert deliver_webhook(delivery.pk) == WebhookDeliveryState.DELIVERED
        with django_capture_on_commit_callbacks(execute=True):
            assert requeue_webhooks() == 0
    assert len(tool.requests) == 2

    headers, body = tool.requests[1]
    fields = signature_fields(headers["x-portal-signature"])
    assert fields["t"] == str(int(later.timestamp()))
    assert hmac.compare_digest(fields["v1"], expected_signature(webhook.secret, fields["t"], body))
    payload = json.loads(body)
    assert headers["x-portal-event-id"] == tool.requests[0][0]["x-portal-event-id"] == payload["id"]
    assert headers["content-type"].startswith("application/json")
    assert payload["type"] == "case.event"
    assert payload["case"]["reference"] == final_case.reference
    assert payload["event"]["kind"] == EventKind.SENT
    # Never the secret or the payload in the logs.
    assert webhook.secret not in caplog.text and final_case.reference not in caplog.text

    # Re-sent from the page: delivered again, with the same event id.
    login(client, admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dpo:webhook-resend", args=[delivery.pk]))
    assert response.status_code == 302
    assert len(tool.requests) == 3
    assert tool.requests[2][0]["x-portal-event-id"] == payload["id"]
    assert json.loads(tool.requests[2][1]) == payload
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (WebhookDeliveryState.DELIVERED, 1)


def test_it_posts_every_later_event_too(admin, team, sent_case, receiver, eager_celery,
                                        django_capture_on_commit_callbacks):
    tool = receiver(statuses=())
    webhook_create(team=team, url=tool.url, actor=admin)
    with django_capture_on_commit_callbacks(execute=True):
        case_record_event(case=sent_case, kind=EventKind.ACKNOWLEDGED, on=SENT_ON + timedelta(days=2),
                          actor=sent_case.owner, today=SENT_ON + timedelta(days=3))
    assert [json.loads(body)["event"]["kind"] for _, body in tool.requests] == [EventKind.ACKNOWLEDGED]
    assert WebhookDelivery.objects.get().state == WebhookDeliveryState.DELIVERED


def test_it_does_not_follow_redirects_and_counts_them_as_failures(admin, team, final_case, receiver, eager_celery,
                                                                 django_capture_on_commit_callbacks):
    tool = receiver(statuses=(302,))
    webhook_create(team=team, url=tool.url, actor=admin)
    with django_capture_on_commit_callbacks(execute=True):
        send(final_case)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.last_status_code) == (WebhookDeliveryState.RETRYING, 302)
    assert len(tool.requests) == 1  # the Location was not visited


def test_it_does_not_post_to_a_name_that_now_points_into_a_private_network(admin, team, final_case, monkeypatch):
    import socket

    webhook_create(team=team, url="https://dsar.acme.example/hook", actor=admin)
    send(final_case)
    delivery = WebhookDelivery.objects.get()
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 0))])
    assert deliver_webhook(delivery.pk) == WebhookDeliveryState.RETRYING
    delivery.refresh_from_db()
    assert delivery.last_status_code is None and "public internet address" in delivery.last_error


def test_a_receiver_that_is_down_is_retried_and_the_error_names_no_payload(admin, team, final_case, receiver):
    tool = receiver()
    url = tool.url
    tool.close()  # nothing listens on the port any more
    webhook_create(team=team, url=url, actor=admin)
    send(final_case)
    delivery = WebhookDelivery.objects.get()
    assert deliver_webhook(delivery.pk) == WebhookDeliveryState.RETRYING
    delivery.refresh_from_db()
    assert delivery.last_status_code is None and delivery.last_error.startswith("URLError")
    assert final_case.reference not in delivery.last_error


def test_it_gives_up_after_the_last_attempt(admin, team, final_case, receiver):
    tool = receiver(statuses=(503,) * MAX_ATTEMPTS)
    webhook_create(team=team, url=tool.url, actor=admin)
    with time_machine.travel(T0, tick=True) as traveller:
        send(final_case)
        delivery = WebhookDelivery.objects.get()
        for _ in range(MAX_ATTEMPTS):
            deliver_webhook(delivery.pk)
            delivery.refresh_from_db()
            if delivery.next_attempt_at:
                traveller.move_to(delivery.next_attempt_at + timedelta(seconds=1))
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == (WebhookDeliveryState.FAILED, MAX_ATTEMPTS, None)
    assert deliver_webhook(delivery.pk) == WebhookDeliveryState.FAILED
    assert len(tool.requests) == MAX_ATTEMPTS


def test_it_claims_a_delivery_once_and_requeues_one_a_dead_worker_left_sending(admin, team, final_case, receiver,
                                                                             settings):
    settings.OUTBOX_STALE_SECONDS = 60
    tool = receiver(statuses=())
    webhook_create(team=team, url=tool.url, actor=admin)
    with time_machine.travel(T0, tick=False):
        send(final_case)
        delivery = WebhookDelivery.objects.get()
        WebhookDelivery.objects.filter(pk=delivery.pk).update(state=WebhookDeliveryState.SENDING, claimed_at=T0)
        assert deliver_webhook(delivery.pk) == WebhookDeliveryState.SENDING  # someone else is sending it
    assert tool.requests == []
    with time_machine.travel(T0 + timedelta(seconds=61), tick=False):
        assert deliver_webhook(delivery.pk) == WebhookDeliveryState.DELIVERED
    assert len(tool.requests) == 1


# --- Who hears about which case -----------------------------------------------------------------------------


def test_it_never_creates_a_delivery_for_a_case_the_team_may_not_see(admin, team, other_team, final_case, draft_case,
                                                                   receiver, team_member):
    tool = receiver(statuses=())
    webhook_create(team=other_team, url=tool.url, actor=admin)  # covers other_employer, not the case's employer
    unverified = EmployerTeam.objects.create(name="Unverified claimants")
    unverified.employers.add(final_case.employer)
    team_member(make_account("eve@acme.example", Role.DPO), unverified, role=TeamRole.ADMIN, verified=False)
    webhook_create(team=unverified, url=tool.url + "?u", actor=admin)
    send(final_case)
    assert not WebhookDelivery.objects.exists()
    assert tool.requests == []


def test_it_sends_nothing_for_drafts_or_once_the_employee_withdrew_the_employers_access(admin, team, final_case):
    webhook_create(team=team, url="https://dsar.acme.example/hook", actor=admin)
    final_case.employer_may_answer = False
    final_case.save(update_fields=["employer_may_answer"])
    send(final_case)  # sent, but the employee said no to answering online
    assert not WebhookDelivery.objects.exists()


def test_a_request_a_team_recorded_is_told_to_that_team_only(admin, team, employer, team_member):
    """A case recorded by a team (no employee account) is that team's alone (cases.access): another team that
    also covers the employer hears nothing of it."""
    from datetime import date

    from deletion_portal.dpo.services import case_record_received_elsewhere

    group = EmployerTeam.objects.create(name="Group privacy office")
    group.employers.add(employer)
    group_admin = make_account("group@acme.example", Role.DPO)
    team_member(group_admin, group, role=TeamRole.ADMIN)
    own = webhook_create(team=team, url="https://dsar.acme.example/hook", actor=admin)
    webhook_create(team=group, url="https://dsar.group.example/hook", actor=group_admin)
    case_record_received_elsewhere(team=team, actor=admin, employer=employer, requester_name="Rae Requester",
                                   rights=["access"], law_key="eu-gdpr", region="DE-BY",
                                   received_on=date(2025, 6, 2), channel="email", today=date(2025, 6, 3))
    assert set(WebhookDelivery.objects.values_list("webhook", flat=True)) == {own.pk}


def test_it_tells_a_team_that_claimed_the_case(admin, other_team, final_case, team_member):
    other_admin = make_account("root@rival.example", Role.DPO)
    team_member(other_admin, other_team, role=TeamRole.ADMIN)
    webhook = webhook_create(team=other_team, url="https://dsar.rival.example/hook", actor=other_admin)
    CaseClaim.objects.create(case=final_case, team=other_team, claimed_by=other_admin)
    send(final_case)
    assert list(WebhookDelivery.objects.values_list("webhook", flat=True)) == [webhook.pk]


def test_a_paused_webhook_gets_nothing(admin, team, final_case):
    webhook = webhook_create(team=team, url="https://dsar.acme.example/hook", actor=admin)
    Webhook.objects.filter(pk=webhook.pk).update(active=False)
    send(final_case)
    assert not WebhookDelivery.objects.exists()


def test_the_payload_has_the_documented_fields_and_no_account_email(admin, team, owner, final_case):
    webhook_create(team=team, url="https://dsar.acme.example/hook", actor=admin)
    send(final_case)
    payload = WebhookDelivery.objects.get().payload
    assert set(payload) == {"id", "type", "created", "case", "event"}
    assert set(payload["case"]) == {"id", "reference", "law", "rights", "received_on", "respond_by", "status"}
    assert set(payload["event"]) == {"kind", "on", "source", "team"}
    assert payload["case"]["respond_by"] == "2025-06-02"  # GDPR Art. 12(3): one month from 2 May 2025
    body = webhook_body(payload).decode()
    assert owner.email not in body and final_case.requester_name not in body


# --- The URL rule and the signature ---------------------------------------------------------------------------

URLS = [
    ("https://dsar.example.com/hook", True, True),
    ("https://dsar.example.com:8443/hook?x=1", True, True),
    ("http://dsar.example.com/hook", False, False),          # HTTPS only
    ("ftp://dsar.example.com/hook", False, False),
    ("https://user:pw@dsar.example.com/hook", False, False),  # no credentials in the URL
    ("https://10.0.0.5/hook", False, False),                  # private ranges: never into the portal's network
    ("https://169.254.169.254/latest", False, False),         # link-local (cloud metadata)
    ("https://localhost/hook", False, True),
    ("http://127.0.0.1:8123/hook", False, True),              # the local allowance (DEBUG, tests) only
    ("http://localhost:8123/hook", False, True),
    ("http://[::1]:8123/hook", False, True),
    ("http://127.0.0.2/hook", False, False),
    ("not a url", False, False),
]


@pytest.mark.parametrize(("url", "strict", "local"), URLS, ids=[u for u, *_ in URLS])
def test_the_url_rule(settings, url, strict, local):
    for allowance, ok in ((False, strict), (True, local)):
        settings.WEBHOOK_ALLOW_LOCAL_HTTP = allowance
        if ok:
            assert webhook_url_clean(url) == url
        else:
            with pytest.raises(ValidationError):
                webhook_url_clean(url)


def test_the_signature_fails_with_a_wrong_secret_a_changed_body_or_an_old_timestamp():
    body = b'{"id":"evt_1"}'
    header = webhook_signature(secret="whsec_right", body=body, timestamp=1_700_000_000)
    assert webhook_signature_valid(secret="whsec_right", body=body, header=header, now=1_700_000_010)
    assert not webhook_signature_valid(secret="whsec_wrong", body=body, header=header, now=1_700_000_010)
    assert not webhook_signature_valid(secret="whsec_right", body=body + b" ", header=header, now=1_700_000_010)
    assert not webhook_signature_valid(secret="whsec_right", body=body, header=header, now=1_700_000_000 + 301)
    assert not webhook_signature_valid(secret="whsec_right", body=body, header="garbage", now=1_700_000_000)


def test_a_secret_has_at_least_32_random_bytes(admin, team):
    one = webhook_create(team=team, url="https://a.example/hook", actor=admin)
    two = webhook_create(team=team, url="https://b.example/hook", actor=admin)
    assert len(bytes.fromhex(one.secret.removeprefix("whsec_"))) >= 32
    assert one.secret != two.secret


# --- The page ---------------------------------------------------------------------------------------------------


def test_an_admin_registers_a_webhook_and_sees_the_secret_once(client, admin, team):
    login(client, admin)
    response = client.post(reverse("dpo:webhooks"), {"url": "https://dsar.acme.example/hook"})
    webhook = Webhook.objects.get()
    assert response.status_code == 200 and webhook.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert (webhook.team, webhook.created_by) == (team, admin)
    assert TeamAuditEntry.objects.filter(team=team, details__change="webhook_added").exists()
    page = client.get(reverse("dpo:webhooks"))
    assert page.status_code == 200 and webhook.secret not in page.content.decode()
    assert "https://dsar.acme.example/hook" in page.content.decode()


def test_the_page_refuses_a_plain_http_url(client, admin, settings):
    settings.WEBHOOK_ALLOW_LOCAL_HTTP = False
    login(client, admin)
    response = client.post(reverse("dpo:webhooks"), {"url": "http://dsar.acme.example/hook"})
    assert response.status_code == 400 and "HTTPS only" in response.content.decode()
    assert not Webhook.objects.exists()


def test_an_admin_rolls_the_secret_and_removes_the_webhook(client, admin, team):
    webhook = webhook_create(team=team, url="https://dsar.acme.example/hook", actor=admin)
    old = webhook.secret
    login(client, admin)
    response = client.post(reverse("dpo:webhook-roll", args=[webhook.pk]))
    webhook.refresh_from_db()
    assert webhook.secret != old and webhook.secret in response.content.decode()
    response = client.post(reverse("dpo:webhook-remove", args=[webhook.pk]))
    assert response.status_code == 302 and not Webhook.objects.exists()
    changes = set(TeamAuditEntry.objects.filter(team=team).values_list("details__change", flat=True))
    assert {"webhook_added", "webhook_secret_rolled", "webhook_removed"} <= changes


def test_another_teams_admin_cannot_touch_a_webhook_or_its_deliveries(client, admin, team, other_team, team_member,
                                                                     final_case):
    webhook = webhook_create(team=team, url="https://dsar.acme.example/hook", actor=admin)
    send(final_case)
    delivery = WebhookDelivery.objects.get()
    secret = webhook.secret
    rival = make_account("root@rival.example", Role.DPO)
    team_member(rival, other_team, role=TeamRole.ADMIN)
    login(client, rival)
    assert client.get(reverse("dpo:webhooks")).status_code == 200
    assert webhook.url not in client.get(reverse("dpo:webhooks")).content.decode()
    for name, pk in (("dpo:webhook-roll", webhook.pk), ("dpo:webhook-remove", webhook.pk),
                     ("dpo:webhook-resend", delivery.pk)):
        assert client.post(reverse(name, args=[pk])).status_code == 404
    webhook.refresh_from_db()
    delivery.refresh_from_db()
    assert webhook.secret == secret and (delivery.state, delivery.attempts) == (WebhookDeliveryState.QUEUED, 0)
