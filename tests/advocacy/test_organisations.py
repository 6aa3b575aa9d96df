"""Organisations: invitations that expire, roles, staff verification, the operator's command, 2FA."""

from __future__ import annotations

import io
import sys
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from deletion_portal.accounts.models import Role, User
from deletion_portal.advocacy import organisations as org
from deletion_portal.advocacy.models import Organisation, OrganisationMembership, OrganisationRole
from deletion_portal.core.models import OutboxMessage
from tests.support.world import login, make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_admin(organisation):
    user = make_account("root@wdc.example", Role.ADVOCATE)
    OrganisationMembership.objects.create(organisation=organisation, user=user, role=OrganisationRole.ADMIN)
    return user


def test_an_invitation_is_emailed_and_accepted_by_the_invited_address_only(organisation, org_admin, owner, outsider):
    invitation, token = org.organisation_invitation_create(organisation=organisation, actor=org_admin,
                                                           email=owner.email, role="organiser")
    mail = OutboxMessage.objects.get(key=f"organisation-invitation:{invitation.pk}")
    assert token in mail.body and mail.to == [owner.email] and token not in invitation.token_hash
    with pytest.raises(org.OrganisationError):
        org.organisation_invitation_accept(token=token, user=outsider)
    membership = org.organisation_invitation_accept(token=token, user=owner)
    owner.refresh_from_db()
    assert membership.role == "organiser" and owner.role == Role.ADVOCATE  # and with it the second factor
    with pytest.raises(org.OrganisationError):
        org.organisation_invitation_accept(token=token, user=owner)  # used


def test_an_invitation_expires_after_7_days(organisation, org_admin, owner):
    _invitation, token = org.organisation_invitation_create(organisation=organisation, actor=org_admin,
                                                            email=owner.email, role="viewer")
    with time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)):
        with pytest.raises(org.OrganisationError) as info:
            org.organisation_invitation_accept(token=token, user=owner)
    assert "expired" in str(info.value)


def test_a_revoked_invitation_is_refused(organisation, org_admin, owner):
    invitation, token = org.organisation_invitation_create(organisation=organisation, actor=org_admin,
                                                           email=owner.email, role="viewer")
    org.organisation_invitation_revoke(invitation=invitation, actor=org_admin)
    assert org.invitation_get_live(token=token) is None


def test_only_admins_invite_and_the_last_admin_stays(organisation, org_admin, advocate):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        org.organisation_invitation_create(organisation=organisation, actor=advocate, email="x@y.example", role="admin")
    me = OrganisationMembership.objects.get(user=org_admin)
    with pytest.raises(org.OrganisationError):
        org.organisation_member_role_change(membership=me, actor=org_admin, role="viewer")
    with pytest.raises(org.OrganisationError):
        org.organisation_member_remove(membership=me, actor=org_admin)


def test_a_dpo_account_cannot_join_an_organisation(organisation, org_admin, dpo):
    _invitation, token = org.organisation_invitation_create(organisation=organisation, actor=org_admin, email=dpo.email,
                                                            role="viewer")
    with pytest.raises(org.OrganisationError) as info:
        org.organisation_invitation_accept(token=token, user=dpo)
    assert "cannot join" in str(info.value)
    assert org.invitation_get_live(token=token) is not None  # the refusal rolled the claim back: not used up


def test_staff_verify_with_a_note_of_the_evidence(organisation):
    staff = make_account("staff@portal.example", Role.STAFF)
    organisation.verified_at = None
    organisation.save()
    with pytest.raises(org.OrganisationError):
        org.organisation_verify(organisation=organisation, actor=staff, note=" ")
    org.organisation_verify(organisation=organisation, actor=staff, note="Register of associations VR 1234")
    organisation.refresh_from_db()
    assert organisation.verified and organisation.verified_by == staff


def test_the_admin_action_verifies_only_organisations_with_a_note(client, db):
    staff = User.objects.create_superuser(email="root@portal.example", password="x" * 20)
    ready = Organisation.objects.create(name="Ready", country="DE", verification_note="Charity no. 42")
    bare = Organisation.objects.create(name="Bare", country="DE")
    client.force_login(staff)
    client.post(reverse("admin:advocacy_organisation_changelist"),
                {"action": "verify", "_selected_action": [ready.pk, bare.pk]})
    ready.refresh_from_db()
    bare.refresh_from_db()
    assert ready.verified_at is not None and bare.verified_at is None


# --- manage.py create_account --role advocate --organisation NAME ---------------------------------------------


@pytest.fixture
def env_password(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv("ACCOUNT_PASSWORD", "an operator chosen passphrase")


def test_create_account_makes_an_advocate_the_admin_of_a_new_unverified_organisation(env_password):
    out = io.StringIO()
    call_command("create_account", "ada@union.example", "--role", "advocate", "--organisation", "Annotators Union",
                 stdout=out)
    user = User.objects.get(email="ada@union.example")
    membership = OrganisationMembership.objects.get(user=user)
    assert membership.role == "admin" and membership.organisation.name == "Annotators Union"
    assert membership.organisation.verified_at is None
    assert "TOTP secret" in out.getvalue() and "not verified yet" in out.getvalue()


def test_create_account_joins_an_existing_organisation_by_name(env_password, organisation):
    call_command("create_account", "ben@union.example", "--role", "advocate", "--organisation",
                 organisation.name.upper(), "--organisation-role", "viewer", stdout=io.StringIO())
    assert OrganisationMembership.objects.get(user__email="ben@union.example").organisation == organisation


def test_create_account_refuses_an_organisation_for_other_roles(env_password):
    with pytest.raises(CommandError):
        call_command("create_account", "e@x.example", "--role", "employee", "--organisation", "X", stdout=io.StringIO())
    assert not User.objects.filter(email="e@x.example").exists()


# --- Advocates need the second factor (accounts/twofactor.py) ---------------------------------------------------


def test_an_advocate_without_a_second_factor_sees_nothing_of_the_organisation(client, advocate, organisation):
    client.force_login(advocate)  # password only
    response = client.get(reverse("advocacy:organisation", args=[organisation.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:2fa-setup"))
    login(client, advocate)
    assert client.get(reverse("advocacy:organisation", args=[organisation.pk])).status_code == 200


def test_an_employee_account_with_a_membership_row_is_no_party_of_the_policy(organisation, owner, draft_case,
                                                                              share_case, colleague):
    from deletion_portal.cases.access import Need, case_access_for

    OrganisationMembership.objects.create(organisation=organisation, user=colleague, role=OrganisationRole.ADMIN)
    share_case(draft_case)
    assert case_access_for(colleague, draft_case, need=Need.VIEW) is None  # employees skip 2FA: never let in


def test_an_admin_sets_the_contact_and_a_bad_address_is_named(client, organisation, org_admin):
    login(client, org_admin)
    client.post(reverse("advocacy:contact", args=[organisation.pk]),
                {"contact_email": "Cases@WDC.example", "contact_address": "Hauptstr. 1\n10115 Berlin"})
    organisation.refresh_from_db()
    assert organisation.contact_email == "cases@wdc.example" and organisation.contact_address.startswith("Hauptstr.")
    response = client.post(reverse("advocacy:contact", args=[organisation.pk]), {"contact_email": "not-an-address"},
                           follow=True)
    assert "Contact email" in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.contact_email == "cases@wdc.example"
