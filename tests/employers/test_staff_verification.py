"""Staff approval: the admin action verifies a member with a required note of the evidence (stored in the
audit row); operators use ``manage.py create_account EMAIL --role dpo --employer ID [--team-role admin]``,
which also prints the account's TOTP secret once (base32)."""

import io
import re
import sys
from base64 import b32decode

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from deletion_portal.accounts.models import Role, User
from deletion_portal.employers.models import (
    EmployerTeam,
    TeamAuditAction,
    TeamAuditEntry,
    TeamMembership,
    TeamRole,
    VerifiedHow,
)
from tests.support.world import login, make_account

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(isolated_media):
    pass


@pytest.fixture
def staff(db):
    return make_account("staff@portal.example", Role.STAFF)


@pytest.fixture
def pending(team, team_member):
    user = make_account("pat@acme.example", Role.DPO)
    return team_member(user, team, verified=False)


def test_staff_verify_a_member_with_a_note_of_the_evidence(client, staff, pending, team):
    login(client, staff)
    url = reverse("admin:employers_teammembership_changelist")

    without_note = client.post(url, {"action": "verify_by_staff", "_selected_action": [pending.pk], "apply": "1"})
    pending.refresh_from_db()
    assert without_note.status_code == 200 and pending.verified_at is None

    done = client.post(url, {"action": "verify_by_staff", "_selected_action": [pending.pk], "apply": "1",
                             "note": "Phoned Acme's switchboard; the Head of Legal confirmed Pat runs privacy."})

    assert done.status_code == 302
    pending.refresh_from_db()
    assert pending.verified_at is not None and pending.verified_how == VerifiedHow.STAFF
    row = TeamAuditEntry.objects.get(team=team, action=TeamAuditAction.VERIFIED)
    assert row.actor == staff and "Head of Legal" in row.details["note"] and row.details["how"] == "staff"


def test_a_dpo_cannot_use_the_admin_action(client, dpo, pending):
    login(client, dpo)
    client.post(reverse("admin:employers_teammembership_changelist"),
                {"action": "verify_by_staff", "_selected_action": [pending.pk], "apply": "1", "note": "me"})
    pending.refresh_from_db()
    assert pending.verified_at is None


@pytest.fixture
def command_env(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setenv("ACCOUNT_PASSWORD", "an operator chosen passphrase")


def run(*args) -> str:
    out = io.StringIO()
    call_command("create_account", *args, stdout=out)
    return out.getvalue()


def test_create_account_makes_a_staff_verified_admin_and_prints_a_working_totp_secret(command_env, employer):
    output = run("dora@acme.example", "--role", "dpo", "--employer", str(employer.pk))

    user = User.objects.get(email="dora@acme.example")
    membership = TeamMembership.objects.get(user=user)
    assert membership.role == TeamRole.ADMIN and membership.verified_how == VerifiedHow.STAFF
    assert list(membership.team.employers.all()) == [employer]
    row = TeamAuditEntry.objects.get(team=membership.team, action=TeamAuditAction.VERIFIED)
    assert "create_account" in row.details["note"]
    secret = re.search(r"TOTP secret \(base32\): ([A-Z2-7]+)", output).group(1)
    key = b32decode(secret + "=" * (-len(secret) % 8))
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed and device.bin_key == key
    assert device.verify_token(totp(key))  # an authenticator fed the printed secret is accepted
    assert output.count(secret) == 2  # the secret line and the otpauth URI, nowhere else


def test_create_account_joins_an_existing_team_with_the_given_role(command_env, employer, team):
    run("vic@acme.example", "--role", "dpo", "--employer", str(employer.pk), "--team-role", "viewer")

    membership = TeamMembership.objects.get(user__email="vic@acme.example")
    assert membership.team == team and membership.role == TeamRole.VIEWER
    assert EmployerTeam.objects.count() == 1


def test_create_account_refuses_an_unknown_employer_before_creating_anything(command_env):
    with pytest.raises(CommandError, match="No employer"):
        run("dora@acme.example", "--role", "dpo", "--employer", "999999")
    assert not User.objects.filter(email="dora@acme.example").exists()


def test_create_account_prints_no_secret_for_an_employee(command_env):
    output = run("emma@mail.example", "--role", "employee")
    assert "TOTP" not in output and not TOTPDevice.objects.exists()


def test_create_account_gives_an_advocate_a_device(command_env):
    output = run("ada@union.example", "--role", "advocate")
    assert "TOTP secret (base32)" in output and TOTPDevice.objects.filter(user__email="ada@union.example").exists()


def test_portal_staff_see_a_team_with_its_members_and_audit(client, staff, pending, team):
    from deletion_portal.employers import teams

    teams.team_member_verify_by_staff(membership=pending, actor=staff, note="Letterhead checked")
    login(client, staff)

    page = client.get(reverse("admin:employers_employerteam_change", args=[team.pk]))

    assert page.status_code == 200
    assert pending.user.email in page.content.decode() and "Letterhead checked" in page.content.decode()


def test_staff_edits_of_members_in_the_team_page_are_audited(client, staff, pending, team):
    login(client, staff)
    url = reverse("admin:employers_employerteam_change", args=[team.pk])
    prefix = "memberships"
    data = {
        "name": team.name, "employers": [e.pk for e in team.employers.all()],
        f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-INITIAL_FORMS": "1", f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000", f"{prefix}-0-id": pending.pk, f"{prefix}-0-team": team.pk,
        f"{prefix}-0-user": pending.user_id, f"{prefix}-0-role": "admin",
        "audit-TOTAL_FORMS": "0", "audit-INITIAL_FORMS": "0", "audit-MIN_NUM_FORMS": "0", "audit-MAX_NUM_FORMS": "0",
    }

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    pending.refresh_from_db()
    assert pending.role == TeamRole.ADMIN and pending.verified_at is None
    row = TeamAuditEntry.objects.get(team=team, action=TeamAuditAction.ROLE_CHANGED)
    assert row.actor == staff and row.subject_email == pending.user.email
