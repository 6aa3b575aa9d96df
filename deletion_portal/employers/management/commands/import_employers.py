"""``manage.py import_employers FILE [--dry-run] [--format csv|json]``: load employers from a file."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from deletion_portal.employers.importing import FORMATS, ImportFileError, read_import_file
from deletion_portal.employers.services import IMPORT_COLUMNS, employer_import


class Command(BaseCommand):
    help = (
        "Import employers from a CSV or JSON file into the directory. "
        f"CSV: a header row {','.join(IMPORT_COLUMNS)} (quality may be left out; other_names separated by |; "
        "demands_id yes/no or empty). JSON: a list of objects with the same keys (other_names a list). "
        "Rows match existing employers by legal name (ignoring case) and country; their non-empty values "
        "replace the stored ones. Every contact detail needs a cited public source in the source column. "
        "All or nothing: if any row has an error, nothing is imported and the command exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV or JSON file to import (UTF-8).")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report; save nothing.")
        parser.add_argument(
            "--format", choices=FORMATS, default=None, help="The file's format (default: from its extension)."
        )

    def handle(self, *args, file: str, dry_run: bool = False, format: str | None = None, **options):
        try:
            parsed = read_import_file(file, file_format=format)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        report = employer_import(rows=parsed.rows, dry_run=dry_run, row_numbers=parsed.row_numbers)
        for row in report.rows:
            if row.errors:
                self.stderr.write(str(row))
            else:
                self.stdout.write(str(row))
        if report.ok:
            self.stdout.write(self.style.SUCCESS(report.summary()))
            return
        raise CommandError(report.summary(), returncode=1)
