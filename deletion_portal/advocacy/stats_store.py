"""The precomputed outcome counts (``OutcomeLeaf``): refreshed by beat, read by the public pages.

Why precomputed: at 1,000,000 cases the grouped queries over the case rows take seconds for an employer
with 100,000 cases (their rows are spread over the whole table), far from the 300 ms a page may take. The
leaves are small (one row per employer, law and month), so a page reads one employer's ~100 rows and the
ranking 2,000 total rows.

* :func:`statistics_refresh` recomputes every leaf from the counted cases with the same grouped queries
  (``figures.outcome_counts(by_employer=True)``) and replaces them in one transaction: beat runs it every
  ``STATS_REFRESH_SECONDS`` (default: the sweep interval), so an event shows within one interval.
* :func:`statistics_forget` recomputes at once the leaves holding the given cases, without them: what a
  consent withdrawal (and an account deletion) must call in its transaction, so that no later figure —
  precomputed ones included — counts them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from deletion_portal.advocacy import figures
from deletion_portal.advocacy.disclosure import Leaf, Release, Variable, build_release
from deletion_portal.advocacy.stats_models import OutcomeLeaf
from deletion_portal.cases.models import Case


def _leaf_json(leaf: Leaf) -> dict:
    return {"cases": leaf.cases, "counts": leaf.counts, "days": {str(k): v for k, v in leaf.days.items()}}


def _leaf_from_json(data: dict) -> Leaf:
    return Leaf(cases=data.get("cases", 0), counts=data.get("counts", {}),
                days={int(k): v for k, v in data.get("days", {}).items()})


def _rows(counts: figures.Counts, now) -> list[OutcomeLeaf]:
    labels = {v.key: v.label for v in counts.variables if v not in figures.BASE_VARIABLES}
    rows, totals = [], {}
    for (employer_id, law, _year, month), leaf in counts.leaves.items():
        if employer_id is None or leaf.cases <= 0:
            continue
        data = _leaf_json(leaf)
        data["labels"] = {key: labels[key] for key in leaf.counts if key in labels}
        rows.append(OutcomeLeaf(employer_id=employer_id, law_key=law, month=date(int(month[:4]), int(month[5:7]), 1),
                                data=data, refreshed_at=now))
        total = totals.setdefault(employer_id, {"cases": 0, "status": {}})
        total["cases"] += leaf.cases
        for code, n in leaf.counts.get("status", {}).items():
            total["status"][code] = total["status"].get(code, 0) + n
    return rows, totals


def _total_rows(totals: dict, now) -> list[OutcomeLeaf]:
    return [OutcomeLeaf(employer_id=employer_id, law_key="", month=None,
                        data={"cases": t["cases"], "counts": {"status": t["status"]}}, refreshed_at=now)
            for employer_id, t in totals.items()]


#: The advisory lock that orders the WRITES of a refresh and of a forget (PostgreSQL; SQLite serialises
#: every write transaction anyway).
STATS_LOCK = 0x57A7_5_1EAF


def _write_lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [STATS_LOCK])


def _fingerprint() -> dict:
    """Per employer, how many cases count and the sum of their ids: changes when one is withdrawn or added."""
    return {row[0]: row[1:] for row in (figures.cases_counted_in_statistics().filter(received_on__isnull=False)
                                        .values("employer_id").order_by().annotate(n=Count("pk"), s=Sum("pk"))
                                        .values_list("employer_id", "n", "s"))}


def statistics_refresh(*, today: date | None = None) -> int:
    """Recompute every leaf from the counted cases; returns the number of leaf rows written.

    The counting runs outside the write lock (it takes long); a case withdrawn meanwhile must not come
    back: under the lock, the employers whose counted cases changed since the counting began are counted
    again, and a forget that comes later waits for this write and then recomputes its leaves."""
    today = today or timezone.localdate()
    now = timezone.now()
    before = _fingerprint()
    counts = figures.outcome_counts(figures.cases_counted_in_statistics(), today=today, by_employer=True)
    rows, totals = _rows(counts, now)
    with transaction.atomic():
        _write_lock()
        after = _fingerprint()
        changed = {e for e in set(before) | set(after) if before.get(e) != after.get(e)}
        if changed:
            again = figures.outcome_counts(figures.cases_counted_in_statistics().filter(employer_id__in=changed),
                                           today=today, by_employer=True)
            fresh_rows, fresh_totals = _rows(again, now)
            rows = [r for r in rows if r.employer_id not in changed] + fresh_rows
            totals = {e: t for e, t in totals.items() if e not in changed} | fresh_totals
        OutcomeLeaf.objects.all().delete()
        OutcomeLeaf.objects.bulk_create(rows + _total_rows(totals, now), batch_size=2000)
    return len(rows)


def statistics_forget(*, case_ids: Iterable[int], today: date | None = None) -> None:
    """Recompute now, without ``case_ids``, the leaves (and employer totals) that hold them."""
    case_ids = list(case_ids)
    today = today or timezone.localdate()
    now = timezone.now()
    with transaction.atomic():
        _write_lock()
        _forget(case_ids, today, now)


def statistics_uncount(*, case_ids: Iterable[int], today: date | None = None) -> None:
    """A change that may have stopped ``case_ids`` counting (a statistics consent withdrawn, a member leaving,
    a campaign unpublished): forget, in the caller's transaction, those of them that no longer count under
    :func:`figures.cases_counted_in_statistics` (a case still counted through another campaign stays)."""
    case_ids = set(case_ids)
    if not case_ids:
        return
    still = set(figures.cases_counted_in_statistics().filter(pk__in=case_ids).values_list("pk", flat=True))
    gone = case_ids - still
    if gone:
        statistics_forget(case_ids=gone, today=today)


def statistics_forget_places(*, places: Iterable[tuple], today: date | None = None) -> None:
    """Recompute the leaves at ``places`` ((employer id, law key, date received)) from the cases counted now:
    what a case's deletion calls once its row is gone (``post_delete``)."""
    leaves = {(e, law, received.replace(day=1)) for e, law, received in places if e is not None and received}
    if not leaves:
        return
    with transaction.atomic():
        _write_lock()
        _recount(leaves, [], today or timezone.localdate(), timezone.now())


def case_deleted_forget(sender, instance, **kwargs) -> None:
    """``post_delete`` of a Case (its deletion, an account's deletion): the leaf it was counted in is
    recomputed without it, in the deleting transaction."""
    if instance.received_on and instance.employer_id:
        statistics_forget_places(places=[(instance.employer_id, instance.law_key, instance.received_on)])


def _forget(case_ids: list[int], today: date, now) -> None:
    places = set(Case.objects.filter(pk__in=case_ids, received_on__isnull=False, employer__isnull=False)
                 .values_list("employer_id", "law_key", "received_on"))
    if not places:
        return
    leaves = {(employer_id, law, received.replace(day=1)) for employer_id, law, received in places}
    _recount(leaves, case_ids, today, now)


def _recount(leaves: set, case_ids: list[int], today: date, now) -> None:
    where = Q()
    for employer_id, law, month in leaves:
        end = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
        where |= Q(employer_id=employer_id, law_key=law, received_on__gte=month, received_on__lt=end)
    counted = figures.cases_counted_in_statistics().filter(where).exclude(pk__in=case_ids)
    rows, _ = _rows(figures.outcome_counts(counted, today=today, by_employer=True), now)
    employers = {employer_id for employer_id, _, _ in leaves}
    stale = Q()
    for employer_id, law, month in leaves:
        stale |= Q(employer_id=employer_id, law_key=law, month=month)
    OutcomeLeaf.objects.filter(stale).delete()
    OutcomeLeaf.objects.bulk_create(rows)
    OutcomeLeaf.objects.filter(employer_id__in=employers, month__isnull=True).delete()
    totals: dict = {}
    for leaf in OutcomeLeaf.objects.filter(employer_id__in=employers, month__isnull=False):
        total = totals.setdefault(leaf.employer_id, {"cases": 0, "status": {}})
        total["cases"] += leaf.data.get("cases", 0)
        for code, n in leaf.data.get("counts", {}).get("status", {}).items():
            total["status"][code] = total["status"].get(code, 0) + n
    OutcomeLeaf.objects.bulk_create(_total_rows(totals, now))


def employer_release(employer_id: int, *, k: int | None = None) -> tuple[Release, object]:
    """The release of an employer's precomputed leaves (one query), and when they were computed."""
    leaves, labels, refreshed = {}, {}, None
    for law, month, data, at in (OutcomeLeaf.objects.filter(employer_id=employer_id, month__isnull=False)
                                 .values_list("law_key", "month", "data", "refreshed_at")):
        leaves[(law, f"{month.year:04d}", f"{month.year:04d}-{month.month:02d}")] = _leaf_from_json(data)
        labels.update(data.get("labels", {}))
        refreshed = at if refreshed is None else min(refreshed, at)
    extra = tuple(Variable(key, label, figures.extra_categories(key)) for key, label in sorted(labels.items()))
    release = build_release(leaves=leaves, levels=figures.LEVELS, variables=figures.BASE_VARIABLES + extra,
                            k=figures.min_cell() if k is None else k, answer_variable="status")
    return release, refreshed


def ranking(*, k: int | None = None) -> list[figures.RankedEmployer]:
    """The ranking from the employers' total rows (two queries)."""
    totals = OutcomeLeaf.objects.filter(month__isnull=True).values_list("employer_id", "data")
    return figures.ranking_from_totals(((employer_id, data["cases"], data["counts"].get("status", {}))
                                        for employer_id, data in totals), k=k)
