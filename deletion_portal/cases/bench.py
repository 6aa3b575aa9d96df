"""``python manage.py bench letters``: how fast a letter is finalised, beside plain WeasyPrint.

Everything runs inside a transaction that is rolled back, with uploads going to a temporary folder,
so the benchmark leaves no trace in the database or on disk.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import date

from django.core.cache import cache
from django.db import transaction
from django.test.utils import override_settings

from deletion_portal.accounts.models import User
from deletion_portal.cases.hooks import letter_benches
from deletion_portal.cases.letters import letter_footer, letter_html, letter_metadata
from deletion_portal.cases.models import Case, LetterKind
from deletion_portal.cases.services import case_create, letter_finalize, letter_pdf_bytes
from deletion_portal.core.pdf import plain_weasyprint_pdf, render_pdf
from deletion_portal.employers.models import Employer

TODAY = date(2026, 3, 2)


class _Rollback(Exception):
    pass


def bench_cases(*, owner, employer: Employer, n: int) -> list[Case]:
    """The benchmarks' request: ``n`` German GDPR cases (4 rights, 7 data categories: a 4-page letter)."""
    return [
        case_create(
            owner=owner, employer=employer, law_key="eu-gdpr", region="DE-BE", language="de",
            work_country="DE", work_region="DE-BE", employer_country="DE",
            rights=["access", "objection", "restriction", "erasure"],
            categories=["keystrokes", "mouse_movements", "screen_activity", "app_switching", "derived_data",
                        "training_datasets", "trained_models"],
            requester_name=f"Erika Mustermann {i}", requester_address=f"Musterweg {i}\n80331 München",
            requester_email=f"erika{i}@example.org", employee_id=f"E-{10000 + i}", job_title="Support agent",
            employment_start=date(2021, 4, 1), employment_end=date(2026, 1, 31),
        )
        for i in range(n)
    ]


def _cases(n: int) -> list[Case]:
    owner = User.objects.create_user(email="bench@example.invalid", password=None)
    employer = Employer.objects.create(
        legal_name="Benchmark Analytics GmbH (demo)", country="DE",
        postal_address="Demostraße 1\n10115 Berlin", privacy_email="privacy@example.com",
    )
    return bench_cases(owner=owner, employer=employer, n=n)


def ms_summary(seconds: list[float]) -> str:
    """``median … ms, p90 … ms`` (shared with the letter benches other apps register)."""
    return _ms(seconds)


def _ms(seconds: list[float]) -> str:
    return f"median {statistics.median(seconds) * 1000:7.1f} ms, p90 {sorted(seconds)[int(len(seconds) * 0.9) - 1] * 1000:7.1f} ms"


def bench_letters(stdout, options) -> None:
    n = max(3, int(options.get("letters") or 50))
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        try:
            with transaction.atomic():
                cases = _cases(n)
                # Warm-up: the first render parses the print stylesheet and loads the fonts once.
                letter_pdf_bytes(case=cases[0], letter=_draft(cases[0]))
                cache.clear()

                finalise = []
                for case in cases:
                    started = time.perf_counter()
                    letter_finalize(case=case, today=TODAY)
                    finalise.append(time.perf_counter() - started)

                htmls = [letter_html(case, kind=LetterKind.REQUEST, today=TODAY) for case in cases]
                render = []
                for case, html in zip(cases, htmls, strict=True):
                    started = time.perf_counter()
                    render_pdf(html, metadata=letter_metadata(case), footer=letter_footer(case, "BENCH000"))
                    render.append(time.perf_counter() - started)
                plain = []
                for html in htmls:
                    started = time.perf_counter()
                    plain_weasyprint_pdf(html)
                    plain.append(time.perf_counter() - started)

                # An unchanged draft is not rendered again: its PDF comes from the cache.
                cached = []
                for case in cases:
                    letter = case.letters.get(kind=LetterKind.REQUEST)
                    started = time.perf_counter()
                    letter_pdf_bytes(case=case, letter=letter)
                    cached.append(time.perf_counter() - started)
                # Other apps' letters (dpo: the employer's response letter), in the same run and transaction.
                extra = [line for bench in letter_benches() for line in bench(cases=cases, today=TODAY)]
                raise _Rollback
        except _Rollback:
            pass
    stdout.write(f"letters: {n} GDPR request letters in German (4 rights, 7 data categories), one process\n")
    stdout.write(f"  portal finalise (HTML + PDF + SHA-256 + store): {_ms(finalise)}, "
                 f"{n / sum(finalise):6.1f} letters/s\n")
    for line in extra:  # beside the request letter's median: the other apps' letters (dpo: the response)
        stdout.write(f"  {line}\n")
    stdout.write(f"  portal render_pdf only (same HTML, no cache):   {_ms(render)}, "
                 f"{n / sum(render):6.1f} letters/s\n")
    stdout.write(f"  plain weasyprint HTML(string).write_pdf():      {_ms(plain)}, "
                 f"{n / sum(plain):6.1f} letters/s\n")
    stdout.write(f"  unchanged draft (cached PDF):                   {_ms(cached)}\n")

    stdout.write("  the portal parses its print stylesheet and loads its bundled fonts once per process, and "
                 "serves an unchanged draft's PDF from the cache (keyed by the SHA-256 of HTML, footer and paper);\n"
                 "  it also does more than the plain path: a print stylesheet, embedded bundled fonts, page "
                 "footers, cleaning and limits.\n")


def _draft(case: Case):
    from deletion_portal.cases.services import letter_draft

    return letter_draft(case=case, today=TODAY)
