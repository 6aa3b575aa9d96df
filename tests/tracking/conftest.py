"""Fixtures for tracking (the owner and the employer come from the shared base): a case sent outside the portal, and a recorder of the
Celery tasks the sweep enqueues (their ``delay`` is replaced; nothing is published)."""

from __future__ import annotations

import pytest
import time_machine
from django.db import transaction

from deletion_portal.cases.models import CaseEvent, EventKind
from deletion_portal.cases.services import case_create, case_recompute, case_record_event
from tests.support.data import CASE_FIELDS, TODAY


@pytest.fixture(autouse=True)
def _mail_and_hashers(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = "https://portal.example"


@pytest.fixture
def frozen():
    with time_machine.travel(f"{TODAY.isoformat()} 10:00:00Z", tick=False) as traveller:
        yield traveller


@pytest.fixture
def make_case(owner, employer):
    def make(**fields):
        return case_create(owner=owner, employer=employer, sent_outside_portal=True, **{**CASE_FIELDS, **fields})

    return make


@pytest.fixture
def record():
    def rec(case, kind, on, **details):
        return case_record_event(case=case, kind=kind, on=on, details=details or None)

    return rec


@pytest.fixture
def follow_up_sent():
    """A follow-up letter sent on ``on`` (recorded directly: the letter flow is another module's)."""

    def send(case, on):
        with transaction.atomic():
            CaseEvent.objects.create(case=case, kind=EventKind.SENT, on=on,
                                     details={"channel": "email", "letter_kind": "follow_up"})
            case_recompute(case=case)

    return send


class TaskRecorder:
    def __init__(self):
        self.calls: dict[str, list] = {}

    def __call__(self, name):
        def delay(*args, **kwargs):
            self.calls.setdefault(name, []).append(args[0] if args else kwargs)

        return delay

    def ids(self, name) -> list[int]:
        return [i for call in self.calls.get(name, []) for i in call]


@pytest.fixture
def tasks(monkeypatch):
    """Replace ``delay`` of the tasks the sweep enqueues; ``tasks.ids(name)`` lists what was asked."""
    from deletion_portal.core.tasks import deliver_outbox_batch, deliver_outbox_message
    from deletion_portal.tracking.tasks import draft_complaints, draft_follow_ups

    recorder = TaskRecorder()
    for name, task in (("deliver_outbox_batch", deliver_outbox_batch), ("deliver_outbox_message", deliver_outbox_message),
                       ("draft_follow_ups", draft_follow_ups), ("draft_complaints", draft_complaints)):
        monkeypatch.setattr(task, "delay", recorder(name))
    return recorder
