"""``python manage.py bench stats --cases N``: the outcome statistics at scale, measured (PostgreSQL).

Builds N cases across 2,000 employers with set-based SQL (``INSERT … SELECT generate_series``): one
employer holds every tenth (100,000 of 1,000,000: "the employer with 100,000 cases"), the others share
the rest; three laws (85 / 10 / 5 %), receipt spread over two years, answered on time / late / not at all,
acknowledgements, extensions, refusals with grounds, identity requests (some asking an ID copy), a
response event with a checklist item for a quarter of the answered cases, final follow-up letters.
The people who count: 200 campaigns of 20 organisations (every tenth campaign does NOT publish); campaign 0
holds 45 % of the big employer's cases and the cases of ten other employers (≈ 50,000 of 1,000,000), nine
more share the rest of the big employer, and each of the others targets ≈ 10 employers. Every case is a member
of one campaign, one in twenty of a second one (joined later: the attribution rule decides); 90 % consented to
statistics, and one in thirty of those withdrew again. The real selector decides who counts.
Then VACUUM ANALYZE, one full refresh of the precomputed counts (``stats_store``) and one incremental one, and,
each timed ``--repeat`` times (p50 / p95, after one warm-up): the data of the public page of the big employer
(the release and the report: every figure and filter), of an average employer, the ranking, the dashboard of
campaign 0 (its release consistent with the public pages, the report and the table per employer) and of a
non-publishing campaign (live from its cases); for comparison the same public release computed straight from
the case rows; how long until an event shows (an incremental refresh); forgetting a case.
Deleted afterwards unless ``--keep``.
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
        "extension_valid": f"CASE WHEN {r(2750159, 100)} < 10 THEN {r(1299709, 100)} < 80 END",
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
        _memberships(cursor, owner, big, ids, params)
        cursor.execute(
            "INSERT INTO cases_letter (case_id, kind, language, short_id, template_version, html, pdf, sha256, "
            "is_final, created_at, finalised_at) "
            "SELECT id, 'follow_up', 'en', 'F' || lpad(id::text, 7, '0'), 'bench', '', '', '', true, now(), now() "
            "FROM cases_case WHERE owner_id = %(owner)s AND answered_on IS NULL AND respond_by < %(today)s "
            "AND id %% 3 = 0", params)
    return big, ids


CAMPAIGNS = 200
ORGANISATIONS = 20


def campaign_slug(i: int) -> str:
    return f"bench-stats-campaign-{i:03d}"


def _memberships(cursor, owner, big: int, ids: list[int], params: dict) -> None:
    """The campaigns, their members and statistics consents (set-based SQL)."""
    from deletion_portal.advocacy.models import Campaign, CampaignMember, Consent, Organisation

    organisations = Organisation.objects.bulk_create(
        [Organisation(name=f"{EMPLOYER_PREFIX}organisation {i:02d}", country="DE") for i in range(ORGANISATIONS)])
    campaigns = Campaign.objects.bulk_create([
        Campaign(organisation=organisations[i % ORGANISATIONS], title=f"Bench campaign {i:03d}", slug=campaign_slug(i),
                 state="open", publish_statistics=i % 10 != 9, created_by=owner) for i in range(CAMPAIGNS)])
    c = [x.pk for x in campaigns]
    others = ids[1:]
    # The campaign of an employer other than the big one: 10 + its index mod 190 (campaign 0 takes index ≡ 0 mod 190).
    employer_campaign = {e: c[0] if i % 190 == 0 else c[10 + i % 190] for i, e in enumerate(others)}
    through = Campaign.employers.through
    through.objects.bulk_create([through(campaign_id=camp, employer_id=e) for e, camp in employer_campaign.items()]
                                + [through(campaign_id=c[i], employer_id=big) for i in range(10)])
    cursor.execute("CREATE TEMP TABLE bench_employer_campaign (employer_id bigint PRIMARY KEY, campaign_id bigint)")
    cursor.execute("INSERT INTO bench_employer_campaign SELECT * FROM unnest(%s::bigint[], %s::bigint[])",
                   [list(employer_campaign), list(employer_campaign.values())])
    h = lambda salt, mod: f"((hashint8(x.id * 7919 + {salt}) & 2147483647) %% {mod})"  # noqa: E731
    cols, vals, mparams = _columns_sql(CampaignMember, {
        "campaign": f"CASE WHEN x.employer_id = %(big)s THEN CASE WHEN {h(11, 100)} < 45 THEN %(c0)s "
                    f"ELSE (%(c)s::bigint[])[2 + {h(13, 9)}] END ELSE ec.campaign_id END",
        "case": "x.id", "joined_at": "now() - interval '1 day' * (x.id %% 300)",
    })
    mparams.update(params, big=big, c0=c[0], c=c)
    cursor.execute(f"INSERT INTO advocacy_campaignmember ({cols}) SELECT {vals} FROM cases_case x "
                   f"LEFT JOIN bench_employer_campaign ec ON ec.employer_id = x.employer_id "
                   f"WHERE x.owner_id = %(owner)s", mparams)
    # One in twenty joins a second campaign, later (the next campaign id).
    cols, vals, sparams = _columns_sql(CampaignMember, {
        "campaign": f"(%(c)s::bigint[])[1 + (array_position(%(c)s::bigint[], m.campaign_id) %% {CAMPAIGNS})]",
        "case": "m.case_id", "joined_at": "m.joined_at + interval '1 hour'",
    })
    sparams.update(params, c=c)
    cursor.execute(f"INSERT INTO advocacy_campaignmember ({cols}) SELECT {vals} FROM advocacy_campaignmember m "
                   f"JOIN cases_case x ON x.id = m.case_id WHERE x.owner_id = %(owner)s AND x.id %% 20 = 7", sparams)
    cols, vals, cparams = _columns_sql(Consent, {
        "member": "m.id", "kind": "'statistics'", "given": "true", "wording_version": "'bench'",
        "at": "m.joined_at + interval '1 minute'", "actor": "NULL"})
    cparams.update(params)
    members = ("FROM advocacy_campaignmember m JOIN cases_case x ON x.id = m.case_id WHERE x.owner_id = %(owner)s")
    cursor.execute(f"INSERT INTO advocacy_consent ({cols}) SELECT {vals} {members} AND m.id %% 10 <> 3", cparams)
    cols, vals, wparams = _columns_sql(Consent, {
        "member": "m.id", "kind": "'statistics'", "given": "false", "wording_version": "'bench'",
        "at": "m.joined_at + interval '2 minutes'", "actor": "NULL"})
    wparams.update(params)
    cursor.execute(f"INSERT INTO advocacy_consent ({cols}) SELECT {vals} {members} AND m.id %% 30 = 1", wparams)
    cursor.execute("ANALYZE advocacy_campaignmember")
    cursor.execute("ANALYZE advocacy_consent")


def bench_cleanup(owner) -> None:
    from deletion_portal.employers.models import Employer

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM advocacy_consent s USING advocacy_campaignmember m, cases_case c "
                       "WHERE s.member_id = m.id AND m.case_id = c.id AND c.owner_id = %s", [owner.pk])
        cursor.execute("DELETE FROM advocacy_statisticsattribution a USING cases_case c WHERE a.case_id = c.id "
                       "AND c.owner_id = %s", [owner.pk])
        cursor.execute("DELETE FROM advocacy_campaignmember m USING cases_case c WHERE m.case_id = c.id "
                       "AND c.owner_id = %s", [owner.pk])
        cursor.execute("DELETE FROM tracking_checklistitem t USING cases_case c WHERE t.case_id = c.id AND c.owner_id = %s",
                       [owner.pk])
        cursor.execute("DELETE FROM cases_letter l USING cases_case c WHERE l.case_id = c.id AND c.owner_id = %s", [owner.pk])
        cursor.execute("DELETE FROM cases_caseevent e USING cases_case c WHERE e.case_id = c.id AND c.owner_id = %s",
                       [owner.pk])
        cursor.execute("DELETE FROM cases_case WHERE owner_id = %s", [owner.pk])
    from deletion_portal.advocacy.models import Campaign, Organisation
    from deletion_portal.advocacy.stats_models import OutcomeDirty, OutcomeLeaf

    OutcomeLeaf.objects.filter(employer__legal_name__startswith=EMPLOYER_PREFIX).delete()
    OutcomeDirty.objects.filter(employer__legal_name__startswith=EMPLOYER_PREFIX).delete()
    Campaign.objects.filter(slug__startswith="bench-stats-campaign-").delete()
    Organisation.objects.filter(name__startswith=EMPLOYER_PREFIX).delete()
    Employer.objects.filter(legal_name__startswith=EMPLOYER_PREFIX).delete()
    owner.delete()


def _timed(function, repeat: int) -> tuple[list[float], int]:
    function()  # warm-up
    times = []
    connection.queries_log.clear()  # a full log (over 9,000 queries: the refresh) would count 0 queries here
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
    from django.contrib.auth import get_user_model

    from deletion_portal.advocacy import figures as figures_module
    from deletion_portal.advocacy import stats_models, stats_store
    from deletion_portal.advocacy.models import Campaign, CampaignMember, Consent, ConsentKind
    from deletion_portal.advocacy.reports import Filters, outcomes_report
    from deletion_portal.advocacy.stats_views import campaign_report, private_release_live
    from deletion_portal.cases.models import Case, CaseEvent, EventKind
    from deletion_portal.laws.registry import regime_keys

    if options.get("release_only"):
        return release_bench(stdout, options)
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
    try:
        start = time.perf_counter()
        with transaction.atomic():
            big, ids = _populate(n, owner, laws)
        built = time.perf_counter() - start
        with connection.cursor() as cursor:
            for table in ("cases_case", "cases_caseevent", "cases_letter", "tracking_checklistitem",
                          "advocacy_campaignmember", "advocacy_consent"):
                cursor.execute(f"VACUUM ANALYZE {table}")
        figures["build_seconds"] = round(time.perf_counter() - start, 1)
        counted = figures_module.cases_counted_in_statistics().filter(owner=owner).count()
        stdout.write(f"Built {n:,} cases across {EMPLOYERS:,} employers in {built:.1f} s "
                     f"(+ VACUUM ANALYZE: {figures['build_seconds']} s in all); {CAMPAIGNS} campaigns, "
                     f"{counted:,} cases counted in the public figures.")
        from deletion_portal.advocacy.stats_models import StatisticsState

        StatisticsState.objects.all().delete()  # a first full refresh: the watermarks start at what it read
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as refresh_queries:
            leaves = stats_store.statistics_refresh(today=today, full=True)
        figures["refresh_seconds"] = round(time.perf_counter() - start, 1)
        stdout.write(f"refresh of the precomputed counts: {figures['refresh_seconds']} s (full: "
                     f"{leaves:,} leaves, {len(refresh_queries.captured_queries)} queries)")
        start = time.perf_counter()
        stats_store.statistics_refresh(today=today)
        figures["incremental_idle_seconds"] = round(time.perf_counter() - start, 2)
        stdout.write(f"an incremental refresh with nothing changed: {figures['incremental_idle_seconds']} s")
        big_n = Case.objects.filter(employer_id=big).count()
        mid = ids[len(ids) // 2]
        mid_n = Case.objects.filter(employer_id=mid).count()
        campaign = Campaign.objects.get(slug=campaign_slug(0))
        private = Campaign.objects.get(slug=campaign_slug(19))
        campaign_n = CampaignMember.objects.filter(campaign=campaign).count()
        private_n = CampaignMember.objects.filter(campaign=private).count()

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
            (f"dashboard of a publishing campaign with {campaign_n:,} cases", "campaign_dashboard",
             lambda: campaign_report(campaign, Filters(), today=today)),
            (f"dashboard of a non-publishing campaign with {private_n:,} cases (precomputed leaves)",
             "private_dashboard", lambda: campaign_report(private, Filters(), today=today)),
            ("  (the same counted live from its cases, as before its first refresh)", "private_dashboard_live",
             lambda: private_release_live(private, today=today)),
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
        times, queries = _timed(lambda: figures_module.outcomes_release(
            figures_module.cases_counted_in_statistics().filter(employer_id=big), today=today), 2)
        figures["big_employer_from_rows"] = {"p50_ms": round(_p(times, 0.5), 1), "queries": queries}
        stdout.write(f"(the same release computed from the {big_n:,} case rows instead: p50 {_p(times, 0.5):.0f} ms)")

        # An event: a late answer recorded on a counted, unanswered case of the big employer (the outcome columns
        # case_recompute writes, and the timeline event, in one transaction). It shows after the next refresh.
        case = (figures_module.cases_counted_in_statistics().filter(
            employer_id=big, law_key=laws[0], answered_on__isnull=True, respond_by__lt=today - timedelta(days=60))
            .order_by("pk").first())

        def late_in_leaves():  # what the precomputed counts hold, before any suppression
            leaves = stats_models.OutcomeLeaf.objects.filter(employer_id=big, law_key=case.law_key, month__isnull=False)
            return sum(data["counts"].get("status", {}).get("late", 0) for data in leaves.values_list("data", flat=True))

        before = late_in_leaves()
        with transaction.atomic():
            Case.objects.filter(pk=case.pk).update(answered_on=today, on_time=False, outcome="answered", status="answered")
            CaseEvent.objects.create(case=case, kind=EventKind.RESPONSE_RECEIVED, on=today)
        start = time.perf_counter()
        stats_store.statistics_refresh(today=today)
        visible = time.perf_counter() - start
        shown = late_in_leaves() == before + 1
        figures["event_visible_seconds"] = round(visible, 1)
        stdout.write(f"an event shows in the figures at the next refresh: within STATS_REFRESH_SECONDS "
                     f"({settings.STATS_REFRESH_SECONDS} s) + {visible:.1f} s, the incremental refresh of its employer "
                     f"({'checked: late +1' if shown else 'NOT seen in the counts'})")
        # A consent withdrawal: the case's leaves are recomputed at once, without it.
        member = CampaignMember.objects.filter(case=case).first()
        start = time.perf_counter()
        with transaction.atomic():
            Consent.objects.create(member=member, kind=ConsentKind.STATISTICS, given=False, wording_version="bench")
            stats_store.statistics_uncount(case_ids=[case.pk], today=today)
        figures["forget_ms"] = round((time.perf_counter() - start) * 1000, 1)
        stdout.write(f"forgetting a case (consent withdrawn): {figures['forget_ms']} ms, in the withdrawal's transaction")
    finally:
        if not options.get("keep"):
            bench_cleanup(owner)
    return figures


# --- ``bench stats --release-only``: the release alone, in pure Python (no database) ---------------------------

def synthetic_leaves(*, campaigns: int = 10, cases: int = 80_000, months: int = 24, seed: int = 11,
                     laws: tuple[str, ...] = ("law-a", "law-b", "law-c")) -> dict:
    """An employer's public leaves of the big employer's shape: ``campaigns`` × 3 laws (85 / 10 / 5 %) × ``months``
    (≈ 720 leaves), with realistic counts of every base variable, refusal grounds and checklist items (random but
    seeded: the same leaves every run, so the published content can be compared byte for byte)."""
    import random

    from deletion_portal.advocacy import figures
    from deletion_portal.advocacy.disclosure import Leaf

    rng = random.Random(seed)
    extra = [f"refused_ground:g{i}" for i in range(4)] + [f"item:i{i}" for i in range(6)]
    leaves: dict = {}
    law_share = (0.85, 0.10, 0.05)
    campaign_weights = [0.45] + [0.55 / (campaigns - 1)] * (campaigns - 1) if campaigns > 1 else [1.0]
    for c in range(campaigns):
        for law, share in zip(laws, law_share, strict=False):
            for m in range(months):
                year, month = 2025 + m // 12, m % 12 + 1
                n = max(0, int(rng.gauss(cases * campaign_weights[c] * share / months, 3)))
                if n <= 0:
                    continue
                counts = {}
                for variable in figures.BASE_VARIABLES:
                    applicable = rng.randint(n * 3 // 4, n)
                    split = sorted(rng.randint(0, applicable) for _ in variable.codes[1:])
                    bounds = [0, *split, applicable]
                    counts[variable.key] = {code: bounds[i + 1] - bounds[i] for i, code in enumerate(variable.codes)}
                for key in extra:
                    yes = rng.randint(0, n // 4)
                    counts[key] = {"yes": yes, "no": rng.randint(0, n // 4)}
                days: dict = {}
                for _ in range(min(n, 40)):
                    d = rng.randint(1, 60)
                    days[d] = days.get(d, 0) + max(1, n // 40)
                leaves[(str(c), law, f"{year:04d}", f"{year:04d}-{month:02d}")] = Leaf(cases=n, counts=counts, days=days)
    return leaves


def release_bench(stdout, options) -> dict:
    """Time (p50 / p95 of wall time, and the median CPU time of the process: steadier on a shared machine) building the big employer's public release and its two
    reports, and a publishing campaign's dashboard release over 11 employers, from synthetic leaves; print a hash of
    everything they publish (the proof that a speed change changed no decision)."""
    import hashlib

    from deletion_portal.advocacy import figures
    from deletion_portal.advocacy.disclosure import Variable, build_release, imposed_subtrees
    from deletion_portal.advocacy.reports import Filters, outcomes_report
    from deletion_portal.advocacy.stats_store import CAMPAIGN_LEVELS

    repeat = int(options.get("repeat") or 20)
    k = 5
    today = timezone.localdate()
    leaves = synthetic_leaves()
    labels = sorted({key for leaf in leaves.values() for key in leaf.counts} - {v.key for v in figures.BASE_VARIABLES})
    variables = figures.BASE_VARIABLES + tuple(Variable(key, key, figures.extra_categories(key)) for key in labels)

    def employer(leaves=leaves):
        return build_release(leaves=leaves, levels=figures.PUBLIC_LEVELS, variables=variables, k=k,
                             answer_variable="status")

    def page():
        release = employer()
        outcomes_report(release, Filters(), scope={}, today=today)
        outcomes_report(release, Filters(law="law-a", year="2025"), scope={}, today=today)

    # A campaign ("0") counted at 11 employers: the big one and ten of ≈ 4,500 cases, 3 campaigns each.
    others = {str(e): synthetic_leaves(campaigns=3, cases=4_500, seed=100 + e) for e in range(1, 11)}
    employers = {"0": leaves, **others}

    def dashboard():
        publics = {e: employer(ls) for e, ls in employers.items()}
        mine = {("0", e, *key[1:]): leaf for e, ls in employers.items() for key, leaf in ls.items() if key[0] == "0"}
        return build_release(leaves=mine, levels=CAMPAIGN_LEVELS, variables=variables, k=k, answer_variable="status",
                             imposed=imposed_subtrees("0", publics))

    # What a page does with a stored release (``stats_store.store_releases``): unpickle it (what the cache does).
    import pickle

    stored_release = pickle.dumps(employer(), pickle.HIGHEST_PROTOCOL)
    stored_dashboard = pickle.dumps(dashboard(), pickle.HIGHEST_PROTOCOL)

    def stored_page():
        release = pickle.loads(stored_release)
        outcomes_report(release, Filters(), scope={}, today=today)
        outcomes_report(release, Filters(law="law-a", year="2025"), scope={}, today=today)

    figures_out: dict = {"leaves": len(leaves), "stored_release_bytes": len(stored_release),
                         "stored_dashboard_bytes": len(stored_dashboard)}
    for key, label, function in (("release_build", f"build the big employer's release ({len(leaves)} leaves)", employer),
                                 ("release_page", "the big employer's page data (release + two reports)", page),
                                 ("release_dashboard", "a publishing campaign's dashboard release (11 employers)",
                                  dashboard),
                                 ("stored_page", f"the big employer's page data from its stored release "
                                                 f"({len(stored_release):,} bytes unpickled + two reports)", stored_page),
                                 ("stored_dashboard", f"the dashboard release from its stored copy "
                                                      f"({len(stored_dashboard):,} bytes unpickled)",
                                  lambda: pickle.loads(stored_dashboard))):
        function()
        times, cpu = [], []
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            function()
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        figures_out[key] = {"p50_ms": round(_p(times, 0.5) * 1000, 1), "p95_ms": round(_p(times, 0.95) * 1000, 1),
                            "cpu_p50_ms": round(_p(cpu, 0.5) * 1000, 1)}
        stdout.write(f"{label}: p50 {figures_out[key]['p50_ms']} ms, p95 {figures_out[key]['p95_ms']} ms, CPU p50 "
                     f"{figures_out[key]['cpu_p50_ms']} ms ({repeat} runs)")
    digest = hashlib.sha256()
    digest.update(repr(sorted(employer().published().items())).encode())
    digest.update(repr(sorted(dashboard().published().items())).encode())
    figures_out["published_sha256"] = digest.hexdigest()
    stdout.write(f"published content sha256: {figures_out['published_sha256']}")
    return figures_out
