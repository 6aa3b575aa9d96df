"""``python manage.py bench bulk --letters 200``: the bulk letters job beside finalising the same letters one by
one, in the same run, and the job's peak memory for ``--memory-letters`` (2,000) letters.

Everything runs inside a transaction that is rolled back, with files in a temporary folder, so the benchmark
leaves no trace. Two sets of identical mandated cases (German GDPR requests, 4 rights, 7 data categories,
4 pages each) are made; the first is finalised one by one (``letter_finalize`` per case, as the API and the
case page do), the second by a bulk job run to the end in this process (planning, claiming, finalising, the
ZIP with its manifest and the merged PDF for printing). Times are wall-clock and CPU seconds of this process
(``time.process_time``: the per-core figure, less disturbed by other processes on the machine). The bulk job
renders inside ``core.pdf.line_layout_cache`` (shared line breaks, byte-identical PDFs); the render-only
comparison prints how many line breaks and drawn lines the cache reused.

The memory run replaces the PDF renderer by a stand-in that returns a real pre-rendered letter (same size) so
that 2,000 letters take seconds, not minutes: rendering holds one letter at a time, and what could grow with
the number of letters is the rest of the job (planning, claims, the ZIP and the merged PDF), which runs for real.
"""

from __future__ import annotations

import gc
import resource
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from datetime import date

from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse

from deletion_portal.accounts.models import Role, User
from deletion_portal.advocacy.bulk import bulk_job_start, bulk_job_step
from deletion_portal.advocacy.models import CaseShare, Organisation, OrganisationMembership, OrganisationRole
from deletion_portal.cases.bench import bench_cases
from deletion_portal.cases.letters import letter_footer, letter_html, letter_metadata
from deletion_portal.cases.models import Case, Letter, LetterKind
from deletion_portal.cases.services import letter_finalize
from deletion_portal.core import pdf as core_pdf
from deletion_portal.employers.models import Employer

TODAY = date(2026, 3, 2)


class _Rollback(Exception):
    pass


def _world(prefix: str):
    organiser = User.objects.create_user(email=f"{prefix}-organiser@example.invalid", password=None, role=Role.ADVOCATE)
    organisation = Organisation.objects.create(name=f"Bench union {prefix}", country="DE")
    OrganisationMembership.objects.create(organisation=organisation, user=organiser, role=OrganisationRole.ORGANISER)
    employer = Employer.objects.create(
        legal_name=f"Benchmark Analytics GmbH {prefix} (demo)", country="DE",
        postal_address="Demostraße 1\n10115 Berlin", privacy_email="privacy@example.com",
    )
    return organiser, organisation, employer


def _cases(prefix: str, n: int, organisation, employer) -> list[Case]:
    owner = User.objects.create_user(email=f"{prefix}-members@example.invalid", password=None)
    cases = bench_cases(owner=owner, employer=employer, n=n)
    CaseShare.objects.bulk_create([CaseShare(case=c, organisation=organisation, see_case=True, act_for=True)
                                   for c in cases])
    return cases


@contextmanager
def _clock():
    result = {}
    wall, cpu = time.perf_counter(), time.process_time()
    yield result
    result["wall"], result["cpu"] = time.perf_counter() - wall, time.process_time() - cpu


def _run_job(organisation, organiser) -> tuple[object, float, float]:
    job = bulk_job_start(organisation=organisation, user=organiser, today=TODAY)
    finish_wall = finish_cpu = 0.0
    while True:
        job.refresh_from_db(fields=["planned_at"])
        pending = job.planned_at is None or job.items.filter(state__in=["pending", "running"]).exists()
        wall, cpu = time.perf_counter(), time.process_time()
        outcome = bulk_job_step(job_id=job.pk, today=TODAY)
        if not pending:  # this step built the ZIP and the merged PDF
            finish_wall, finish_cpu = time.perf_counter() - wall, time.process_time() - cpu
        if outcome != "more":
            break
    job.refresh_from_db()
    return job, finish_wall, finish_cpu


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:6.2f} letters/s" if seconds else "   n/a"


def bench_bulk(stdout, options) -> None:
    n = max(2, int(options.get("letters") or 200))
    memory_n = max(0, int(options.get("memory_letters") if options.get("memory_letters") is not None else 2000))
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media, BULK_CHUNK=20):
        try:
            with transaction.atomic():
                memory = (_memory_run(memory_n, None if options.get("memory_real") else _sample_pdf())
                          if memory_n else None)
                organiser, organisation, employer = _world("one")
                one = _cases("one", n, organisation, employer)
                b_organiser, b_organisation, b_employer = _world("bulk")
                _cases("bulk", n, b_organisation, b_employer)
                web = _cases("web", n, *_world("web")[1:])
                # Warm-up (stylesheet parsed, fonts loaded once per process), then no cached PDFs.
                warm = letter_html(one[0], kind=LetterKind.REQUEST, today=TODAY)
                core_pdf.render_pdf(warm, metadata=letter_metadata(one[0]), footer=letter_footer(one[0], "WARMUP00"))
                cache.clear()

                with _clock() as single:
                    for case in one:
                        with transaction.atomic():
                            letter_finalize(case=case, today=TODAY)
                cache.clear()
                # The same, as members do it: the Finalise button (POST, then the case page it returns to).
                client = Client(HTTP_HOST="localhost")
                client.force_login(web[0].owner, backend="django.contrib.auth.backends.ModelBackend")
                with _clock() as through_web:
                    for case in web:
                        response = client.post(reverse("cases:finalize", args=[case.pk]), follow=True)
                        assert response.status_code == 200, f"finalising case {case.pk}: HTTP {response.status_code}"
                assert Letter.objects.filter(case__in=web, is_final=True).count() == n
                cache.clear()
                with _clock() as bulk:
                    job, finish_wall, finish_cpu = _run_job(b_organisation, b_organiser)
                assert job.done == n, f"the bulk job produced {job.done} of {n} letters"
                zip_size = job.zip_file.size

                # The rendering alone: render_pdf per letter beside the batch API, same HTML.
                htmls = [letter_html(c, kind=LetterKind.REQUEST, today=TODAY) for c in one[: min(n, 40)]]
                inputs = [core_pdf.PdfInput(html=h, metadata=letter_metadata(c), footer=letter_footer(c, "BENCH000"))
                          for h, c in zip(htmls, one, strict=False)]
                with _clock() as each:
                    singles = [core_pdf.render_pdf(i.html, metadata=i.metadata, footer=i.footer) for i in inputs]
                with _clock() as batch, core_pdf.line_layout_cache() as lines:
                    batched = core_pdf.render_pdf_batch(inputs)  # its line-break cache is this block's
                identical = all(r.pdf == s for r, s in zip(batched, singles, strict=True))
                raise _Rollback
        except _Rollback:
            pass

    ratio = single["cpu"] / bulk["cpu"] if bulk["cpu"] else 0.0
    stdout.write(f"bulk: {n} GDPR request letters in German (4 rights, 7 data categories, 4 pages), one process\n")
    stdout.write(f"  one by one (letter_finalize per case):      {_rate(n, single['wall'])} wall, "
                 f"{_rate(n, single['cpu'])} per CPU-second\n")
    stdout.write(f"  one by one through the Finalise button (POST /cases/<id>/finalize/ + the case page): "
                 f"{_rate(n, through_web['wall'])} wall, {_rate(n, through_web['cpu'])} per CPU-second\n")
    stdout.write(f"  bulk job (plan, claim, finalise, ZIP, print): {_rate(n, bulk['wall'])} wall, "
                 f"{_rate(n, bulk['cpu'])} per CPU-second  ({ratio:.2f}x one by one per core; "
                 f"{through_web['cpu'] / bulk['cpu'] if bulk['cpu'] else 0:.2f}x the Finalise button)\n")
    stdout.write(f"    of which the ZIP + manifest + merged PDF:   {finish_wall:6.2f} s wall, {finish_cpu:6.2f} s CPU, "
                 f"ZIP {zip_size / 1024 / 1024:.1f} MB\n")
    m = len(inputs)
    stdout.write(f"  render only, {m} letters: render_pdf each {_rate(m, each['cpu'])} per CPU-second, "
                 f"render_pdf_batch {_rate(m, batch['cpu'])} per CPU-second; byte-identical PDFs: {identical}\n")
    looked_up = lines.hits + lines.misses
    drawn = lines.draw_hits + lines.draw_misses
    stdout.write(f"    line-break cache (core/pdf_lines.py): {lines.hits} of {looked_up} line breaks "
                 f"({100 * lines.hits / max(looked_up, 1):.0f} %) and {lines.draw_hits} of {drawn} drawn lines "
                 f"({100 * lines.draw_hits / max(drawn, 1):.0f} %) reused across the {m} letters\n")
    painted = lines.paint_hits + lines.paint_misses + lines.paint_uncached
    stdout.write(f"    painted lines (glyph walk): {lines.paint_hits} of {painted} replayed "
                 f"({100 * lines.paint_hits / max(painted, 1):.0f} %), {lines.paint_misses} recorded, "
                 f"{lines.paint_uncached} drawn by WeasyPrint\n")
    if memory is not None:
        renderer = "real renderer" if options.get("memory_real") else "stand-in renderer, everything else real"
        stdout.write(f"  memory, bulk job of {memory_n} letters ({renderer}, run first): "
                     f"process peak RSS {memory['rss_before'] / 1024:.0f} MB before, {memory['rss'] / 1024:.0f} MB "
                     f"after (+{memory['rss_growth'] / 1024:.0f} MB); ZIP + merged PDF step peak Python allocations "
                     f"{memory['traced'] / 1024 / 1024:.1f} MB (tracemalloc), ZIP {memory['zip'] / 1024 / 1024:.0f} MB; "
                     f"{memory['seconds']:.0f} s\n")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    stdout.write(f"  process peak RSS at the end of the benchmark: {peak / 1024:.0f} MB\n")


def _sample_pdf() -> bytes:
    """A real letter of the benchmark's kind (4 pages), rendered once, for the memory run's stand-in renderer."""
    organiser, organisation, employer = _world("sample")
    [case] = _cases("sample", 1, organisation, employer)
    html = letter_html(case, kind=LetterKind.REQUEST, today=TODAY)
    return core_pdf.render_pdf(html, metadata=letter_metadata(case), footer=letter_footer(case, "SAMPLE00"))


def _memory_run(n: int, pdf: bytes | None) -> dict:
    """Peak memory of a whole job of ``n`` letters with a stand-in renderer returning ``pdf`` (see the module
    docstring; None: the real renderer and its line cache): the process's peak RSS before and after
    (``getrusage``), and the Python allocations' peak (``tracemalloc``) of the ZIP + merged PDF step, the one step
    that reads every letter."""
    organiser, organisation, employer = _world("memory")
    _cases("memory", n, organisation, employer)
    original = core_pdf.render_pdf
    if pdf is not None:  # the stand-in; None: render each letter for real (--memory-real)
        core_pdf.render_pdf = lambda *args, **kwargs: pdf
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        job = bulk_job_start(organisation=organisation, user=organiser, today=TODAY)
        bulk_job_step(job_id=job.pk, today=TODAY)  # lists the letters
        while job.items.filter(state__in=["pending", "running"]).exists():
            bulk_job_step(job_id=job.pk, today=TODAY)
        tracemalloc.start()
        bulk_job_step(job_id=job.pk, today=TODAY)  # the ZIP and the merged PDF
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        core_pdf.render_pdf = original
    job.refresh_from_db()
    assert job.done == n and job.state == "finished", f"the memory run produced {job.done} of {n} letters"
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"traced": peak, "rss_before": rss_before, "rss": rss, "rss_growth": rss - rss_before,
            "seconds": time.perf_counter() - started, "zip": job.zip_file.size}
