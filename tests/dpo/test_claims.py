"""Claiming a case with the case access code (reference + secret from the request letter or email):
``POST /api/v1/employer/claims`` and the page ``/employer/claim``, for verified responders/admins of any
team. Constant-time comparison, throttled per IP and per reference, never logged, never in a URL; a wrong
code and an unknown reference answer the same. A claim is a timeline event the employee sees and an email."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from deletion_portal.accounts.models import Role
from deletion_portal.cases.access import Need, case_get_for, cases_visible_to
from deletion_portal.cases.letters import case_access_code
from deletion_portal.cases.models import EventKind, EventSource
from deletion_portal.core.models import OutboxMessage
from deletion_portal.dpo import claims as services
from deletion_portal.dpo.claims import ClaimRefused, case_claim
from deletion_portal.dpo.models import CaseClaim
from deletion_portal.employers.models import EmployerTeam, TeamRole
from tests.support.world import login, make_account

pytestmark = pytest.mark.django_db

URL = "/api/v1/employer/claims"


@pytest.fixture
def api():
    return APIClient()


def claim(client, case, code, **extra):
    return client.post(URL, {"reference": case.reference, "code": code, **extra}, format="json")


def test_the_urls_are_named():
    assert reverse("api-v1:employer-claims") == URL
    assert reverse("dpo:claim") == "/employer/claim"


def test_a_verified_responder_of_another_team_claims_a_sent_case(api, sent_case, other_dpo, other_team):
    with pytest.raises(Exception):  # noqa: B017 - a 404 before the claim
        case_get_for(other_dpo, sent_case.pk, need=Need.VIEW)
    response = claim(login(api, other_dpo), sent_case, case_access_code(sent_case))
    assert response.status_code == 201, response.content
    assert response.json() | {"claimed_at": None} == {
        "case_id": sent_case.pk, "reference": sent_case.reference, "team": other_team.pk,
        "team_name": other_team.name, "claimed_at": None, "visible": True}
    assert CaseClaim.objects.filter(case=sent_case, team=other_team, claimed_by=other_dpo).count() == 1
    access = case_get_for(other_dpo, sent_case.pk, need=Need.RESPOND).access
    assert access.via == other_team and access.role == TeamRole.RESPONDER
    assert list(cases_visible_to(other_dpo, need=Need.VIEW)) == [sent_case]
    # The employee sees it on the timeline, from the employer side, with the team; and is told by email.
    event = sent_case.events.get(kind=EventKind.CLAIMED)
    assert (event.source, event.team, event.actor) == (EventSource.EMPLOYER, other_team, other_dpo)
    assert event.details == {"team": other_team.name, "role": TeamRole.RESPONDER}
    mail = OutboxMessage.objects.get(topic="case_claimed")
    assert mail.to == [sent_case.owner.email] and other_team.name in mail.body
    assert sent_case.access_secret not in mail.body


def test_claiming_twice_keeps_one_claim_and_one_event(api, sent_case, other_dpo):
    login(api, other_dpo)
    for _ in range(2):
        assert claim(api, sent_case, case_access_code(sent_case)).status_code == 201
    assert CaseClaim.objects.count() == 1 and sent_case.events.filter(kind=EventKind.CLAIMED).count() == 1


@pytest.mark.parametrize("typed", ["lower", "compact", "secret_only", "spaced"])
def test_the_code_may_be_typed_loosely(api, sent_case, other_dpo, typed):
    code = case_access_code(sent_case)
    given = {"lower": code.lower(), "compact": code.replace("-", ""), "secret_only": sent_case.access_secret,
             "spaced": code.replace("-", " ")}[typed]
    assert claim(login(api, other_dpo), sent_case, given).status_code == 201


def test_a_wrong_code_and_an_unknown_reference_answer_the_same(api, sent_case, other_dpo):
    login(api, other_dpo)
    wrong = claim(api, sent_case, sent_case.reference + "-AAAA-AAAA-AAAA-AAAA")
    unknown = api.post(URL, {"reference": "DP-2222-3333", "code": case_access_code(sent_case)}, format="json")
    garbage = api.post(URL, {"reference": "nonsense", "code": "x"}, format="json")
    assert wrong.status_code == unknown.status_code == garbage.status_code == 400
    assert wrong.json() == unknown.json() == garbage.json() == {"detail": services.WRONG_CODE}
    assert not CaseClaim.objects.exists()


def test_failures_are_throttled_per_ip(api, sent_case, other_dpo):
    login(api, other_dpo)
    for n in range(services.CLAIM_FAILURES_ALLOWED):  # guessing at other references
        response = api.post(URL, {"reference": f"DP-2222-{n:04d}", "code": "WRONG"}, format="json",
                            REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 400
    # Now even the right code for another case is refused from that address …
    response = api.post(URL, {"reference": sent_case.reference, "code": case_access_code(sent_case)}, format="json",
                        REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429 and not CaseClaim.objects.exists()
    # … but not from another address.
    response = api.post(URL, {"reference": sent_case.reference, "code": case_access_code(sent_case)}, format="json",
                        REMOTE_ADDR="198.51.100.1")
    assert response.status_code == 201, response.json()


def test_failures_are_throttled_per_case_whatever_the_address(api, sent_case, other_dpo):
    login(api, other_dpo)
    for n in range(services.CLAIM_FAILURES_ALLOWED):
        api.post(URL, {"reference": sent_case.reference, "code": "WRONG"}, format="json", REMOTE_ADDR=f"10.0.0.{n}")
    response = api.post(URL, {"reference": sent_case.reference.lower(), "code": case_access_code(sent_case)},
                        format="json", REMOTE_ADDR="10.0.1.1")
    assert response.status_code == 429 and not CaseClaim.objects.exists()


def test_the_code_is_never_logged(api, client, sent_case, other_dpo, caplog):
    code = case_access_code(sent_case)
    with caplog.at_level(logging.DEBUG):
        claim(login(api, other_dpo), sent_case, "DP-WRONG-CODE-0000")
        claim(api, sent_case, code)
        login(client, other_dpo).post(reverse("dpo:claim"), {"reference": sent_case.reference, "code": code})
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert sent_case.access_secret not in logged and sent_case.access_secret[:8] not in logged
    assert sent_case.reference not in logged


@pytest.mark.parametrize("role, verified", [(TeamRole.VIEWER, True), (TeamRole.RESPONDER, False)])
def test_a_viewer_or_an_unverified_member_cannot_claim(api, sent_case, other_team, team_member, role, verified):
    user = make_account("new@rival.example", Role.DPO)
    team_member(user, other_team, role=role, verified=verified)
    assert claim(login(api, user), sent_case, case_access_code(sent_case)).status_code == 404
    with pytest.raises(ClaimRefused):
        case_claim(user=user, team=other_team, reference=sent_case.reference, code=case_access_code(sent_case))
    assert not CaseClaim.objects.exists()


def test_an_employee_gets_a_404(api, client, sent_case, owner, colleague):
    for user in (owner, colleague):
        assert claim(login(api, user), sent_case, case_access_code(sent_case)).status_code == 404
        assert login(client, user).get(reverse("dpo:claim")).status_code == 404


def test_a_member_of_several_teams_chooses_one(api, sent_case, other_dpo, team_member):
    second = EmployerTeam.objects.create(name="Rival group privacy")
    team_member(other_dpo, second, role=TeamRole.ADMIN)
    login(api, other_dpo)
    assert "team" in claim(api, sent_case, case_access_code(sent_case)).json()
    assert claim(api, sent_case, case_access_code(sent_case), team=999999).status_code == 400
    assert claim(api, sent_case, case_access_code(sent_case), team=second.pk).status_code == 201
    assert CaseClaim.objects.get().team == second


def test_no_claim_while_the_employee_withholds_consent(api, sent_case, other_dpo):
    sent_case.employer_may_answer = False
    sent_case.save()
    response = claim(login(api, other_dpo), sent_case, case_access_code(sent_case))
    assert response.status_code == 400 and "not allowed" in response.json()["detail"]
    assert not CaseClaim.objects.exists()


def test_a_draft_cannot_be_claimed(api, draft_case, other_dpo):
    response = claim(login(api, other_dpo), draft_case, case_access_code(draft_case))
    assert response.json() == {"detail": services.WRONG_CODE}


# --- The page ---------------------------------------------------------------------------------------------


def test_the_page_claims_for_the_only_team(client, sent_case, other_dpo, other_team):
    login(client, other_dpo)
    page = client.get(reverse("dpo:claim"))
    assert page.status_code == 200 and other_team.name in page.content.decode()
    assert 'type="password"' in page.content.decode()  # the code is not shown back or kept in the URL
    response = client.post(reverse("dpo:claim"), {"reference": sent_case.reference, "code": case_access_code(sent_case),
                                                  "team": other_team.pk})
    assert response.status_code == 302 and "?" not in response["Location"]
    assert CaseClaim.objects.filter(case=sent_case, team=other_team).exists()


def test_the_page_refuses_a_wrong_code_without_echoing_it(client, sent_case, other_dpo, other_team):
    response = login(client, other_dpo).post(reverse("dpo:claim"), {
        "reference": sent_case.reference, "code": "DP-ZZZZ-ZZZZ-QQQQ", "team": other_team.pk})
    assert response.status_code == 400
    assert services.WRONG_CODE in response.content.decode() and "QQQQ" not in response.content.decode()


def test_the_page_throttles(client, sent_case, other_dpo, other_team):
    login(client, other_dpo)
    for _ in range(services.CLAIM_FAILURES_ALLOWED):
        client.post(reverse("dpo:claim"), {"reference": sent_case.reference, "code": "WRONG", "team": other_team.pk})
    response = client.post(reverse("dpo:claim"), {"reference": sent_case.reference,
                                                  "code": case_access_code(sent_case), "team": other_team.pk})
    assert response.status_code == 429 and not CaseClaim.objects.exists()


def test_the_employee_sees_the_claim_with_the_teams_name_not_the_members_email(api, client, sent_case, other_dpo,
                                                                               other_team, owner):
    claim(login(api, other_dpo), sent_case, case_access_code(sent_case))
    page = login(client, owner).get(reverse("cases:detail", args=[sent_case.pk])).content.decode()
    assert "Claimed by the employer&#x27;s team" in page or "Claimed by the employer's team" in page
    assert f"by {other_team.name} (responder)" in page
    assert other_dpo.email not in page
