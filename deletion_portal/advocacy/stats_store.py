"""The precomputed outcome counts (``OutcomeLeaf``): refreshed by beat, read by the public pages.

Why precomputed: at 1,000,000 cases the grouped queries over the case rows take seconds for an employer
with 100,000 cases (their rows are spread over the whole table), far from the 300 ms a page may take. The
leaves are small (one row per employer, law and month), so a page reads one employer's ~100 rows and the
ranking 2,000 total rows.

* :func:`statistics_refresh` recomputes the leaves of the employers whose figures may have changed (marked,
  or with a case event or a consent newer than the refresh before the last) with the same grouped queries
  (``figures.outcome_counts(by_employer=True)``, per publishing campaign) and replaces them in one transaction;
  the first refresh of a day recomputes every leaf (a date passing changes figures without an event). Beat
  runs it every ``STATS_REFRESH_SECONDS`` (default: a fifth of the sweep interval), so an event shows within one
  sweep interval, the refresh of its employer included.
* :func:`statistics_forget` recomputes at once the leaves holding the given cases, without them: what a
  consent withdrawal (and an account deletion) must call in its transaction, so that no later figure —
  precomputed ones included — counts them.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import date

from django.core.cache import caches
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone

from deletion_portal.advocacy import figures
from deletion_portal.advocacy.disclosure import Leaf, Release, Variable, build_release, imposed_subtrees
from deletion_portal.advocacy.stats_models import (
    OutcomeDirty,
    OutcomeLeaf,
    PrivateOutcomeLeaf,
    StatisticsAttribution,
    StatisticsState,
)
from deletion_portal.cases.models import Case

logger = logging.getLogger(__name__)


def _leaf_json(leaf: Leaf) -> dict:
    return {"cases": leaf.cases, "counts": leaf.counts, "days": {str(k): v for k, v in leaf.days.items()}}


def _leaf_from_json(data: dict) -> Leaf:
    return Leaf(cases=data.get("cases", 0), counts=data.get("counts", {}),
                days={int(k): v for k, v in data.get("days", {}).items()})


def _attribute(cases) -> None:
    """Rebuild the attribution (``StatisticsAttribution``) of ``cases`` (a Case queryset; None: every case):
    each counted case → its earliest counted membership's campaign (joined first, then the lower id)."""
    memberships = figures.statistics_memberships().filter(case__employer__isnull=False)
    if cases is None:
        StatisticsAttribution.objects.all().delete()
    else:
        StatisticsAttribution.objects.filter(case__in=cases.values("pk")).delete()
        memberships = memberships.filter(case__in=cases.values("pk"))
    if connection.vendor == "postgresql":
        sql, params = (memberships.order_by().values("case_id", "campaign_id", "joined_at", member_id=F("pk"),
                                                     attributed_employer=F("case__employer_id"))
                       .query.sql_with_params())
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {StatisticsAttribution._meta.db_table} (case_id, campaign_id, employer_id) "
                f"SELECT DISTINCT ON (q.case_id) q.case_id, q.campaign_id, q.attributed_employer FROM ({sql}) q "
                "ORDER BY q.case_id, q.joined_at, q.member_id", params)
        return
    first: dict = {}
    for case_id, campaign_id, employer_id in (memberships.order_by("case_id", "joined_at", "pk")
                                              .values_list("case_id", "campaign_id", "case__employer_id")):
        first.setdefault(case_id, (campaign_id, employer_id))
    StatisticsAttribution.objects.bulk_create(
        [StatisticsAttribution(case_id=case_id, campaign_id=c, employer_id=e) for case_id, (c, e) in first.items()],
        batch_size=2000)


def _campaign_counts(today: date, *, employers=None, where: Q | None = None,
                     exclude: Iterable[int] = ()) -> list[tuple[int, figures.Counts]]:
    """The leaf counts of the attributed cases (of ``employers``, at ``where``), per campaign: one query for the
    campaigns present, then the grouped queries of ``figures.outcome_counts`` per campaign."""
    attributed = StatisticsAttribution.objects.all()
    if employers is not None:
        attributed = attributed.filter(employer_id__in=employers)
    if where is not None:
        # A few leaves (a forget): the attributed cases AT them, grouped by campaign in one query — not every
        # campaign's cases of the whole employer filtered afterwards (13 s for the 100,000-case employer).
        by_campaign: dict[int, list[int]] = {}
        for case_id, campaign_id in (attributed.filter(case__in=Case.objects.filter(where).values("pk"))
                                     .order_by().values_list("case_id", "campaign_id")):
            by_campaign.setdefault(campaign_id, []).append(case_id)
        out = []
        for campaign_id in sorted(by_campaign):
            cases = Case.objects.filter(pk__in=by_campaign[campaign_id])
            if exclude:
                cases = cases.exclude(pk__in=list(exclude))
            out.append((campaign_id, figures.outcome_counts(cases, today=today, by_employer=True)))
        return out
    campaigns = sorted(set(attributed.order_by().values_list("campaign_id", flat=True).distinct()))
    out = []
    for campaign_id in campaigns:
        cases = Case.objects.filter(pk__in=attributed.filter(campaign_id=campaign_id).values("case_id"))
        if where is not None:
            cases = cases.filter(where)
        if exclude:
            cases = cases.exclude(pk__in=list(exclude))
        out.append((campaign_id, figures.outcome_counts(cases, today=today, by_employer=True)))
    return out


def _rows(per_campaign: list[tuple[int, figures.Counts]], now) -> tuple[list[OutcomeLeaf], dict]:
    rows, totals = [], {}
    for campaign_id, counts in per_campaign:
        labels = {v.key: v.label for v in counts.variables if v not in figures.BASE_VARIABLES}
        for (employer_id, law, _year, month), leaf in counts.leaves.items():
            if employer_id is None or leaf.cases <= 0:
                continue
            data = _leaf_json(leaf)
            data["labels"] = {key: labels[key] for key in leaf.counts if key in labels}
            rows.append(OutcomeLeaf(employer_id=employer_id, campaign_id=campaign_id, law_key=law,
                                    month=date(int(month[:4]), int(month[5:7]), 1), data=data, refreshed_at=now))
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


def _fingerprint(employers: set[int] | None) -> dict:
    """Per employer, how many memberships count and the sum of their ids: changes when one is withdrawn or added
    (and so when a case's attribution to a campaign changes)."""
    memberships = figures.statistics_memberships()
    if employers is not None:
        memberships = memberships.filter(case__employer_id__in=employers)
    return {row[0]: row[1:] for row in (memberships.values("case__employer_id").order_by()
                                        .annotate(n=Count("pk"), s=Sum("pk"))
                                        .values_list("case__employer_id", "n", "s"))}


def _state() -> StatisticsState:
    state, _ = StatisticsState.objects.get_or_create(pk=1)
    return state


def changed_employers(state: StatisticsState) -> tuple[set[int], int, int]:
    """The employers whose figures may have changed since the refresh before the last one: marked ones
    (``OutcomeDirty``), those of the cases with a newer timeline event (every change of a case writes one, in its
    transaction) and those of the members with a newer consent. Returns them and the highest ids read."""
    from deletion_portal.advocacy.models import Consent
    from deletion_portal.cases.models import CaseEvent

    event_max = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    consent_max = Consent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    employers = set(OutcomeDirty.objects.values_list("employer_id", flat=True))
    employers |= set(CaseEvent.objects.filter(pk__gt=state.event_before, pk__lte=event_max, case__employer__isnull=False)
                     .order_by().values_list("case__employer_id", flat=True).distinct())
    employers |= set(Consent.objects.filter(pk__gt=state.consent_before, pk__lte=consent_max,
                                            member__case__employer__isnull=False)
                     .order_by().values_list("member__case__employer_id", flat=True).distinct())
    return employers, event_max, consent_max


def statistics_mark(*, case_ids: Iterable[int]) -> None:
    """Have the next refresh recompute the employers of ``case_ids`` (what changes who counts without a case
    event or a consent: a campaign starting to publish)."""
    employers = set(Case.objects.filter(pk__in=list(case_ids), employer__isnull=False)
                    .values_list("employer_id", flat=True).distinct())
    OutcomeDirty.objects.bulk_create([OutcomeDirty(employer_id=e) for e in employers], ignore_conflicts=True)


def statistics_refresh(*, today: date | None = None, full: bool | None = None) -> int:
    """Recompute the leaves; returns the number of leaf rows written.

    Incremental by default: only the employers :func:`changed_employers` finds; a full refresh (every leaf) on
    the first refresh of each day — a case becomes "not answered" when its date passes, without any event — or
    when ``full`` is true. The attribution is rebuilt and the counting runs outside the final write (it takes
    long); a case withdrawn meanwhile must not come back: under the lock, the employers whose counted
    memberships changed since the counting began are attributed and counted again, and a forget that comes
    later waits for this write and then recomputes its leaves."""
    from deletion_portal.advocacy.models import Consent
    from deletion_portal.cases.models import CaseEvent

    today = today or timezone.localdate()
    now = timezone.now()
    state = _state()
    full = state.full_on != today if full is None else full
    if full:
        employers = None
        event_max = CaseEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        consent_max = Consent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    else:
        employers, event_max, consent_max = changed_employers(state)
    rows: list = []
    totals: dict = {}
    work = full or bool(employers)
    if work:
        with transaction.atomic():
            _write_lock()
            before = _fingerprint(employers)
            _attribute(None if full else Case.objects.filter(employer_id__in=employers))
        rows, totals = _rows(_campaign_counts(today, employers=employers), now)
    with transaction.atomic():
        _write_lock()
        if work:
            after = _fingerprint(employers)
            changed = {e for e in set(before) | set(after) if before.get(e) != after.get(e)}
            if changed:
                _attribute(Case.objects.filter(employer_id__in=changed))
                fresh_rows, fresh_totals = _rows(_campaign_counts(today, employers=changed), now)
                rows = [r for r in rows if r.employer_id not in changed] + fresh_rows
                totals = {e: t for e, t in totals.items() if e not in changed} | fresh_totals
            stale = OutcomeLeaf.objects.all() if full else OutcomeLeaf.objects.filter(employer_id__in=employers)
            stale.delete()
            OutcomeLeaf.objects.bulk_create(rows + _total_rows(totals, now), batch_size=2000)
            OutcomeDirty.objects.filter(marked_at__lte=now, **({} if full else {"employer_id__in": employers})).delete()
            store_releases_on_commit({row.employer_id for row in rows} | set(totals) | set(employers or ()))
        # Every refresh re-reads what came after the refresh before the last (late commits); a first full refresh
        # has nothing before it.
        seen_events = state.event_seen if state.full_on else event_max
        seen_consents = state.consent_seen if state.full_on else consent_max
        StatisticsState.objects.filter(pk=state.pk).update(
            event_before=seen_events, event_seen=event_max, consent_before=seen_consents, consent_seen=consent_max,
            refreshed_at=now, **({"full_on": today} if full else {}))
    return len(rows) + _private_refresh(today, employers=None if full else employers, now=now)


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
    a campaign unpublished): recompute, in the caller's transaction, the leaves that hold them from the cases
    counted now — those that no longer count are gone, and a case still counted through another campaign is
    attributed to that one (no longer shown in the campaign it left)."""
    case_ids = list(set(case_ids))
    if not case_ids:
        return
    places = set(Case.objects.filter(pk__in=case_ids, received_on__isnull=False)
                 .values_list("employer_id", "law_key", "received_on"))
    if any(employer_id is None for employer_id, _, _ in places):
        private_leaves_drop_unplaced()
    statistics_forget_places(places=places, today=today)


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
    elif instance.received_on:
        private_leaves_drop_unplaced()


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
    employers = {employer_id for employer_id, _, _ in leaves}
    _attribute(Case.objects.filter(where))
    rows, _ = _rows(_campaign_counts(today, employers=employers, where=where, exclude=case_ids), now)
    stale = Q()
    for employer_id, law, month in leaves:
        stale |= Q(employer_id=employer_id, law_key=law, month=month)  # every campaign's leaf of the place
    # The employers' totals: the stored total, less the leaves replaced, plus their new counts (reading only the
    # leaves at the places, not every leaf of the employer).
    totals: dict = {}
    for employer_id, data in OutcomeLeaf.objects.filter(employer_id__in=employers, month__isnull=True).values_list(
            "employer_id", "data"):
        totals[employer_id] = {"cases": data.get("cases", 0), "status": dict(data.get("counts", {}).get("status", {}))}

    def add(employer_id, data, sign):
        total = totals.setdefault(employer_id, {"cases": 0, "status": {}})
        total["cases"] += sign * data.get("cases", 0)
        for code, n in data.get("counts", {}).get("status", {}).items():
            total["status"][code] = total["status"].get(code, 0) + sign * n

    for employer_id, data in OutcomeLeaf.objects.filter(stale).values_list("employer_id", "data"):
        add(employer_id, data, -1)
    for row in rows:
        add(row.employer_id, row.data, +1)
    OutcomeLeaf.objects.filter(stale).delete()
    OutcomeLeaf.objects.bulk_create(rows)
    OutcomeLeaf.objects.filter(employer_id__in=employers, month__isnull=True).delete()
    OutcomeLeaf.objects.bulk_create(_total_rows({e: t for e, t in totals.items() if t["cases"] > 0}, now))
    _private_recount(leaves, where, case_ids, today, now)
    # No release is stored here (building the dashboards would hold up the withdrawal's response): the new stamp
    # makes the pages build from the leaves until the next refresh, which recounts the employer (the consent or
    # event is newer than its watermark) and stores its releases.


def _release_of(rows, levels, *, k: int, imposed=None) -> Release:
    """``rows``: (leaf key, data); the release over them with the variables their labels name."""
    leaves, labels = {}, {}
    for key, data in rows:
        leaves[key] = _leaf_from_json(data)
        labels.update(data.get("labels", {}))
    extra = tuple(Variable(key, label, figures.extra_categories(key)) for key, label in sorted(labels.items()))
    return build_release(leaves=leaves, levels=levels, variables=figures.BASE_VARIABLES + extra, k=k,
                         answer_variable="status", imposed=imposed)


def _month_key(month) -> tuple[str, str]:
    return f"{month.year:04d}", f"{month.year:04d}-{month.month:02d}"


# --- Stored releases ----------------------------------------------------------------------------------------
# Building the big employer's release in Python (≈ 720 leaves) takes most of its page's time, and a campaign
# dashboard builds one per employer it is counted at. So the refresh that writes an employer's leaves also
# stores, once committed, that employer's built release (and the dashboards of the publishing
# campaigns counted there) in the "shared" cache; a page reads it. The key holds the employer's leaf STAMP —
# the highest id and the number of its leaf rows (total row included): every write deletes and inserts its rows
# (ids only grow; the total row is always rewritten), so a stored release of older leaves is never found. A GET
# never writes: on a miss it builds the release and serves it without storing it.

RELEASE_CACHE = "shared"
_RELEASE_FORMAT = 2  # bump when Release, the rules or the variables change: older stored releases are then never read


def _cache():
    return caches[RELEASE_CACHE]


def leaf_stamps(employer_ids) -> dict[int, tuple[int, int]]:
    """Each employer's leaf stamp (highest leaf id, number of leaf rows), one query; ``employer_ids`` a list or a
    subquery."""
    return {e: (top, n) for e, top, n in (OutcomeLeaf.objects.filter(employer_id__in=employer_ids)
                                          .values("employer_id").order_by()
                                          .annotate(top=Max("pk"), n=Count("pk"))
                                          .values_list("employer_id", "top", "n"))}


def employer_release_key(employer_id: int, stamp: tuple[int, int], k: int) -> str:
    return f"stats-release:{_RELEASE_FORMAT}:employer:{employer_id}:k{k}:{stamp[0]}:{stamp[1]}"


def _campaign_key(campaign_id: int, stamps: dict[int, tuple[int, int]], k: int) -> str:
    parts = ",".join(f"{e}/{top}/{n}" for e, (top, n) in sorted(stamps.items()))
    # Hashed: every employer's stamp would exceed the database cache's 255-character keys.
    return f"stats-release:{_RELEASE_FORMAT}:campaign:{campaign_id}:k{k}:{hashlib.sha256(parts.encode()).hexdigest()}"


def _employer_rows(employer_ids) -> dict[int, tuple[list, object, tuple[int, int]]]:
    """Per employer: its month leaves as (leaf key, data), when they were computed, and the stamp of exactly the
    rows read (one query, the total rows included for the stamp)."""
    out: dict = {}
    for leaf_id, employer_id, campaign_id, law, month, data, at in (
            OutcomeLeaf.objects.filter(employer_id__in=employer_ids)
            .values_list("pk", "employer_id", "campaign_id", "law_key", "month", "data", "refreshed_at")):
        rows, refreshed, (top, n) = out.get(employer_id, ([], None, (0, 0)))
        if month is not None:
            rows.append(((str(campaign_id), law, *_month_key(month)), data))
            refreshed = at if refreshed is None else min(refreshed, at)
        out[employer_id] = (rows, refreshed, (max(top, leaf_id), n + 1))
    return out


def employer_release(employer_id: int, *, k: int | None = None) -> tuple[Release, object]:
    """The public release of an employer's precomputed leaves, and when they were computed: the stored one when
    its stamp is current (two queries, or one with a cache that is not the database), else built from the leaves
    (one more query) and not stored. Its levels are ``figures.PUBLIC_LEVELS``: the campaign first (never a public
    filter; see rule 7)."""
    k = figures.min_cell() if k is None else k
    stamp = leaf_stamps([employer_id]).get(employer_id)
    if stamp is not None:
        stored = _cache().get(employer_release_key(employer_id, stamp, k))
        if stored is not None:
            return stored
    rows, refreshed, _ = _employer_rows([employer_id]).get(employer_id, ([], None, (0, 0)))
    return _release_of(rows, figures.PUBLIC_LEVELS, k=k), refreshed


def store_releases(employer_ids, *, k: int | None = None) -> int:
    """Build and store the public releases of ``employer_ids`` and the dashboards of the publishing campaigns
    counted at them (what a write of their leaves calls once committed). Returns how many were stored."""
    k = figures.min_cell() if k is None else k
    employer_ids = sorted(set(employer_ids))
    stored = {}
    for employer_id, (rows, refreshed, stamp) in _employer_rows(employer_ids).items():
        stored[employer_release_key(employer_id, stamp, k)] = (_release_of(rows, figures.PUBLIC_LEVELS, k=k), refreshed)
    _cache().set_many(stored, timeout=None)
    campaigns = set(OutcomeLeaf.objects.filter(employer_id__in=employer_ids, campaign__isnull=False)
                    .values_list("campaign_id", flat=True).distinct())
    for campaign_id in sorted(campaigns):
        _campaign_release(campaign_id, k=k, store=True)
    return len(stored) + len(campaigns)


def store_releases_on_commit(employer_ids) -> None:
    """After the commit, :func:`store_releases`; a failure (the cache down) is logged: the pages then build."""
    employer_ids = set(employer_ids)

    def store():
        try:
            store_releases(employer_ids)
        except Exception:  # noqa: BLE001 - a stored release is only a speed-up
            logger.exception("statistics: storing the releases of %d employers failed", len(employer_ids))

    if employer_ids:
        transaction.on_commit(store)


#: A campaign dashboard's tree: the campaign, each employer it has counted cases at, then law → year → month.
CAMPAIGN_LEVELS = ("campaign", "employer", *figures.LEVELS)


def campaign_release(campaign_id: int, *, k: int | None = None) -> tuple[Release, object]:
    """The dashboard release of a PUBLISHING campaign, consistent with the public pages (rule 7): its leaves are
    the campaign's public leaves, and every node under an employer is published exactly when that employer's
    public release publishes the campaign's node — so nothing the organisation sees can be subtracted from a
    public figure to isolate other campaigns' members. The stored one when every employer's stamp is current
    (two queries, or one), else built (one more query: every leaf of the employers it is counted at, the stored
    public releases reused) and not stored."""
    return _campaign_release(campaign_id, k=figures.min_cell() if k is None else k, store=False)


def _campaign_release(campaign_id: int, *, k: int, store: bool) -> tuple[Release, object]:
    employers = OutcomeLeaf.objects.filter(campaign_id=campaign_id).values("employer_id")
    cache = _cache()
    if not store:
        stamps = leaf_stamps(employers)
        found = cache.get(_campaign_key(campaign_id, stamps, k)) if stamps else None
        if found is not None:
            return found
    by_employer = _employer_rows(employers)
    stamps = {e: stamp for e, (_, _, stamp) in by_employer.items()}
    known = cache.get_many([employer_release_key(e, stamp, k) for e, stamp in stamps.items()])
    mine = str(campaign_id)
    rows: list = []
    publics = {}
    refreshed = None
    for employer_id, (leaves, at, stamp) in sorted(by_employer.items()):
        public = known.get(employer_release_key(employer_id, stamp, k))
        publics[str(employer_id)] = public[0] if public else _release_of(leaves, figures.PUBLIC_LEVELS, k=k)
        rows += [((mine, str(employer_id), *key[1:]), data) for key, data in leaves if key[0] == mine]
        if at is not None:
            refreshed = at if refreshed is None else min(refreshed, at)
    result = (_release_of(rows, CAMPAIGN_LEVELS, k=k, imposed=imposed_subtrees(mine, publics)), refreshed)
    if store:
        cache.set(_campaign_key(campaign_id, stamps, k), result, timeout=None)
    return result


def ranking(*, k: int | None = None) -> list[figures.RankedEmployer]:
    """The ranking from the employers' total rows (two queries)."""
    totals = OutcomeLeaf.objects.filter(month__isnull=True).values_list("employer_id", "data")
    return figures.ranking_from_totals(((employer_id, data["cases"], data["counts"].get("status", {}))
                                        for employer_id, data in totals), k=k)


# --- Non-publishing campaigns' own dashboards ---------------------------------------------------------------
# A non-publishing campaign's dashboard counts its members that are in no public figure (``figures.
# private_campaign_cases``). Counted live from the case rows it took ≈ 1 s for 5,000 cases at 1,000,000 (eight
# grouped queries through the consent and attribution subqueries), so the refresh precomputes its leaves
# (``PrivateOutcomeLeaf``) like the public ones, and the forget recounts them at the forgotten cases' places in
# the same transaction. Each campaign is counted in its own transaction under the write lock, after the public
# attribution it depends on is written, so a withdrawal waits for at most one campaign's counting and is never
# undone by a refresh that counted before it.


def _private_campaigns(*, employers=None, where: Q | None = None, places: set | None = None) -> list[int]:
    """The non-publishing campaigns with a member (live or not) whose case is at ``employers`` / matches
    ``where`` (every one when both are None), and those holding leaves there (at ``places`` with ``where``: a
    deleted case's memberships are gone with it)."""
    from deletion_portal.advocacy.models import Campaign, CampaignMember

    if employers is None and where is None:
        return sorted(Campaign.objects.filter(publish_statistics=False).values_list("pk", flat=True))
    members = CampaignMember.objects.filter(campaign__publish_statistics=False)
    leaves = PrivateOutcomeLeaf.objects.all()
    if employers is not None:
        members = members.filter(case__employer_id__in=employers)
        leaves = leaves.filter(employer_id__in=employers)
    if where is not None:
        members = members.filter(case__in=Case.objects.filter(where).values("pk"))
        leaves = leaves.filter(_private_places(places or set()))
    found = set(members.order_by().values_list("campaign_id", flat=True).distinct())
    found |= set(leaves.order_by().values_list("campaign_id", flat=True).distinct())
    return sorted(found)


def _private_places(places: set) -> Q:
    """The leaf rows at ``places`` ((employer id, law, first of the month), as the recount names them)."""
    out = Q(pk__in=[])
    for employer_id, law, month in places:
        out |= Q(employer_id=employer_id, law_key=law, month=month)
    return out


def _private_rows(campaign_id: int, counts: figures.Counts, now) -> list[PrivateOutcomeLeaf]:
    labels = {v.key: v.label for v in counts.variables if v not in figures.BASE_VARIABLES}
    rows = []
    for (employer_id, law, _year, month), leaf in counts.leaves.items():
        if leaf.cases <= 0:
            continue
        data = _leaf_json(leaf)
        data["labels"] = {key: labels[key] for key in leaf.counts if key in labels}
        rows.append(PrivateOutcomeLeaf(campaign_id=campaign_id, employer_id=employer_id, law_key=law,
                                       month=date(int(month[:4]), int(month[5:7]), 1), data=data, refreshed_at=now))
    return rows


def _private_refresh(today: date, *, employers, now) -> int:
    """Count the non-publishing campaigns with members at ``employers`` there (None: every one, everywhere),
    and every one not counted yet (no marker) everywhere. One transaction per campaign."""
    from deletion_portal.advocacy.models import Campaign

    if employers is None:
        targets = dict.fromkeys(_private_campaigns(), None)
    else:
        targets = dict.fromkeys(_private_campaigns(employers=employers) if employers else (), employers)
    counted = set(PrivateOutcomeLeaf.objects.filter(month__isnull=True).values_list("campaign_id", flat=True))
    for campaign_id in Campaign.objects.filter(publish_statistics=False).exclude(pk__in=counted).values_list(
            "pk", flat=True):
        targets[campaign_id] = None
    written = 0
    for campaign_id, at in sorted(targets.items()):
        with transaction.atomic():
            _write_lock()
            campaign = Campaign.objects.filter(pk=campaign_id, publish_statistics=False).first()
            stale = PrivateOutcomeLeaf.objects.filter(campaign_id=campaign_id)
            if campaign is None:  # it publishes now: the public leaves hold its members
                stale.delete()
                continue
            cases = figures.private_campaign_cases(campaign_id=campaign_id)
            if at is not None:
                cases = cases.filter(employer_id__in=at)
                stale = stale.filter(Q(employer_id__in=at) | Q(month__isnull=True))
            else:
                stale = stale.all()
            rows = _private_rows(campaign_id, figures.outcome_counts(cases, today=today, by_employer=True), now)
            stale.delete()
            PrivateOutcomeLeaf.objects.bulk_create(
                rows + [PrivateOutcomeLeaf(campaign_id=campaign_id, refreshed_at=now)], batch_size=2000)
            written += len(rows)
            transaction.on_commit(lambda c=campaign_id: _store_private_release(c))
    return written


def _private_recount(leaves: set, where: Q, case_ids: list[int], today: date, now) -> None:
    """In the forget's transaction (the write lock held): recount, without ``case_ids``, every non-publishing
    campaign's leaves at the places ``leaves`` (employer, law, month)."""
    for campaign_id in _private_campaigns(where=where, places=leaves):
        cases = figures.private_campaign_cases(campaign_id=campaign_id).filter(where)
        if case_ids:
            cases = cases.exclude(pk__in=case_ids)
        rows = _private_rows(campaign_id, figures.outcome_counts(cases, today=today, by_employer=True), now)
        PrivateOutcomeLeaf.objects.filter(_private_places(leaves), campaign_id=campaign_id).delete()
        PrivateOutcomeLeaf.objects.bulk_create(rows)


def private_leaves_drop(*, organisation_id: int) -> None:
    """Forget the precomputed leaves of an organisation's campaigns (a campaign started or stopped publishing:
    which members each of its dashboards counts may change). Until the next refresh counts them again, their
    dashboards are counted live from the cases."""
    PrivateOutcomeLeaf.objects.filter(campaign__organisation_id=organisation_id).delete()


def private_leaves_drop_unplaced() -> None:
    """A forgotten case without an employer (a non-publishing campaign counts it under "(none)"; the recount works
    by employer): drop the leaves of every campaign that holds such a leaf, in the forgetting transaction, so their
    dashboards count live — without the case — until the next refresh."""
    PrivateOutcomeLeaf.objects.filter(campaign_id__in=PrivateOutcomeLeaf.objects.filter(
        employer__isnull=True, month__isnull=False).values("campaign_id")).delete()


def _private_stamp(campaign_id: int) -> tuple[int, int] | None:
    """(highest leaf id, number of rows) of the campaign's leaves, marker included; None when it has no marker."""
    row = PrivateOutcomeLeaf.objects.filter(campaign_id=campaign_id).aggregate(
        top=Max("pk"), n=Count("pk"), marked=Count("pk", filter=Q(month__isnull=True)))
    return (row["top"], row["n"]) if row["marked"] else None


def _private_key(campaign_id: int, stamp: tuple[int, int], k: int) -> str:
    return f"stats-release:{_RELEASE_FORMAT}:private:{campaign_id}:k{k}:{stamp[0]}:{stamp[1]}"


def _private_built(campaign_id: int, *, k: int) -> tuple[Release, object, tuple[int, int]] | None:
    rows, refreshed, top, n, marked = [], None, 0, 0, False
    mine = str(campaign_id)
    for leaf_id, employer_id, law, month, data, at in (PrivateOutcomeLeaf.objects.filter(campaign_id=campaign_id)
                                                        .values_list("pk", "employer_id", "law_key", "month", "data",
                                                                     "refreshed_at")):
        top, n = max(top, leaf_id), n + 1
        if month is None:
            marked, refreshed = True, at
            continue
        rows.append(((mine, str(employer_id or ""), law, *_month_key(month)), data))
    if not marked:
        return None
    return _release_of(rows, CAMPAIGN_LEVELS, k=k), refreshed, (top, n)


def private_campaign_release(campaign_id: int, *, k: int | None = None) -> tuple[Release, object] | None:
    """The dashboard release of a NON-publishing campaign from its precomputed leaves, and when they were counted:
    the stored one when the stamp of its leaf rows is current (two queries, or one), else built from the rows (one
    more) and not stored. None when the campaign has not been counted yet (the caller counts it live)."""
    k = figures.min_cell() if k is None else k
    stamp = _private_stamp(campaign_id)
    if stamp is None:
        return None
    stored = _cache().get(_private_key(campaign_id, stamp, k))
    if stored is not None:
        return stored
    built = _private_built(campaign_id, k=k)
    return None if built is None else built[:2]


def _store_private_release(campaign_id: int) -> None:
    k = figures.min_cell()
    try:
        built = _private_built(campaign_id, k=k)
        if built is not None:
            _cache().set(_private_key(campaign_id, built[2], k), built[:2], timeout=None)
    except Exception:  # noqa: BLE001 - a stored release is only a speed-up
        logger.exception("statistics: storing the dashboard of campaign %s failed", campaign_id)
