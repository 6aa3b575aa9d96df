"""The webhooks API (/api/v1/employer/webhooks…): what a team admin's script can do, and the secret's one
showing. Access for every role is in the URL access audit (tests/security/test_access_audit.py)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from deletion_portal.accounts.models import Role
from deletion_portal.cases.models import EventKind
from deletion_portal.cases.services import case_record_event
from deletion_portal.dpo.models import Webhook, WebhookDelivery, WebhookDeliveryState
from deletion_portal.employers.models import TeamRole
from tests.support.data import SENT_ON
from tests.support.world import login, make_account

pytestmark = pytest.mark.django_db
BASE = "/api/v1/employer/webhooks"


@pytest.fixture
def admin(team, team_member):
    user = make_account("ada.admin@acme.example", Role.DPO, "Ada Admin")
    team_member(user, team, role=TeamRole.ADMIN)
    return user


@pytest.fixture
def api(admin):
    return login(APIClient(), admin)


def test_it_registers_a_webhook_and_shows_the_secret_only_in_that_answer(api, team):
    created = api.post(BASE, {"url": "https://dsar.acme.example/hook"}, format="json")
    assert created.status_code == 201
    webhook = Webhook.objects.get()
    assert created.json()["secret"] == webhook.secret and created.json()["team"] == team.pk
    listed = api.get(BASE)
    assert listed.status_code == 200
    assert [w["url"] for w in listed.json()] == ["https://dsar.acme.example/hook"]
    assert "secret" not in listed.json()[0] and webhook.secret not in listed.content.decode()


def test_it_refuses_a_plain_http_url_with_the_rule(api, settings):
    settings.WEBHOOK_ALLOW_LOCAL_HTTP = False
    response = api.post(BASE, {"url": "http://dsar.acme.example/hook"}, format="json")
    assert response.status_code == 400 and "HTTPS only" in response.json()["url"][0]
    assert not Webhook.objects.exists()


def test_it_rolls_lists_resends_and_removes(api, final_case):
    webhook_id = api.post(BASE, {"url": "https://dsar.acme.example/hook"}, format="json").json()["id"]
    old = Webhook.objects.get().secret
    rolled = api.post(f"{BASE}/{webhook_id}/roll")
    assert rolled.status_code == 200 and rolled.json()["secret"] == Webhook.objects.get().secret != old

    case_record_event(case=final_case, kind=EventKind.SENT, on=SENT_ON, actor=final_case.owner,
                      details={"channel": "email"}, today=SENT_ON)
    WebhookDelivery.objects.update(state=WebhookDeliveryState.FAILED, attempts=8)
    deliveries = api.get(f"{BASE}/deliveries", {"state": "failed"})
    assert deliveries.status_code == 200
    [row] = deliveries.json()
    assert (row["webhook"], row["case"], row["state"], row["attempts"]) == (webhook_id, final_case.pk, "failed", 8)
    assert "payload" not in row
    assert api.get(f"{BASE}/deliveries", {"state": "nonsense"}).status_code == 400

    resent = api.post(f"{BASE}/deliveries/{row['id']}/resend")
    assert resent.status_code == 202
    assert (resent.json()["event_id"], resent.json()["state"], resent.json()["attempts"]) == (row["event_id"], "queued", 0)

    assert api.delete(f"{BASE}/{webhook_id}").status_code == 204
    assert not Webhook.objects.exists() and not WebhookDelivery.objects.exists()


def test_a_responder_gets_a_404(client, dpo):
    api = login(APIClient(), dpo)
    assert api.get(BASE).status_code == 404
    assert api.post(BASE, {"url": "https://dsar.acme.example/hook"}, format="json").status_code == 404
    assert not Webhook.objects.exists()
