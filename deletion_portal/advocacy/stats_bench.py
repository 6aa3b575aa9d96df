"""``python manage.py bench stats --cases N``: the outcome statistics at scale, measured (PostgreSQL).

Builds N cases across 2,000 employers with set-based SQL (``INSERT … SELECT generate_series``): one
employer holds every tenth (100,000 of 1,000,000: "the employer with 100,000 cases"), the others share
the rest; three laws (85 / 10 / 5 %), receipt spread over two years, answered on time / late / not at all,
acknowledgements, extensions, refusals with grounds, identity requests (some asking an ID copy), a
response event with a checklist item for a quarter of the answered cases, final follow-up letters.
Then VACUUM ANALYZE, one refresh of the precomputed counts (``stats_store``), and, each timed ``--repeat``
times (p50 / p95, after one warm-up): the data of the public page of the big employer (the release and
the report: every figure and filter), of an average employer, the ranking; for comparison the same
release computed straight from the case rows; how long until an event shows; forgetting a case.
Deleted afterwards unless ``--keep``.

Campaigns and consents do not exist yet: the bench counts every case (the figures take a queryset;
the consent rule will add one semi-join on the consent rows).
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

BENCH_EMAIL = "bench-stats@bench.invalid"
EMPLOYER_PREFIX = "Bench Stats Employer "
EMPLOYERS = 2000


def _columns_sql(model, overrides: dict[str, str]) -> tuple[str, str, dict]:
    """Every concrete column of ``model``: the ``overrides`` (SQL expressions over ``g`` and named params),
    else the field's default as a named parameter (so fields added later still work)."""
    columns, values, params = [], [], {}
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(connection.ops.quote_name(f.column))
        if f.name in overrides or f.attname in overrides:
            values.append(overrides.get(f.name, overrides.get(f.attname)))
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            values.append("now()")
        else:
            default = f.get_default()
            if default is None and not f.null:
                raise CommandError(f"bench stats: {model.__name__}.{f.name} has no default; add it to the overrides.")
            name = f"default_{f.column}"
            values.append(f"%({name})s")
            params[name] = f.get_db_prep_save(default, connection)
    return ", ".join(columns), ", ".join(values), params


def _populate(n: int, owner, laws: list[str]) -> tuple[int, list[int]]:
    from deletion_portal.cases.models import Case
    from deletion_portal.employers.models import Employer

    today = timezone.localdate()
    employers = Employer.objects.bulk_create(
        [Employer(legal_name=f"{EMPLOYER_PREFIX}{i:04d} (benchmark data)", country="DE") for i in range(EMPLOYERS)],
        batch_size=1000)
    ids = [e.pk for e in employers]
    big = ids[0]
    # Deterministic pseudo-random numbers per case (a hash, not g·m mod n, whose patterns left some laws of
    # the big employer with no late answer at all).
    r = lambda salt, mod: f"((hashint8(g::bigint * 1000003 + {salt}) & 2147483647) %% {mod})"  # noqa: E731
    received = f"(%(today)s::date - 30 - {r(7919, 720)}::int)"
    answered = f"({received} + 51 < %(today)s::date AND {r(31337, 100)} < 80)"
    on_time = f"({r(31337, 100)} < 60)"
    answered_on = (f"CASE WHEN {answered} THEN {received} + CASE WHEN {on_time} THEN 1 + {r(31337, 100)}::int %% 28 "
                   f"ELSE 31 + {r(31337, 100)}::int %% 20 END END")
    cols, vals, params = _columns_sql(Case, {
        "owner": "%(owner)s",
        # Every tenth case is the big employer's, so its rows are spread over the table as in real life.
        "employer": f"CASE WHEN g %% 10 = 0 THEN %(big)s ELSE (%(others)s::bigint[])[1 + g %% {len(ids) - 1}] END",
        "reference": "'BS' || lpad(g::text, 10, '0')",
        "access_secret": "md5(g::text)",
        "status": f"CASE WHEN {answered} THEN 'answered' ELSE 'sent' END",
        "law_key": f"CASE WHEN {r(104729, 100)} < 85 THEN %(law0)s WHEN {r(104729, 100)} < 95 THEN %(law1)s "
                   f"ELSE %(law2)s END",
        "region": "'DE-BY'", "language": "'en'", "work_country": "'DE'", "sent_outside_portal": "true",
        "received_on": received, "respond_by": f"{received} + 30", "received_confirmed": "true",
        "outcome": f"CASE WHEN {answered} THEN CASE WHEN {r(48611, 100)} < 8 THEN 'refused' ELSE 'answered' END "
                   "ELSE '' END",
        "answered_on": answered_on,
        "on_time": f"CASE WHEN {answered} THEN {on_time} END",
        "acknowledged_on": f"CASE WHEN {r(15485863, 100)} < 70 THEN {received} + 3 END",
        "extended": f"{r(2750159, 100)} < 10",
        "refused": f"{answered} AND {r(48611, 100)} < 8",
    })
    params.update({"owner": owner.pk, "big": big, "others": ids[1:], "today": today, "n": n,
                   "law0": laws[0], "law1": laws[1], "law2": laws[2]})
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO cases_case ({cols}) SELECT {vals} FROM generate_series(1, %(n)s) AS g", params)
        cursor.execute("ANALYZE cases_case")  # or the planner takes a million rows for one
        event_cols = ("case_id, kind, \"on\", details, source, recorded_at, actor_id, attachment_id, team_id")
        cursor.execute(
            f"INSERT INTO cases_caseevent ({event_cols}) SELECT id, 'identity_requested', received_on + 5, "
            "jsonb_build_object('id_copy', id %% 3 = 0), 'employer', now(), NULL, NULL, NULL "
            "FROM cases_case WHERE owner_id = %(owner)s AND id %% 10 = 0", params)
        cursor.execute(
            f"INSERT INTO cases_caseevent ({event_cols}) SELECT id, 'refused', answered_on, "
            "jsonb_build_object('ground_codes', jsonb_build_array(CASE WHEN id %% 2 = 0 THEN 'bench_ground_a' "
            "ELSE 'bench_ground_b' END)), 'employer', now(), NULL, NULL, NULL "
            "FROM cases_case WHERE owner_id = %(owner)s AND refused", params)
        cursor.execute(
            f"INSERT INTO cases_caseevent ({event_cols}) SELECT id, 'response_received', answered_on, '{{}}'::jsonb, "
            "'portal', now(), NULL, NULL, NULL "
            "FROM cases_case WHERE owner_id = %(owner)s AND answered_on IS NOT NULL AND NOT refused AND id %% 4 = 0",
            params)
        cursor.execute("ANALYZE cases_caseevent")
        cursor.execute(
            "INSERT INTO tracking_checklistitem (case_id, response_id, code, label, answered, set_by) "
            "SELECT e.case_id, e.id, 'art15_1_c', 'the recipients', e.id %% 5 < 3, '' FROM cases_caseevent e "
            "JOIN cases_case c ON c.id = e.case_id WHERE e.kind = 'response_received' AND c.owner_id = %(owner)s", params)
        cursor.execute(
            "INSERT INTO cases_letter (case_id, kind, language, short_id, template_version, html, pdf, sha256, "
            "is_final, created_at, finalised_at) "
            "SELECT id, 'follow_up', 'en', 'F' || lpad(id::text, 7, '0'), 'bench', '', '', '', true, now(), now() "
            "FROM cases_case WHERE owner_id = %(owner)s AND answered_on IS NULL AND respond_by < %(today)s "
            "AND id %% 3 = 0", params)
    return big, ids


def bench_cleanup(owner) -> None:
    from deletion_portal.employers.models import Employer

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM tracking_checklistitem t USING cases_case c WHERE t.case_id = c.id AND c.owner_id = %s",
                       [owner.pk])
        cursor.execute("DELETE FROM cases_letter l USING cases_case c WHERE l.case_id = c.id AND c.owner_id = %s", [owner.pk])
        cursor.execute("DELETE FROM cases_caseevent e USING cases_case c WHERE e.case_id = c.id AND c.owner_id = %s",
                       [owner.pk])
        cursor.execute("DELETE FROM cases_case WHERE owner_id = %s", [owner.pk])
    from deletion_portal.advocacy.stats_models import OutcomeLeaf

    OutcomeLeaf.objects.filter(employer__legal_name__startswith=EMPLOYER_PREFIX).delete()
    Employer.objects.filter(legal_name__startswith=EMPLOYER_PREFIX).delete()
    owner.delete()


def _timed(function, repeat: int) -> tuple[list[float], int]:
    function()  # warm-up
    times = []
    with CaptureQueriesContext(connection) as queries:
        function()
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times, len(queries.captured_queries)


def _p(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def bench_stats(stdout, options) -> dict:
    from unittest import mock

    from django.contrib.auth import get_user_model

    from deletion_portal.advocacy import figures as figures_module
    from deletion_portal.advocacy import stats_store
    from deletion_portal.advocacy.reports import Filters, outcomes_report
    from deletion_portal.cases.models import Case
    from deletion_portal.laws.registry import regime_keys

    if connection.vendor != "postgresql":
        raise CommandError("bench stats needs PostgreSQL: set DATABASE_URL=postgresql://…")
    n = int(options.get("cases") or 1_000_000)
    repeat = int(options.get("repeat") or 20)
    User = get_user_model()
    stale = User.objects.filter(email=BENCH_EMAIL).first()
    if stale is not None:
        bench_cleanup(stale)
    owner = User.objects.create_user(email=BENCH_EMAIL, password=None)
    laws = list(regime_keys())[:3]
    today = timezone.localdate()
    figures: dict = {"cases": n}
    # No statistics consent exists yet: the bench counts every bench case.
    counted = mock.patch.object(figures_module, "cases_counted_in_statistics",
                                lambda: Case.objects.filter(owner=owner))
    try:
        counted.start()
        start = time.perf_counter()
        with transaction.atomic():
            big, ids = _populate(n, owner, laws)
        built = time.perf_counter() - start
        with connection.cursor() as cursor:
            for table in ("cases_case", "cases_caseevent", "cases_letter", "tracking_checklistitem"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        figures["build_seconds"] = round(time.perf_counter() - start, 1)
        stdout.write(f"Built {n:,} cases across {EMPLOYERS:,} employers in {built:.1f} s "
                     f"(+ VACUUM ANALYZE: {figures['build_seconds']} s in all).")
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as refresh_queries:
            leaves = stats_store.statistics_refresh(today=today)
        figures["refresh_seconds"] = round(time.perf_counter() - start, 1)
        stdout.write(f"refresh of the precomputed counts: {figures['refresh_seconds']} s "
                     f"({leaves:,} leaves, {len(refresh_queries.captured_queries)} queries)")
        big_n = Case.objects.filter(employer_id=big).count()
        mid = ids[len(ids) // 2]
        mid_n = Case.objects.filter(employer_id=mid).count()

        def page(employer_id):
            def run():
                release, _ = stats_store.employer_release(employer_id)
                outcomes_report(release, Filters(), scope={}, today=today)
                outcomes_report(release, Filters(law=laws[0], year=str(today.year)), scope={}, today=today)
            return run

        for label, key, function in (
            (f"public page of the employer with {big_n:,} cases", "big_employer_page", page(big)),
            (f"public page of an average employer ({mid_n:,} cases)", "average_employer_page", page(mid)),
            (f"ranking of {EMPLOYERS:,} employers over {n:,} cases", "ranking", stats_store.ranking),
        ):
            times, queries = _timed(function, repeat)
            figures[key] = {"p50_ms": round(_p(times, 0.5), 1), "p95_ms": round(_p(times, 0.95), 1), "queries": queries}
            stdout.write(f"{label}: p50 {figures[key]['p50_ms']} ms, p95 {figures[key]['p95_ms']} ms "
                         f"({queries} queries, {repeat} runs)")

        # The printable report (PDF) of the big employer's public page: the same report, rendered by core.pdf.
        from deletion_portal.advocacy import stats_pdf
        from deletion_portal.advocacy.stats_views import employer_report, report_sections
        from deletion_portal.employers.models import Employer

        employer = Employer.objects.get(pk=big)

        def printable():
            context = {"employer": employer, **report_sections(employer_report(employer, Filters())), "law_name": ""}
            return stats_pdf.report_pdf(context, heading=f"Outcomes of requests to {employer.legal_name}",
                                        footer="page {page} of {pages}")

        times, queries = _timed(printable, max(2, min(repeat, 5)))
        figures["big_employer_pdf"] = {"p50_ms": round(_p(times, 0.5), 1), "p95_ms": round(_p(times, 0.95), 1),
                                       "queries": queries}
        stdout.write(f"printable report (PDF) of the employer with {big_n:,} cases: p50 "
                     f"{figures['big_employer_pdf']['p50_ms']} ms, p95 {figures['big_employer_pdf']['p95_ms']} ms "
                     f"({queries} queries, {max(2, min(repeat, 5))} runs)")

        # Straight from the case rows (no precomputed counts), for comparison: why the leaves exist.
        times, queries = _timed(lambda: figures_module.outcomes_release(Case.objects.filter(employer_id=big), today=today),
                                max(2, repeat // 5))
        figures["big_employer_from_rows"] = {"p50_ms": round(_p(times, 0.5), 1), "queries": queries}
        stdout.write(f"(the same release computed from the {big_n:,} case rows instead: p50 {_p(times, 0.5):.0f} ms)")

        # An event: a late answer recorded on an unanswered case of the big employer (the outcome columns
        # case_recompute writes in the event's transaction). It shows after the next refresh.
        case = Case.objects.filter(employer_id=big, law_key=laws[0], answered_on__isnull=True,
                                   respond_by__lt=today - timedelta(days=60)).first()
        before = stats_store.employer_release(big)[0].row("status", law=case.law_key)
        start = time.perf_counter()
        with transaction.atomic():
            Case.objects.filter(pk=case.pk).update(answered_on=today, on_time=False, outcome="answered", status="answered")
        stats_store.statistics_refresh(today=today)
        after = stats_store.employer_release(big)[0].row("status", law=case.law_key)
        visible = time.perf_counter() - start
        shown = before.count("late") is not None and after.count("late") == before.count("late") + 1
        figures["event_visible_seconds"] = round(visible, 1)
        stdout.write(f"an event shows in the figures at the next refresh: within STATS_REFRESH_SECONDS "
                     f"({settings.STATS_REFRESH_SECONDS} s) + {visible:.1f} s "
                     f"({'checked: late +1' if shown else 'row suppressed, not checked'})")
        # A consent withdrawal: the case's leaf is recomputed at once, without it.
        start = time.perf_counter()
        stats_store.statistics_forget(case_ids=[case.pk], today=today)
        figures["forget_ms"] = round((time.perf_counter() - start) * 1000, 1)
        stdout.write(f"forgetting a case (consent withdrawn): {figures['forget_ms']} ms, in the withdrawal's transaction")
    finally:
        counted.stop()
        if not options.get("keep"):
            bench_cleanup(owner)
    return figures
