"""/healthz: the database answers, and the worker ran the beat-scheduled heartbeat recently."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from deletion_portal.core.models import Heartbeat
from deletion_portal.core.services import heartbeat_record

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


def test_it_reports_the_database_ok_and_the_worker_stale_without_a_heartbeat(client):
    response = client.get(reverse("core:healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"database": "ok", "worker": "stale", "last_heartbeat": None}


def test_it_reports_the_worker_ok_right_after_a_heartbeat(client):
    with time_machine.travel(NOW, tick=False):
        heartbeat_record(name="worker")
        body = client.get(reverse("core:healthz")).json()

    assert body["database"] == "ok"
    assert body["worker"] == "ok"
    assert datetime.fromisoformat(body["last_heartbeat"]) == NOW


def test_it_reports_the_worker_stale_again_after_three_missed_intervals(client):
    interval = timedelta(seconds=settings.HEARTBEAT_INTERVAL_SECONDS)
    with time_machine.travel(NOW, tick=False):
        heartbeat_record(name="worker")

    with time_machine.travel(NOW + 3 * interval, tick=False):
        assert client.get(reverse("core:healthz")).json()["worker"] == "ok"

    with time_machine.travel(NOW + 3 * interval + timedelta(seconds=1), tick=False):
        body = client.get(reverse("core:healthz")).json()
    assert body["worker"] == "stale"
    assert datetime.fromisoformat(body["last_heartbeat"]) == NOW


def test_it_only_counts_the_worker_heartbeat(client):
    with time_machine.travel(NOW, tick=False):
        heartbeat_record(name="something-else")
        assert client.get(reverse("core:healthz")).json()["worker"] == "stale"


def test_it_updates_one_row_per_name():
    with time_machine.travel(NOW, tick=False):
        heartbeat_record(name="worker")
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        beat = heartbeat_record(name="worker")

    assert Heartbeat.objects.filter(name="worker").count() == 1
    assert beat.beat_at == NOW + timedelta(minutes=1)


def test_it_answers_only_get(client):
    assert client.post(reverse("core:healthz")).status_code == 405
