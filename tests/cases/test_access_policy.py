"""The case access policy (cases/access.py) as a table: who each user is for a case, what they may do,
and the one 404 for everything else."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from deletion_portal.accounts.models import Role, User
from deletion_portal.advocacy.models import OrganisationMembership, OrganisationRole
from deletion_portal.cases import access as policy
from deletion_portal.cases.access import Need, Party, case_get_for, cases_visible_to, letter_get_for
from deletion_portal.cases.models import Case, CaseStatus, EventKind, EventSource
from deletion_portal.cases.services import case_create, case_record_event
from deletion_portal.dpo.models import CaseClaim
from deletion_portal.employers.models import EmployerTeam, TeamMembership, TeamRole
from tests.support.data import DRAFT_FIELDS, PDF_BYTES, SENT_ON
from tests.support.world import finalise_directly, login, make_account

pytestmark = pytest.mark.django_db

NEEDS = list(Need)


def sent_to(owner, employer, **fields):
    case = finalise_directly(case_create(owner=owner, employer=employer, **DRAFT_FIELDS))
    case_record_event(case=case, kind=EventKind.SENT, on=SENT_ON, actor=owner, details={"channel": "email"}, today=SENT_ON)
    if fields:
        Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


@pytest.fixture
def cases(draft_case, owner, employer, team, other_team):
    """One case per stage, the owner's, addressed to ``employer``; and the employer side's variants:
    ``withdrawn`` (sent, the employee withdrew the employer's online access), ``claimed`` (sent, claimed by
    ``other_team``, which does not cover the employer), ``claimed_withdrawn`` (both), ``recorded`` and
    ``recorded_draft`` (no owner: requests ``team`` recorded itself, sent and still a draft)."""
    final = finalise_directly(case_create(owner=owner, employer=employer, **DRAFT_FIELDS))
    claimed, claimed_withdrawn = sent_to(owner, employer), sent_to(owner, employer, employer_may_answer=False)
    for case in (claimed, claimed_withdrawn):
        CaseClaim.objects.create(case=case, team=other_team)
    recorded = {
        status: Case.objects.create(owner=None, recorded_by_team=team, employer=employer, status=status,
                                    law_key="eu-gdpr", region="DE-BY", requester_name="Rita Recorded")
        for status in (CaseStatus.SENT, CaseStatus.DRAFT)
    }
    return {"draft": draft_case, "finalised": final, "sent": sent_to(owner, employer),
            "withdrawn": sent_to(owner, employer, employer_may_answer=False), "claimed": claimed,
            "claimed_withdrawn": claimed_withdrawn, "recorded": recorded[CaseStatus.SENT],
            "recorded_draft": recorded[CaseStatus.DRAFT]}


def granted(user, case) -> set[Need]:
    found = set()
    for need in NEEDS:
        try:
            case_get_for(user, case.pk, need=need)
        except Http404:
            continue
        found.add(need)
    return found


# (who, stage) → the needs granted. Who is a fixture name, or a variant built in ``person``.
TABLE = [
    ("owner", "draft", {Need.VIEW, Need.MANAGE}),
    ("owner", "finalised", {Need.VIEW, Need.MANAGE}),
    ("owner", "sent", {Need.VIEW, Need.MANAGE}),
    ("colleague", "sent", set()),
    ("outsider", "sent", set()),
    # The employer's verified team sees what was sent to it, never drafts or letters not yet sent.
    ("dpo", "draft", set()),
    ("dpo", "finalised", set()),
    ("dpo", "sent", {Need.VIEW, Need.RESPOND}),
    ("team_admin", "sent", {Need.VIEW, Need.RESPOND}),
    ("team_viewer", "sent", {Need.VIEW}),
    ("unverified_member", "sent", set()),
    ("other_dpo", "sent", set()),
    # An organisation sees a case only through a live share; the mandate (act_for) lets admins and organisers act.
    ("advocate", "sent", set()),
    ("advocate_sees", "draft", {Need.VIEW}),
    ("advocate_sees", "sent", {Need.VIEW}),
    ("advocate_mandated", "sent", {Need.VIEW, Need.ACT_FOR}),
    ("advocate_mandate_only", "sent", {Need.ACT_FOR}),
    ("viewer_with_mandate", "sent", {Need.VIEW}),
    ("advocate_revoked", "sent", set()),
    ("staff", "sent", set()),
    # The employee's consent (employer_may_answer): withdrawn → the employer side sees nothing, at once.
    ("owner", "withdrawn", {Need.VIEW, Need.MANAGE}),
    ("dpo", "withdrawn", set()),
    ("team_viewer", "withdrawn", set()),
    # A claim through the case access code: the claiming team reaches the case per role, like a covering team.
    ("other_dpo", "claimed", {Need.VIEW, Need.RESPOND}),
    ("other_team_admin", "claimed", {Need.VIEW, Need.RESPOND}),
    ("other_team_viewer", "claimed", {Need.VIEW}),
    ("other_team_unverified", "claimed", set()),
    ("dpo", "claimed", {Need.VIEW, Need.RESPOND}),  # still covers the employer
    ("other_dpo", "claimed_withdrawn", set()),
    ("other_dpo", "sent", set()),  # a claim is per case
    # A request a team recorded itself: that team only, at every status; no other team covering the employer.
    ("dpo", "recorded", {Need.VIEW, Need.RESPOND}),
    ("dpo", "recorded_draft", {Need.VIEW, Need.RESPOND}),
    ("team_viewer", "recorded", {Need.VIEW}),
    ("unverified_member", "recorded", set()),
    ("group_team_member", "recorded", set()),
    ("group_team_member", "sent", {Need.VIEW, Need.RESPOND}),
    ("other_dpo", "recorded", set()),
    ("owner", "recorded", set()),
    ("staff", "recorded", set()),
]


@pytest.fixture
def person(request, cases, team, other_team, team_member, share_case, organisation, employer):
    def build(who: str, case):
        if who in ("other_team_admin", "other_team_viewer", "other_team_unverified"):
            user = make_account(f"{who}@rival.example", Role.DPO)
            role = {"other_team_admin": TeamRole.ADMIN, "other_team_viewer": TeamRole.VIEWER}.get(who, TeamRole.RESPONDER)
            team_member(user, other_team, role=role, verified=who != "other_team_unverified")
            return user
        if who == "group_team_member":  # a verified responder of a second team that also covers the employer
            group = EmployerTeam.objects.create(name="Acme group privacy")
            group.employers.add(employer)
            user = make_account("group@acme.example", Role.DPO)
            team_member(user, group)
            return user
        if who in ("owner", "colleague", "outsider", "dpo", "other_dpo", "advocate"):
            return request.getfixturevalue(who)
        if who in ("team_admin", "team_viewer", "unverified_member"):
            user = make_account(f"{who}@acme.example", Role.DPO)
            role = {"team_admin": TeamRole.ADMIN, "team_viewer": TeamRole.VIEWER}.get(who, TeamRole.RESPONDER)
            team_member(user, team, role=role, verified=who != "unverified_member")
            return user
        if who == "staff":
            return User.objects.create_superuser(email="root@portal.example", password="x" * 20)  # staff: nothing special
        user = request.getfixturevalue("advocate")
        if who == "viewer_with_mandate":
            OrganisationMembership.objects.filter(user=user).update(role=OrganisationRole.VIEWER)
        share_case(case, see_case=who not in ("advocate_mandate_only",),
                   act_for=who in ("advocate_mandated", "advocate_mandate_only", "viewer_with_mandate"),
                   revoked=who == "advocate_revoked")
        return user

    return build


@pytest.mark.parametrize(("who", "stage", "needs"), TABLE, ids=[f"{w}-{s}" for w, s, _ in TABLE])
def test_it_grants_exactly_what_the_table_says(cases, person, who, stage, needs):
    case = cases[stage]
    user = person(who, case)
    assert granted(user, case) == needs


def test_it_answers_who_the_user_is(cases, owner, dpo, advocate, share_case, team):
    sent = cases["sent"]
    share_case(sent, see_case=True)
    mine = case_get_for(owner, sent.pk, need=Need.MANAGE).access
    theirs = case_get_for(dpo, sent.pk, need=Need.RESPOND).access
    group = case_get_for(advocate, sent.pk, need=Need.VIEW).access
    assert (mine.party, mine.role) == (Party.OWNER, "owner")
    assert (theirs.party, theirs.role, theirs.via) == (Party.EMPLOYER, TeamRole.RESPONDER, team)
    assert group.party == Party.ORGANISATION
    # The side an event recorded through the policy comes from.
    assert mine.event_source(EventSource.API) == EventSource.API
    assert theirs.event_source() == EventSource.EMPLOYER
    assert group.event_source() == EventSource.ORGANISATION


def test_an_event_recorded_by_the_employer_side_says_so(cases, dpo):
    case = case_get_for(dpo, cases["sent"].pk, need=Need.RESPOND)
    event = case_record_event(case=case, kind=EventKind.ACKNOWLEDGED, on=date(2025, 5, 6), actor=dpo,
                              source=case.access.event_source(), today=date(2025, 5, 6))
    assert (event.source, event.actor) == (EventSource.EMPLOYER, dpo)


@pytest.mark.parametrize("pk", ["abc", "", None, 10**30, -1, 987654])
def test_a_bad_or_unknown_pk_is_the_same_404(owner, pk):
    with pytest.raises(Http404):
        case_get_for(owner, pk, need=Need.VIEW)


def test_anonymous_and_inactive_users_get_nothing(cases, owner):
    with pytest.raises(Http404):
        case_get_for(AnonymousUser(), cases["sent"].pk, need=Need.VIEW)
    assert not cases_visible_to(AnonymousUser(), need=Need.VIEW).exists()
    owner.is_active = False
    owner.save()
    with pytest.raises(Http404):
        case_get_for(owner, cases["sent"].pk, need=Need.MANAGE)


def test_a_revoked_share_ends_access_at_once(cases, advocate, share_case):
    share = share_case(cases["sent"], see_case=True, act_for=True)
    assert case_get_for(advocate, cases["sent"].pk, need=Need.VIEW)
    share.revoked_at = timezone.now()
    share.save()
    for need in NEEDS:
        with pytest.raises(Http404):
            case_get_for(advocate, cases["sent"].pk, need=need)
    assert not cases_visible_to(advocate, need=Need.VIEW).exists()


def test_an_unverified_team_member_gets_a_404(cases, team, team_member):
    user = make_account("new@acme.example", Role.DPO)
    membership = team_member(user, team, verified=False)
    with pytest.raises(Http404):
        case_get_for(user, cases["sent"].pk, need=Need.VIEW)
    membership.verified_at = timezone.now()
    membership.save()
    assert case_get_for(user, cases["sent"].pk, need=Need.VIEW).access.party == Party.EMPLOYER


def test_one_team_may_cover_several_employers_of_a_group(cases, other_employer, dpo, team, owner):
    sister = finalise_directly(case_create(owner=owner, employer=other_employer, **DRAFT_FIELDS))
    case_record_event(case=sister, kind=EventKind.SENT, on=SENT_ON, actor=owner, details={"channel": "email"}, today=SENT_ON)
    with pytest.raises(Http404):
        case_get_for(dpo, sister.pk, need=Need.VIEW)
    team.employers.add(other_employer)
    assert case_get_for(dpo, sister.pk, need=Need.VIEW)
    assert set(cases_visible_to(dpo, need=Need.VIEW)) == {cases["sent"], cases["claimed"], cases["recorded"],
                                                           cases["recorded_draft"], sister}


def test_lists_follow_the_same_table(cases, owner, dpo, other_dpo, advocate, colleague, share_case, team):
    second_team = EmployerTeam.objects.create(name="Acme group privacy")
    second_team.employers.add(cases["sent"].employer)
    TeamMembership.objects.create(team=second_team, user=dpo, role=TeamRole.VIEWER, verified_at=timezone.now())
    share_case(cases["draft"], see_case=True)
    assert set(cases_visible_to(owner, need=Need.MANAGE)) == {c for c in cases.values() if c.owner_id}
    employer_side = [cases[k] for k in ("sent", "claimed", "recorded", "recorded_draft")]
    visible = list(cases_visible_to(dpo, need=Need.VIEW))
    assert sorted(visible, key=lambda c: c.pk) == sorted(employer_side, key=lambda c: c.pk)  # once each, two teams
    assert set(cases_visible_to(dpo, need=Need.RESPOND)) == set(employer_side)  # a responder of ``team``
    assert not cases_visible_to(dpo, need=Need.MANAGE).exists()
    assert list(cases_visible_to(other_dpo, need=Need.VIEW)) == [cases["claimed"]]
    assert not cases_visible_to(colleague, need=Need.VIEW).exists()
    assert list(cases_visible_to(advocate, need=Need.VIEW)) == [cases["draft"]]
    assert not cases_visible_to(advocate, need=Need.ACT_FOR).exists()


def test_a_final_letter_needs_view_and_a_draft_letter_is_only_the_owners(cases, dpo, owner):
    sent = cases["sent"]
    letter = sent.letters.get(is_final=True)
    assert letter_get_for(dpo, sent.pk, letter.pk, need=Need.VIEW).case.access.party == Party.EMPLOYER
    draft_letter = sent.letters.create(kind="follow_up", language="en", template_version="t", html="<p>x</p>")
    with pytest.raises(Http404):  # the employer never sees the employee's drafts
        letter_get_for(dpo, sent.pk, draft_letter.pk, need=Need.VIEW)
    assert letter_get_for(owner, sent.pk, draft_letter.pk, need=Need.VIEW) == draft_letter
    assert letter_get_for(owner, sent.pk, draft_letter.pk, need=Need.MANAGE) == draft_letter


def test_the_verified_dpo_downloads_the_request_letter_sent_to_the_employer(client, cases, dpo):
    sent = cases["sent"]
    letter = sent.letters.get(is_final=True)
    login(client, dpo)
    for url in (reverse("cases:letter-pdf", args=[sent.pk, letter.pk]),
                reverse("api-v1:case-letter-pdf", args=[sent.pk, letter.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES
    assert client.get(reverse("cases:detail", args=[sent.pk])).status_code == 404  # the case page is the owner's


def test_the_owner_lookup_costs_one_query(cases, owner, django_assert_num_queries):
    with django_assert_num_queries(1):
        case_get_for(owner, cases["sent"].pk, need=Need.MANAGE)


def test_withdrawing_consent_ends_the_teams_access_at_once(cases, dpo, other_dpo, owner):
    from deletion_portal.cases.services import case_set_employer_may_answer

    claimed = cases["claimed"]
    assert case_get_for(dpo, claimed.pk, need=Need.RESPOND) and case_get_for(other_dpo, claimed.pk, need=Need.VIEW)
    case_set_employer_may_answer(case=claimed, allowed=False, actor=owner)
    for user in (dpo, other_dpo):
        assert granted(user, claimed) == set()
        assert claimed not in cases_visible_to(user, need=Need.VIEW)
    case_set_employer_may_answer(case=claimed, allowed=True, actor=owner)
    assert granted(other_dpo, claimed) == {Need.VIEW, Need.RESPOND}
    kinds = list(claimed.events.values_list("kind", flat=True))
    assert kinds[-2:] == [EventKind.EMPLOYER_ACCESS_WITHDRAWN, EventKind.EMPLOYER_ACCESS_GIVEN]


def test_lists_follow_consent_claims_and_recorded_cases(cases, dpo, other_dpo, team_member, team):
    assert set(cases_visible_to(dpo, need=Need.VIEW)) == {cases["sent"], cases["claimed"], cases["recorded"],
                                                           cases["recorded_draft"]}
    assert set(cases_visible_to(dpo, need=Need.RESPOND)) == set(cases_visible_to(dpo, need=Need.VIEW))
    assert list(cases_visible_to(other_dpo, need=Need.VIEW)) == [cases["claimed"]]
    # A member of both teams sees the claimed case once.
    from deletion_portal.employers.models import TeamRole as Role_

    team_member(other_dpo, team, role=Role_.VIEWER)
    visible = list(cases_visible_to(other_dpo, need=Need.VIEW))
    assert len(visible) == len(set(visible)) == 4
    assert list(cases_visible_to(other_dpo, need=Need.RESPOND)) == [cases["claimed"]]


def test_claims_plug_in_without_cases_importing_dpo():
    from deletion_portal.dpo.access import claimed_case_access_provider

    assert claimed_case_access_provider in policy.case_access_providers()
    cases_dir = Path(policy.__file__).parent
    importers = [p.name for p in cases_dir.rglob("*.py") if "deletion_portal.dpo" in p.read_text()]
    assert importers == []


def test_organisations_plug_in_without_cases_importing_advocacy():
    from deletion_portal.advocacy.access import organisation_access_provider

    assert organisation_access_provider in policy.case_access_providers()
    cases_dir = Path(policy.__file__).parent
    importers = [p.name for p in cases_dir.rglob("*.py") if "deletion_portal.advocacy" in p.read_text()]
    assert importers == []


def test_a_teams_list_is_one_query_however_many_cases_and_rules(cases, other_dpo, team_member, team, other_team,
                                                                django_assert_num_queries):
    team_member(other_dpo, team, role=TeamRole.VIEWER)  # two teams, three rules
    with django_assert_num_queries(1):
        small = list(cases_visible_to(other_dpo, need=Need.VIEW))
    owner = cases["sent"].owner
    for _ in range(10):
        CaseClaim.objects.create(case=sent_to(owner, cases["sent"].employer), team=other_team)
    with django_assert_num_queries(1):
        large = list(cases_visible_to(other_dpo, need=Need.VIEW))
    assert len(large) == len(small) + 10 == len(set(large))
