"""``manage.py load_reference_data``: load and validate every law record, one line per regime.

Exits with code 1 and the ``RecordError`` message (file and JSON path of the bad field) when a record
is broken. Later issues extend it with demo data; the work stays in ``laws.registry``.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from deletion_portal.laws.registry import RecordError, reference_data_summary


class Command(BaseCommand):
    help = "Load and validate the law records in laws/data/ and print one line per regime."

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=None,
            help="Read the <key>.json records from this directory instead of laws/data/.",
        )

    def handle(self, *args, data_dir: Path | None = None, **options):
        try:
            lines = reference_data_summary(data_dir=data_dir)
        except RecordError as exc:
            raise CommandError(str(exc)) from None
        for line in lines:
            self.stdout.write(line)
