"""``manage.py load_demo_employers``: the FICTIONAL demo employers, loaded idempotently."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from deletion_portal.employers.importing import ImportFileError, read_import_file
from deletion_portal.employers.services import employer_import

DEMO_FILE = Path(__file__).resolve().parents[2] / "fixtures" / "demo_employers.json"


class Command(BaseCommand):
    help = (
        "Load the fictional demo employers (one per demo country; example.com/.org/.invalid addresses) "
        "through the importer. Running it again changes nothing."
    )

    def handle(self, *args, **options):
        try:
            parsed = read_import_file(DEMO_FILE)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        report = employer_import(rows=parsed.rows, dry_run=False, row_numbers=parsed.row_numbers)
        if not report.ok:
            raise CommandError("The demo data is broken:\n" + "\n".join(str(e) for e in report.errors))
        self.stdout.write(f"Demo employers: {report.summary()}")
