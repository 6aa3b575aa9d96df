"""The team's reminders (7 days and 1 day before each respond-by date, and when it passes) go to the
case's assignee, or to the team's responders and admins when nobody is assigned; the employee's own
reminders are unchanged. The weekly digest: one per member and ISO week, however often the task runs."""

from __future__ import annotations

from datetime import date, datetime
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.conf import settings

from deletion_portal.accounts.models import Role
from deletion_portal.core.models import OutboxMessage
from deletion_portal.dpo.models import CaseAssignment
from deletion_portal.dpo.services import team_digests_send
from deletion_portal.dpo.tasks import weekly_digest
from deletion_portal.employers.models import TeamRole
from deletion_portal.tracking.sweep import sweep
from tests.support.world import make_account

pytestmark = pytest.mark.django_db

# sent_case: emailed 2 May 2025, GDPR Art. 12(3) → respond by Monday 2 June 2025
DUE_IN_7, DUE_TOMORROW, PASSED = date(2025, 5, 26), date(2025, 6, 1), date(2025, 6, 3)


@pytest.fixture(autouse=True)
def _fast(isolated_media):
    with time_machine.travel(datetime(2025, 5, 2, 12, tzinfo=dt_timezone.utc), tick=False):  # the day it is sent
        yield


@pytest.fixture
def rita(team, team_member):
    user = make_account("rita@acme.example", Role.DPO, "Rita Responder")
    team_member(user, team, role=TeamRole.RESPONDER)
    return user


def run(day: date):
    with time_machine.travel(datetime.combine(day, datetime.min.time(), tzinfo=dt_timezone.utc), tick=False):
        sweep(today=day)


def recipients(day_messages):
    return sorted(addr for m in day_messages for addr in m.to)


def test_an_unassigned_case_reminds_the_teams_responders_and_the_employee(sent_case, dpo, rita, other_dpo):
    run(DUE_IN_7)
    messages = list(OutboxMessage.objects.all())
    assert recipients(messages) == sorted([dpo.email, rita.email, sent_case.requester_email])
    team_mail = [m for m in messages if dpo.email in m.to]
    assert "no assignee" in team_mail[0].body


def test_an_assigned_case_reminds_the_assignee_only(sent_case, dpo, rita, team):
    CaseAssignment.objects.create(case=sent_case, team=team, assignee=rita)
    for day in (DUE_IN_7, DUE_TOMORROW, PASSED):
        run(day)
    team_mail = [m for m in OutboxMessage.objects.order_by("pk") if sent_case.requester_email not in m.to]
    assert [m.to for m in team_mail] == [[rita.email]] * 3
    assert "You are assigned" in team_mail[0].body
    assert "tomorrow" in team_mail[1].subject and "OVERDUE" in team_mail[2].subject


def test_a_second_sweep_sends_nothing_twice(sent_case, dpo):
    run(DUE_IN_7)
    count = OutboxMessage.objects.count()
    run(DUE_IN_7)
    assert OutboxMessage.objects.count() == count


def test_a_case_the_employee_keeps_from_the_employer_reminds_no_team(sent_case, dpo):
    sent_case.employer_may_answer = False
    sent_case.save(update_fields=["employer_may_answer"])
    run(DUE_IN_7)
    assert recipients(OutboxMessage.objects.all()) == [sent_case.requester_email]


def test_the_weekly_digest_is_once_per_member_and_week(sent_case, dpo, rita, team, team_member):
    viewer = make_account("viewer@acme.example", Role.DPO)
    team_member(viewer, team, role=TeamRole.VIEWER)
    with time_machine.travel(datetime(2025, 5, 28, 8, tzinfo=dt_timezone.utc), tick=False):
        assert weekly_digest() == 2
        weekly_digest()
    digests = list(OutboxMessage.objects.filter(key__startswith="digest:"))
    assert recipients(digests) == sorted([dpo.email, rita.email])
    assert "1 open request" in digests[0].subject and "2025-W22" in digests[0].subject
    assert sent_case.reference in digests[0].body and "Due within 7 days" in digests[0].body
    assert team_digests_send(today=date(2025, 6, 4)) == 2  # the next week: a new digest
    assert "Overdue (1)" in OutboxMessage.objects.filter(key__contains="2025-W23").first().body


def test_the_digest_is_on_the_beat():
    assert settings.CELERY_BEAT_SCHEDULE["dpo-weekly-digest"]["task"] == "dpo.weekly_digest"


def test_a_team_that_claimed_the_case_is_reminded_and_has_it_in_its_digest(sent_case, other_dpo, other_team):
    """A claim with the case access code reaches the case like covering the employer (cases.access, dpo.access):
    the claiming team's responders get the reminders and see the case in their weekly digest."""
    from deletion_portal.dpo.models import CaseClaim

    CaseClaim.objects.create(case=sent_case, team=other_team, claimed_by=other_dpo)
    run(DUE_IN_7)
    assert other_dpo.email in recipients(OutboxMessage.objects.all())
    team_digests_send(today=date(2025, 5, 28))
    digest = OutboxMessage.objects.get(key__startswith=f"digest:{other_team.pk}:")
    assert sent_case.reference in digest.body
