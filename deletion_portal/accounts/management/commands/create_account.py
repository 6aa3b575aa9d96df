"""Create an account for a known person (operators onboarding DPOs, advocates, staff).

    ACCOUNT_PASSWORD=... python manage.py create_account alice@example.org --role dpo --name "Alice"

The password comes from the ACCOUNT_PASSWORD environment variable, or is asked for twice when
running in a terminal. It is validated like any other password and never printed.
"""

from __future__ import annotations

import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from deletion_portal.accounts.models import Role
from deletion_portal.accounts.services import account_create

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

    def handle(self, *args, email, role, name, superuser, **options):
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
