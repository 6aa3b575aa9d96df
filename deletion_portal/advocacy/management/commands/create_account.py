"""Create an account for a known person (operators onboarding DPOs, advocates, staff).

    ACCOUNT_PASSWORD=... python manage.py create_account alice@example.org --role dpo --name "Alice"
    ACCOUNT_PASSWORD=... python manage.py create_account dora@acme.example --role dpo --employer 42 [--team-role admin]
    ACCOUNT_PASSWORD=... python manage.py create_account ada@union.example --role advocate --organisation "Union" [--organisation-role admin]

With ``--employer`` the account joins the employer's team (created when it has none), verified by staff
(the operator running the command is the evidence; the audit row says so). A DPO or advocate account gets a
confirmed TOTP device: its base32 secret is printed ONCE, for an authenticator app or a script.

With ``--organisation NAME`` an advocate account joins that organisation (created, unverified, when no
organisation has that name; staff verify it in the admin), as its admin by default.

The command lives in the advocacy app, the top layer (it creates team and organisation memberships).

The password comes from the ACCOUNT_PASSWORD environment variable, or is asked for twice when
running in a terminal. It is validated like any other password and never printed.
"""

from __future__ import annotations

import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from deletion_portal.accounts import twofactor
from deletion_portal.accounts.models import Role
from deletion_portal.accounts.services import account_create
from deletion_portal.advocacy.models import Organisation, OrganisationRole
from deletion_portal.advocacy.organisations import organisation_create, organisation_member_add
from deletion_portal.employers import teams
from deletion_portal.employers.models import Employer, TeamRole

PASSWORD_ENV = "ACCOUNT_PASSWORD"


class Command(BaseCommand):
    help = "Create a confirmed account with a role. Password from $ACCOUNT_PASSWORD or a prompt."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The account's email address (its login).")
        parser.add_argument(
            "--role",
            required=True,
            choices=Role.values,
            help="One of: " + ", ".join(Role.values) + ". Staff accounts may use the admin.",
        )
        parser.add_argument("--name", default="", help="Optional display name.")
        parser.add_argument(
            "--superuser", action="store_true", help="Also make the account a Django superuser."
        )
        parser.add_argument("--employer", type=int, help="A DPO account: the directory id of the employer it speaks for.")
        parser.add_argument("--team-role", choices=TeamRole.values, default=TeamRole.ADMIN,
                            help="The role in the employer's team (default admin).")
        parser.add_argument("--organisation", help="An advocate account: the name of its organisation (created when new).")
        parser.add_argument("--organisation-role", choices=OrganisationRole.values, default=OrganisationRole.ADMIN,
                            help="The role in the organisation (default admin).")

    def handle(self, *args, email, role, name, superuser, employer=None, team_role=TeamRole.ADMIN, organisation=None,
               organisation_role=OrganisationRole.ADMIN, **options):
        if organisation is not None and role != Role.ADVOCATE:
            raise CommandError("--organisation is for --role advocate accounts.")
        if organisation is not None and not organisation.strip():
            raise CommandError("--organisation needs the organisation's name.")
        the_employer = None
        if employer is not None:
            if role != Role.DPO:
                raise CommandError("--employer is for --role dpo accounts.")
            the_employer = Employer.objects.filter(pk=employer).first()
            if the_employer is None:
                raise CommandError(f"No employer with id {employer} in the directory.")
        password = self._read_password()
        try:
            user = account_create(
                email=email,
                password=password,
                role=role,
                display_name=name,
                confirmed=True,
                superuser=superuser,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        extras = []
        if user.is_superuser:
            extras.append("superuser")
        elif user.is_staff:
            extras.append("admin access")
        extras.append("email confirmed")
        self.stdout.write(
            self.style.SUCCESS(f"Created {user.get_role_display()} account {user.email} ({', '.join(extras)}).")
        )
        if the_employer is not None:
            membership = teams.team_join_by_staff(
                user=user, employer=the_employer, role=team_role,
                note="Account created by an operator with manage.py create_account --employer",
            )
            self.stdout.write(f"Verified {membership.role} of team {membership.team.name} (id {membership.team_id}).")
        if organisation is not None:
            found = Organisation.objects.filter(name__iexact=organisation.strip()).order_by("pk").first()
            if found is None:
                found = organisation_create(name=organisation)
                self.stdout.write(f"Created organisation {found.name} (id {found.pk}), not verified yet: "
                                  "staff verify it in the admin before it can open a campaign.")
            membership = organisation_member_add(organisation=found, user=user, role=organisation_role)
            self.stdout.write(f"{membership.role.capitalize()} of organisation {found.name} (id {found.pk}).")
        if twofactor.otp_required_for(user):
            key = twofactor.totp_key_new()
            twofactor.totp_device_create(user=user, key=key)
            self.stdout.write(
                "Two-factor authentication (TOTP, 6 digits, 30 s). Secret, shown only now:\n"
                f"TOTP secret (base32): {twofactor.totp_key_base32(key)}\n"
                f"otpauth URI: {twofactor.totp_uri(user=user, key=key)}"
            )

    def _read_password(self) -> str:
        password = os.environ.get(PASSWORD_ENV)
        if password:
            return password
        if not sys.stdin.isatty():
            raise CommandError(
                f"No password given: set the {PASSWORD_ENV} environment variable, "
                "or run the command in a terminal to be asked for one."
            )
        first = getpass.getpass("Password: ")
        second = getpass.getpass("Password (again): ")
        if first != second:
            raise CommandError("The two passwords do not match; nothing was created.")
        if not first:
            raise CommandError("The password is empty; nothing was created.")
        return first
