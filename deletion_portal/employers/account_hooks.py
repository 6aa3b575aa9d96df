"""employers' part of a user's own-data export (registered in ``EmployersConfig.ready``): the employers
the user added to the directory. On account deletion they stay, with ``added_by`` emptied (SET_NULL)."""

from __future__ import annotations

from deletion_portal.accounts.hooks import AccountExport
from deletion_portal.employers.models import Employer


def employers_export(*, user, export: AccountExport) -> None:
    export.account["employers_added"] = [
        {"id": e.pk, "legal_name": e.legal_name, "country": e.country}
        for e in Employer.objects.filter(added_by=user).order_by("id")
    ]
