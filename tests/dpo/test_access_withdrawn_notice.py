"""Withdrawing the employer's online access tells the team: when the employee withdraws
(``cases.services.case_set_employer_may_answer``, the case page's ``cases:employer-access``), every team that
could see the case (covering its employer, or holding a claim) gets one email for its verified responders and
admins, through the outbox (one key per case, team and event): online access ended, the legal deadline still
runs, answer by email or post to the requester's address from the letter. The recipients are found although
the access is already gone (the dpo receiver of ``cases.signals.case_changed`` runs after the flag is off)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deletion_portal.accounts.models import Role
from deletion_portal.cases.models import CaseEvent, EventKind
from deletion_portal.cases.services import case_set_employer_may_answer
from deletion_portal.core.models import OutboxMessage
from deletion_portal.dpo.models import CaseClaim
from deletion_portal.dpo.services import employer_access_withdrawn_notify
from deletion_portal.employers.models import EmployerTeam, TeamRole
from tests.support.world import login, make_account

pytestmark = pytest.mark.django_db

KEY_PREFIX = "employer-access-withdrawn:"


def notices(case=None):
    rows = OutboxMessage.objects.filter(key__startswith=KEY_PREFIX)
    if case is not None:
        rows = rows.filter(key__startswith=f"{KEY_PREFIX}{case.pk}:")
    return list(rows.order_by("key"))


@pytest.fixture
def members(team, team_member, dpo):
    """The case employer's team: ``dpo`` (verified responder), an admin, a viewer and an unverified responder."""
    admin = make_account("admin@acme.example", Role.DPO, "Ada Admin")
    viewer = make_account("viewer@acme.example", Role.DPO, "Vic Viewer")
    pending = make_account("pending@acme.example", Role.DPO, "Pia Pending")
    team_member(admin, team, role=TeamRole.ADMIN)
    team_member(viewer, team, role=TeamRole.VIEWER)
    team_member(pending, team, verified=False)
    return {"dpo": dpo, "admin": admin, "viewer": viewer, "pending": pending}


def test_the_owners_withdrawal_emails_the_teams_responders_and_admins(client, owner, sent_case, team, members):
    response = login(client, owner).post(reverse("cases:employer-access", args=[sent_case.pk]), {"allow": "no"})
    assert response.status_code == 302
    sent = notices(sent_case)
    assert len(sent) == 1
    message = sent[0]
    assert sorted(message.to) == ["admin@acme.example", "dpo@acme.example"]  # no viewer, no unverified member
    event = CaseEvent.objects.get(case=sent_case, kind=EventKind.EMPLOYER_ACCESS_WITHDRAWN)
    assert message.key == f"{KEY_PREFIX}{sent_case.pk}:{team.pk}:{event.pk}"
    assert sent_case.reference in message.subject and "deadline still runs" in message.subject
    sent_case.refresh_from_db()
    body = " ".join(message.body.split())
    assert "withdrew" in body and "legal deadline still runs" in body
    assert "by email or post" in body
    assert sent_case.respond_by.strftime("%-d %B %Y") in body
    assert "olive@mail.example" in body and "Gartenweg 5" in body  # the requester's address from the letter
    assert team.name in body


def test_the_employee_does_not_see_the_teams_notice_on_the_case_page(client, owner, sent_case, members):
    login(client, owner).post(reverse("cases:employer-access", args=[sent_case.pk]), {"allow": "no"})
    message = notices(sent_case)[0]
    assert message.topic != f"case:{sent_case.pk}"  # the case page lists the case's own outbox
    page = client.get(reverse("cases:detail", args=[sent_case.pk])).content.decode()
    assert "dpo@acme.example" not in page and message.subject not in page


def test_a_team_that_claimed_the_case_is_told_too_and_an_unrelated_team_is_not(owner, sent_case, team, dpo,
                                                                                other_team, other_dpo, team_member):
    CaseClaim.objects.create(case=sent_case, team=other_team, claimed_by=other_dpo)
    unrelated = EmployerTeam.objects.create(name="Nobody's office")
    team_member(make_account("nobody@else.example", Role.DPO, "Ned Nobody"), unrelated)
    case_set_employer_may_answer(case=sent_case, allowed=False, actor=owner)
    by_team = {m.key.split(":")[2]: m.to for m in notices(sent_case)}
    assert by_team == {str(team.pk): ["dpo@acme.example"], str(other_team.pk): ["dpo@rival.example"]}


def test_it_is_one_email_per_team_and_event(owner, sent_case, team, dpo):
    case_set_employer_may_answer(case=sent_case, allowed=False, actor=owner)
    event = CaseEvent.objects.get(case=sent_case, kind=EventKind.EMPLOYER_ACCESS_WITHDRAWN)
    assert employer_access_withdrawn_notify(case=sent_case, event=event) == 1  # again: the outbox key holds
    assert len(notices(sent_case)) == 1
    # Giving it again tells nobody; withdrawing again is a new event, so a new notice.
    case_set_employer_may_answer(case=sent_case, allowed=True, actor=owner)
    assert len(notices(sent_case)) == 1
    case_set_employer_may_answer(case=sent_case, allowed=False, actor=owner)
    assert len(notices(sent_case)) == 2


def test_choosing_what_is_already_chosen_tells_nobody(owner, sent_case, dpo):
    case_set_employer_may_answer(case=sent_case, allowed=True, actor=owner)
    assert notices() == []


def test_an_unsent_case_was_never_seen_by_a_team_and_tells_nobody(owner, final_case, dpo):
    case_set_employer_may_answer(case=final_case, allowed=False, actor=owner)
    assert CaseEvent.objects.filter(case=final_case, kind=EventKind.EMPLOYER_ACCESS_WITHDRAWN).exists()
    assert notices() == []


def test_the_withdrawal_is_announced_on_case_changed(owner, sent_case):
    from deletion_portal.cases.signals import case_changed

    heard = []

    def listener(sender, *, case, event, **kwargs):
        heard.append(event.kind if event else None)

    case_changed.connect(listener, dispatch_uid="test.withdrawal")
    try:
        case_set_employer_may_answer(case=sent_case, allowed=False, actor=owner)
    finally:
        case_changed.disconnect(dispatch_uid="test.withdrawal")
    assert heard == [EventKind.EMPLOYER_ACCESS_WITHDRAWN]
