"""tracking's part of a user's own-data export and account deletion (registered in
``TrackingConfig.ready``): the calendar feeds (never their secret tokens), and the ``AuditLine`` that
records a deletion without any personal data. Per-case rows go with the case (``case_export_tracking``;
deleted by CASCADE with it)."""

from __future__ import annotations

from deletion_portal.accounts.hooks import AccountExport
from deletion_portal.tracking.models import AuditLine, CalendarFeed


def calendar_feeds_export(*, user, export: AccountExport) -> None:
    export.account["calendar_feeds"] = [
        {"created_at": feed.created_at, "revoked_at": feed.revoked_at}
        for feed in CalendarFeed.objects.filter(user=user).order_by("created_at", "id")
    ]


def tracking_delete_for_user(*, user, summary: dict) -> None:
    CalendarFeed.objects.filter(user=user).delete()
    AuditLine.objects.create(action="account_deleted", count=summary.get("cases", 0))
