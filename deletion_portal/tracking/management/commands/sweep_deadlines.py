"""Run the deadline sweep once (for cron-only setups: the same sweep the beat runs)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Claim the reminders that have come due, queue their emails and request follow-up/complaint drafts, once."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Sweep as of this date (YYYY-MM-DD); default: today.")
        parser.add_argument("--batch", type=int, default=None, help="Reminders claimed per transaction (default 5000).")

    def handle(self, *args, **options):
        from deletion_portal.tracking.sweep import DEFAULT_BATCH, sweep

        today = None
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("Give --today as YYYY-MM-DD.") from None
        batch = options["batch"] or DEFAULT_BATCH
        if batch < 1:
            raise CommandError("--batch must be at least 1.")
        report = sweep(today=today, batch=batch)
        self.stdout.write(f"Deadline sweep: {report.summary()}.")
