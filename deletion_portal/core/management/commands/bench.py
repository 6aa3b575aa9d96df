"""Benchmarks: ``python manage.py bench sweep --cases N``, ``bench letters`` and ``bench bulk --letters N``.

Each subcommand is a function elsewhere (``tracking.bench.bench_sweep``, ``cases.bench.bench_letters``)
taking ``(stdout, options)``; this command only parses the arguments and dispatches.
"""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand, CommandError

BENCHES = {
    "sweep": ("deletion_portal.tracking.bench", "bench_sweep"),
    "letters": ("deletion_portal.cases.bench", "bench_letters"),
    "bulk": ("deletion_portal.advocacy.bulk_bench", "bench_bulk"),
    "stats": ("deletion_portal.advocacy.stats_bench", "bench_stats"),
}


class Command(BaseCommand):
    help = ("Measure the deadline sweep (bench sweep --cases N), letter rendering (bench letters), bulk letters "
            "(bench bulk --letters N) or the outcome statistics (bench stats --cases N).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="bench", required=True, title="benchmarks", metavar="{sweep,letters,bulk,stats}")
        sweep = sub.add_parser("sweep", help="One deadline sweep over N open cases (PostgreSQL).")
        sweep.add_argument("--cases", type=int, default=None,
                           help="Open cases to create (default 1,000,000 on PostgreSQL, 20,000 elsewhere).")
        sweep.add_argument("--due-percent", type=float, default=1.0, help="Share of cases with a reminder due now (default 1).")
        sweep.add_argument("--batch", type=int, default=5000, help="Reminders claimed per transaction (default 5000).")
        sweep.add_argument("--keep", action="store_true", help="Leave the benchmark data in the database.")
        stats = sub.add_parser("stats", help="Outcome statistics over N cases across 2,000 employers (PostgreSQL).")
        stats.add_argument("--cases", type=int, default=1_000_000, help="Cases to create (default 1,000,000).")
        stats.add_argument("--repeat", type=int, default=20, help="Timed runs per measurement (default 20).")
        stats.add_argument("--keep", action="store_true", help="Leave the benchmark data in the database.")
        stats.add_argument("--release-only", action="store_true",
                           help="Only time building the releases in Python from synthetic leaves (no database).")
        letters = sub.add_parser("letters", help="Render N letters.")
        letters.add_argument("--letters", type=int, default=50, help="Letters to render (default 50).")
        letters.add_argument("--keep", action="store_true", help="Leave the benchmark data in the database.")
        bulk = sub.add_parser("bulk", help="A bulk letters job beside finalising the same letters one by one.")
        bulk.add_argument("--letters", type=int, default=200, help="Letters per path (default 200).")
        bulk.add_argument("--memory-letters", type=int, default=2000,
                          help="Letters of the peak-memory run (stand-in renderer; default 2000, 0 skips it).")
        bulk.add_argument("--memory-real", action="store_true",
                          help="Render the memory run's letters for real (minutes for 2,000) instead of the stand-in.")

    def handle(self, *args, **options):
        name = options["bench"]
        module_name, function_name = BENCHES[name]
        try:
            function = getattr(importlib.import_module(module_name), function_name)
        except (ImportError, AttributeError) as error:
            raise CommandError(f"bench {name} is not available in this checkout ({error}).") from None
        function(self.stdout, options)
