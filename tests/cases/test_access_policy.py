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
from deletion_portal.cases.models import EventKind, EventSource
from deletion_portal.cases.services import case_create, case_record_event
from deletion_portal.employers.models import EmployerTeam, TeamMembership, TeamRole
from tests.support.data import DRAFT_FIELDS, PDF_BYTES, SENT_ON
from tests.support.world import finalise_directly, login, make_account

pytestmark = pytest.mark.django_db

NEEDS = list(Need)


@pytest.fixture
def cases(draft_case, owner, employer):
    """One case per stage, all the owner's, all addressed to ``employer``."""
    final = finalise_directly(case_create(owner=owner, employer=employer, **DRAFT_FIELDS))
    sent = finalise_directly(case_create(owner=owner, employer=employer, **DRAFT_FIELDS))
    case_record_event(case=sent, kind=EventKind.SENT, on=SENT_ON, actor=owner, details={"channel": "email"}, today=SENT_ON)
    sent.refresh_from_db()
    return {"draft": draft_case, "finalised": final, "sent": sent}


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
]


@pytest.fixture
def person(request, cases, team, team_member, share_case, organisation):
    def build(who: str, case):
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
    assert set(cases_visible_to(dpo, need=Need.VIEW)) == {cases["sent"], sister}


def test_lists_follow_the_same_table(cases, owner, dpo, other_dpo, advocate, colleague, share_case, team):
    second_team = EmployerTeam.objects.create(name="Acme group privacy")
    second_team.employers.add(cases["sent"].employer)
    TeamMembership.objects.create(team=second_team, user=dpo, role=TeamRole.VIEWER, verified_at=timezone.now())
    share_case(cases["draft"], see_case=True)
    assert set(cases_visible_to(owner, need=Need.MANAGE)) == set(cases.values())
    assert list(cases_visible_to(dpo, need=Need.VIEW)) == [cases["sent"]]  # once, though two teams cover it
    assert list(cases_visible_to(dpo, need=Need.RESPOND)) == [cases["sent"]]
    assert not cases_visible_to(dpo, need=Need.MANAGE).exists()
    assert not cases_visible_to(other_dpo, need=Need.VIEW).exists()
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


def test_organisations_plug_in_without_cases_importing_advocacy():
    from deletion_portal.advocacy.access import organisation_access_provider

    assert organisation_access_provider in policy.case_access_providers()
    cases_dir = Path(policy.__file__).parent
    importers = [p.name for p in cases_dir.rglob("*.py") if "deletion_portal.advocacy" in p.read_text()]
    assert importers == []
