"""Outcome figures over a ``Case`` queryset, released through the disclosure rules (``advocacy.disclosure``).

Every function takes the cases to count as a queryset, so the same code serves the public employer
scoreboard (``cases_counted_in_statistics()`` of one employer), a campaign's dashboard, and the tests and
the benchmark (which pass cases directly). Figures come from the outcome columns ``case_recompute`` keeps
on ``Case`` (``cases/outcomes.py``), the timeline, the final follow-up and complaint letters and what
the apps above cases contribute through ``cases.hooks.register_statistics_source`` (tracking: the response
checklists), through grouped queries: a fixed number of queries
whatever the number of cases, each grouping by (law, month received) — the leaves of the release.

A case counts from the day the employer received the request (``received_on``); drafts and unsent
cases never count. Nothing is cached or precomputed: a case that stops being counted (a consent
withdrawn) is out of the very next figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate, TruncMonth
from django.utils.translation import gettext_noop

from deletion_portal.advocacy.disclosure import Leaf, Release, Variable, build_release, single_row
from deletion_portal.cases.hooks import statistics_counts
from deletion_portal.cases.models import Case, CaseEvent, EventKind, Letter, LetterKind
from deletion_portal.employers.models import Employer

LEVELS = ("law", "year", "month")


#: The public release of an employer: its cases by the publishing campaign they are attributed to, then law →
#: year → month received. The campaign level is never a filter of the public pages; it is there so that the
#: differencing rule covers "the employer" against "campaign C's part of it" (what C's dashboard shows).
PUBLIC_LEVELS = ("campaign", *LEVELS)


def statistics_memberships():
    """The memberships through which a case counts publicly: live, of a campaign whose organisation chose to
    publish, with the latest statistics consent there given."""
    from deletion_portal.advocacy.models import CampaignMember, Consent, ConsentKind

    latest = Subquery(Consent.objects.filter(member=OuterRef("pk"), kind=ConsentKind.STATISTICS)
                      .order_by("-at", "-id").values("given")[:1])
    return (CampaignMember.objects.filter(left_at=None, campaign__publish_statistics=True)
            .annotate(statistics=latest).filter(statistics=True))


def cases_counted_in_statistics() -> QuerySet[Case]:
    """THE rule of which cases count in any PUBLISHED statistic (LEGAL.md §5: only people who consented,
    specifically and withdrawably, to their outcome being counted): cases with a live membership of a
    campaign whose organisation chose to publish (``Campaign.publish_statistics``) and whose latest
    statistics consent there is given. Distinct cases: a case in two such campaigns counts once.
    Every public page, download and API endpoint of the statistics reads through it."""
    return Case.objects.filter(pk__in=statistics_memberships().values("case_id"))


def cases_attributed_to(*, campaign_id: int) -> QuerySet[Case]:
    """The counted cases attributed to ONE publishing campaign: a case counted through several campaigns is
    attributed to its earliest such membership (joined first, then the lower id), so each counted case is in
    exactly one campaign's part of the public figures."""
    qualifying = statistics_memberships()
    earlier = qualifying.filter(case_id=OuterRef("case_id")).filter(
        Q(joined_at__lt=OuterRef("joined_at")) | Q(joined_at=OuterRef("joined_at"), pk__lt=OuterRef("pk")))
    first = qualifying.filter(campaign_id=campaign_id).exclude(Exists(earlier)).values("case_id")
    return Case.objects.filter(pk__in=first)


def campaign_cases_counted(*, campaign_id: int) -> QuerySet[Case]:
    """A campaign's live members whose latest statistics consent is given. No dashboard counts exactly these: a
    NON-publishing campaign's dashboard counts those of them attributed to it (``private_campaign_cases``); a
    publishing campaign's dashboard reads the public leaves (``stats_store.campaign_release``)."""
    from deletion_portal.advocacy.models import CampaignMember

    members = _consenting(CampaignMember.objects.filter(campaign_id=campaign_id, left_at=None)).values("case_id")
    return Case.objects.filter(pk__in=members)


def _consenting(memberships):
    """``memberships`` whose latest statistics consent is given."""
    from deletion_portal.advocacy.models import Consent, ConsentKind

    latest = Subquery(Consent.objects.filter(member=OuterRef("pk"), kind=ConsentKind.STATISTICS)
                      .order_by("-at", "-id").values("given")[:1])
    return memberships.annotate(statistics=latest).filter(statistics=True)


def private_campaign_cases(*, campaign_id: int) -> QuerySet[Case]:
    """A NON-publishing campaign's dashboard (and its organiser's overview counts): the cases attributed to it
    among its organisation's private ones.

    Private: a live, consenting membership of one of the organisation's non-publishing campaigns, the case in no
    public figure (not attributed to a publishing campaign by the refresh that computed the public leaves). Each
    private case is attributed to ONE of the organisation's non-publishing campaigns, its earliest such
    membership (joined first, then the lower id; as ``cases_attributed_to``). So the organisation's dashboards —
    of its non-publishing campaigns among themselves, and against the public pages — count disjoint people, and
    no difference of two of them isolates anyone. The price: a member of two of the organisation's private
    campaigns counts only in the one joined first. For a non-publishing ``campaign_id`` only."""
    from deletion_portal.advocacy.models import Campaign, CampaignMember
    from deletion_portal.advocacy.stats_models import StatisticsAttribution

    organisation = Campaign.objects.filter(pk=campaign_id).values("organisation_id")
    earlier = _consenting(CampaignMember.objects.filter(
        left_at=None, campaign__publish_statistics=False, campaign__organisation_id=Subquery(organisation),
        case_id=OuterRef("case_id"),
    )).filter(Q(joined_at__lt=OuterRef("joined_at")) | Q(joined_at=OuterRef("joined_at"), pk__lt=OuterRef("pk")))
    # The campaign's own memberships outermost (one per case: the planner joins them to the cases directly);
    # "in a public figure" as NOT EXISTS (an anti-join on the attribution's primary key), not NOT IN.
    first = (_consenting(CampaignMember.objects.filter(campaign_id=campaign_id, left_at=None))
             .exclude(Exists(earlier)).values("case_id"))
    return Case.objects.filter(pk__in=first).exclude(
        Exists(StatisticsAttribution.objects.filter(case_id=OuterRef("pk"))))


def dashboard_cases(*, campaign) -> QuerySet[Case]:
    """The people a campaign's dashboard counts (and its organiser's overview): a publishing campaign's, the cases
    attributed to it by the refresh (what its public leaves count) that are still its consenting live members (a
    withdrawal counts at once, also for a case not yet received, whose attribution waits for the next refresh); a
    non-publishing one's, ``private_campaign_cases``. Over one organisation's campaigns these sets are disjoint."""
    from deletion_portal.advocacy.stats_models import StatisticsAttribution

    if campaign.publish_statistics:
        return campaign_cases_counted(campaign_id=campaign.pk).filter(
            pk__in=StatisticsAttribution.objects.filter(campaign_id=campaign.pk).values("case_id"))
    return private_campaign_cases(campaign_id=campaign.pk)


def min_cell() -> int:
    return settings.STATS_MIN_CELL


# --- The variables ---------------------------------------------------------------------------------------

#: The labels are English msgids (``gettext_noop``: marked, not translated here, so releases, cached releases and the stored
#: leaves stay language-free); ``reports.row_data`` translates them for the reader's language.
STATUS = Variable("status", gettext_noop("Answer by the legal date"), (
    ("on_time", gettext_noop("Answered on time")), ("late", gettext_noop("Answered late")), ("none", gettext_noop("Not answered, date passed"))))
ACKNOWLEDGED = Variable("acknowledged", gettext_noop("Receipt acknowledged"),
                        (("yes", gettext_noop("Acknowledged")), ("no", gettext_noop("Not acknowledged"))))
ACK_STATUS = Variable("ack_status", gettext_noop("Receipt acknowledged by the legal date (laws with an acknowledgement period)"), (
    ("on_time", gettext_noop("Acknowledged on time")), ("late", gettext_noop("Acknowledged late")),
    ("none", gettext_noop("Not acknowledged, date passed"))))
EXTENDED = Variable("extended", gettext_noop("Extension notified"), (("yes", gettext_noop("Extended")), ("no", gettext_noop("Not extended"))))
EXTENSION_VALID = Variable("extension_valid", gettext_noop("Extension valid under the law (of those notified)"),
                           (("yes", gettext_noop("Valid extension")), ("no", gettext_noop("Not a valid extension"))))
REFUSED = Variable("refused", gettext_noop("Refused (answered cases)"),
                   (("yes", gettext_noop("Refused in whole or part")), ("no", gettext_noop("Not refused"))))
IDENTITY = Variable("identity", gettext_noop("Identity asked"), (("yes", gettext_noop("Identity asked")), ("no", gettext_noop("Identity not asked"))))
ID_COPY = Variable("id_copy", gettext_noop("ID-document copy asked (when identity was asked)"),
                   (("yes", gettext_noop("ID copy asked")), ("no", gettext_noop("No ID copy asked"))))
FOLLOW_UP = Variable("follow_up", gettext_noop("Follow-up letter (final)"), (("yes", gettext_noop("Follow-up")), ("no", gettext_noop("No follow-up"))))
COMPLAINT = Variable("complaint", gettext_noop("Complaint to the authority (final)"),
                     (("yes", gettext_noop("Complaint")), ("no", gettext_noop("No complaint"))))
FOLLOW_UP_OUTCOME = Variable("follow_up_outcome", gettext_noop("After the follow-up (of the cases with one)"),
                             (("yes", gettext_noop("Answered after it")), ("no", gettext_noop("Still not answered"))))
COMPLAINT_OUTCOME = Variable("complaint_outcome", gettext_noop("After the complaint (of the cases with one)"),
                             (("yes", gettext_noop("Answered after it")), ("no", gettext_noop("Still not answered"))))
BASE_VARIABLES = (STATUS, ACKNOWLEDGED, ACK_STATUS, EXTENDED, EXTENSION_VALID, REFUSED, IDENTITY, ID_COPY, FOLLOW_UP,
                  FOLLOW_UP_OUTCOME, COMPLAINT, COMPLAINT_OUTCOME)

#: What each published column means (the data dictionary on the pages, in the CSV's companion and the JSON). The
#: keys are the machine names (never translated); the descriptions are English msgids, translated where shown
#: (``reports.dictionary``).
DICTIONARY = {
    "cases": gettext_noop("Counted cases the employer received in the period (counted: the owner consented to statistics)."),
    "status": gettext_noop("Of the cases with a legal answer date that has passed or that were answered: answered on or before "
                 "the (possibly validly extended) date, answered after it, or not answered although it passed. "
                 "Cases not yet due, or under a law with no fixed period, are not in this row."),
    "acknowledged": gettext_noop("Cases whose receipt the employer acknowledged, against those it did not."),
    "ack_status": gettext_noop("Under a law that sets a period to acknowledge receipt (listed on the method page), of the cases "
                     "whose acknowledge-by date has passed or whose receipt was confirmed: "
                     "receipt confirmed on or before that date, after it, or not at all although it passed. An answer "
                     "(or refusal) confirms receipt too. Cases under a law without such a period are not applicable "
                     "and not in this row; nor are cases not yet due."),
    "extended": gettext_noop("Cases in which the employer notified an extension of the period."),
    "extension_valid": gettext_noop("Of the cases with a notified extension: those where the extension is valid under the "
                                    "case's law (the law provides one and it was notified within the first period), "
                                    "against those where it is not (the answer was then due on the first date)."),
    "refused": gettext_noop("Of the answered cases: those refused in whole or in part."),
    "refused_ground:<code>": gettext_noop("Of the refused cases: those whose refusal relied on this ground (a refusal may cite "
                                "several)."),
    "identity": gettext_noop("Cases in which the employer asked the requester to prove their identity."),
    "id_copy": gettext_noop("Of the cases where identity was asked: those where a copy of an ID document was asked for."),
    "follow_up": gettext_noop("Cases with a final follow-up letter (written after the employer missed its date)."),
    "complaint": gettext_noop("Cases with a final complaint to a supervisory authority."),
    "follow_up_outcome": gettext_noop("Of the cases with a final follow-up letter: those the employer answered on or after "
                                      "the day of the (first) follow-up, against those still not answered."),
    "complaint_outcome": gettext_noop("Of the cases with a final complaint: those the employer answered on or after the day "
                                      "of the (first) complaint, against those still not answered."),
    "artefact:<outcome>": gettext_noop("Of the answered cases whose answer lists ML artefacts: those naming at least one artefact "
                             "with this outcome (deleted, excluded from training, retrained without, unlearning "
                             "applied, claimed anonymous, retained, not held); a case may name several."),
    "artefact_retained:<ground>": gettext_noop("Of the cases with a retained ML artefact: those relying on this retention "
                                     "ground."),
    "item:<code>": gettext_noop("Of the answered cases whose checklist holds this item: those whose answer addressed it."),
    "days_median / days_p90": gettext_noop("Days from receipt to the first answer (median and 90th percentile, nearest rank) "
                                 "of the cases in the status row that were answered."),
    "suppressed": gettext_noop("true when a figure is withheld under the disclosure rules; its value is then null."),
}


@dataclass(frozen=True)
class Counts:
    """What the grouped queries returned: leaves (law, year, month) → Leaf, and the variables present."""

    leaves: dict
    variables: tuple[Variable, ...]


def _leaf_key(law: str, month) -> tuple[str, str, str]:
    month = month.date() if hasattr(month, "date") else month
    return (law or "", f"{month.year:04d}", f"{month.year:04d}-{month.month:02d}")


def outcome_counts(cases: QuerySet[Case], *, today: date, by_employer: bool = False) -> Counts:
    """The leaf counts of every variable for ``cases`` (any queryset of Case), in a fixed number of queries.
    ``by_employer``: the leaves are keyed (employer id, law, year, month) — every employer at once."""
    counted = cases.filter(received_on__isnull=False)
    ids = counted.values("pk")
    leaves: dict = {}
    case_employer = ("case__employer_id",) if by_employer else ()
    employer = ("employer_id",) if by_employer else ()
    current = {"employer": None}

    def leaf(law, month) -> Leaf:
        key = _leaf_key(law, month)
        if by_employer:
            key = (current["employer"], *key)
        return leaves.setdefault(key, Leaf())

    def add(law, month, variable: str, code: str, n: int):
        if n:
            row = leaf(law, month).counts.setdefault(variable, {})
            row[code] = row.get(code, 0) + n

    def at(row: dict, field: str = "case__employer_id"):
        current["employer"] = row.get(field) if by_employer else None

    grouped = (
        counted.values(*employer, "law_key", month=TruncMonth("received_on")).order_by()
        .annotate(
            n_cases=Count("pk"),
            n_on_time=Count("pk", filter=Q(on_time=True)),
            n_late=Count("pk", filter=Q(on_time=False)),
            n_none=Count("pk", filter=Q(answered_on__isnull=True, respond_by__lt=today)),
            n_acknowledged=Count("pk", filter=Q(acknowledged_on__isnull=False)),
            n_extended=Count("pk", filter=Q(extended=True)),
            n_extension_valid=Count("pk", filter=Q(extended=True, extension_valid=True)),
            n_extension_invalid=Count("pk", filter=Q(extended=True, extension_valid=False)),
            n_answered=Count("pk", filter=Q(answered_on__isnull=False)),
            n_refused=Count("pk", filter=Q(refused=True, answered_on__isnull=False)),
            # Acknowledged by the law's acknowledge-by date (only laws with an acknowledgement period have one);
            # an answer confirms receipt too.
            n_ack_confirmed=Count("pk", filter=Q(acknowledge_by__isnull=False)
                                  & (Q(acknowledged_on__isnull=False) | Q(answered_on__isnull=False))),
            n_ack_on_time=Count("pk", filter=Q(acknowledge_by__isnull=False)
                                & (Q(acknowledged_on__lte=F("acknowledge_by")) | Q(answered_on__lte=F("acknowledge_by")))),
            n_ack_none=Count("pk", filter=Q(acknowledge_by__lt=today, acknowledged_on__isnull=True,
                                            answered_on__isnull=True)),
        )
    )
    for row in grouped:
        at(row, "employer_id")
        law, month = row["law_key"], row["month"]
        leaf(law, month).cases += row["n_cases"]
        add(law, month, "status", "on_time", row["n_on_time"])
        add(law, month, "status", "late", row["n_late"])
        add(law, month, "status", "none", row["n_none"])
        add(law, month, "acknowledged", "yes", row["n_acknowledged"])
        add(law, month, "acknowledged", "no", row["n_cases"] - row["n_acknowledged"])
        add(law, month, "ack_status", "on_time", row["n_ack_on_time"])
        add(law, month, "ack_status", "late", row["n_ack_confirmed"] - row["n_ack_on_time"])
        add(law, month, "ack_status", "none", row["n_ack_none"])
        add(law, month, "extended", "yes", row["n_extended"])
        add(law, month, "extended", "no", row["n_cases"] - row["n_extended"])
        add(law, month, "extension_valid", "yes", row["n_extension_valid"])
        add(law, month, "extension_valid", "no", row["n_extension_invalid"])
        add(law, month, "refused", "yes", row["n_refused"])
        add(law, month, "refused", "no", row["n_answered"] - row["n_refused"])

    # Days to answer, for the cases in the status row that were answered.
    days = ExpressionWrapper(F("answered_on") - F("received_on"), output_field=DurationField())
    for row in (counted.filter(on_time__isnull=False)
                .values(*employer, "law_key", month=TruncMonth("received_on"), days=days)
                .order_by().annotate(n=Count("pk"))):
        at(row, "employer_id")
        value = row["days"].days if hasattr(row["days"], "days") else int(row["days"])
        histogram = leaf(row["law_key"], row["month"]).days
        histogram[value] = histogram.get(value, 0) + row["n"]

    # Timeline events: identity asked (and an ID copy), per case.
    events = (CaseEvent.objects.filter(case__in=ids, kind=EventKind.IDENTITY_REQUESTED)
              .values(*case_employer, law=F("case__law_key"), month=TruncMonth("case__received_on")).order_by()
              .annotate(cases=Count("case", distinct=True),
                        id_copy=Count("case", distinct=True, filter=Q(details__id_copy=True))))
    for row in events:
        at(row)
        add(row["law"], row["month"], "identity", "yes", row["cases"])
        add(row["law"], row["month"], "id_copy", "yes", row["id_copy"])
        add(row["law"], row["month"], "id_copy", "no", row["cases"] - row["id_copy"])

    # Final follow-up and complaint letters.
    letters = (Letter.objects.filter(case__in=ids, is_final=True, kind__in=[LetterKind.FOLLOW_UP, LetterKind.COMPLAINT])
               .values("kind", *case_employer, law=F("case__law_key"), month=TruncMonth("case__received_on")).order_by()
               .annotate(cases=Count("case", distinct=True),
                         # answered on or after the letter was made final: what the letter led to
                         answered=Count("case", distinct=True,
                                        filter=Q(case__answered_on__gte=TruncDate("finalised_at")))))
    for row in letters:
        at(row)
        variable = "follow_up" if row["kind"] == LetterKind.FOLLOW_UP else "complaint"
        add(row["law"], row["month"], variable, "yes", row["cases"])
        add(row["law"], row["month"], f"{variable}_outcome", "yes", row["answered"])
        add(row["law"], row["month"], f"{variable}_outcome", "no", row["cases"] - row["answered"])

    # Refusal grounds (codes recorded by the employer side's refusal; a refusal may cite several).
    grounds: set[str] = set()
    refusals = (CaseEvent.objects.filter(case__in=ids, kind=EventKind.REFUSED)
                .values_list("case_id", "case__law_key", "case__received_on", "details", "case__employer_id"))
    seen = set()
    for case_id, law, received, details, employer_id in refusals:
        current["employer"] = employer_id if by_employer else None
        for code in sorted(set((details or {}).get("ground_codes") or [])):
            if (case_id, code) in seen or not isinstance(code, str):
                continue
            seen.add((case_id, code))
            grounds.add(code)
            add(law, received.replace(day=1), f"refused_ground:{code}", "yes", 1)

    # What the apps above cases count (tracking: completeness per checklist item), through cases' hook.
    extra_labels: dict[str, str] = {}
    for count in statistics_counts(cases=counted):
        current["employer"] = count.employer_id if by_employer else None
        extra_labels.setdefault(count.variable, count.label)
        add(count.law, count.month, count.variable, "yes", count.yes)
        add(count.law, count.month, count.variable, "no", count.no)

    # The "no" sides that need the leaf's case count.
    for value in leaves.values():
        identity = value.counts.get("identity", {}).get("yes", 0)
        value.counts.setdefault("identity", {})["no"] = value.cases - identity
        for variable in ("follow_up", "complaint"):
            yes = value.counts.get(variable, {}).get("yes", 0)
            value.counts.setdefault(variable, {})["no"] = value.cases - yes
        refused = value.counts.get("refused", {}).get("yes", 0)
        for code in grounds:
            yes = value.counts.get(f"refused_ground:{code}", {}).get("yes", 0)
            value.counts.setdefault(f"refused_ground:{code}", {})["no"] = refused - yes

    extra = tuple(Variable(f"refused_ground:{code}", f"Refused on ground “{code}”",
                           (("yes", gettext_noop("This ground")), ("no", gettext_noop("Other grounds")))) for code in sorted(grounds))
    extra += tuple(Variable(key, label, extra_categories(key)) for key, label in sorted(extra_labels.items()))
    return Counts(leaves=leaves, variables=BASE_VARIABLES + extra)


def extra_categories(key: str) -> tuple[tuple[str, str], ...]:
    """The yes/no labels of a variable an app above cases contributes (or a refusal ground), by its prefix."""
    if key.startswith(("refused_ground:", "artefact_retained:")):
        return (("yes", gettext_noop("This ground")), ("no", gettext_noop("Other grounds")))
    if key.startswith("artefact:"):
        return (("yes", gettext_noop("At least one artefact")), ("no", gettext_noop("No artefact with this outcome")))
    return (("yes", gettext_noop("Addressed")), ("no", gettext_noop("Not addressed")))


def outcomes_release(cases: QuerySet[Case], *, today: date, k: int | None = None) -> Release:
    """The release of every figure for ``cases`` (one scope: an employer's counted cases, a campaign's)."""
    counts = outcome_counts(cases, today=today)
    return build_release(leaves=counts.leaves, levels=LEVELS, variables=counts.variables,
                         k=min_cell() if k is None else k, answer_variable="status")


@dataclass(frozen=True)
class RankedEmployer:
    employer_id: int
    name: str
    cases: int
    due: int
    on_time: int
    late: int
    none: int

    @property
    def on_time_share(self) -> float:
        return self.on_time / self.due

    @property
    def on_time_percent(self) -> float:
        return round(100 * self.on_time / self.due, 1)

    @property
    def none_share(self) -> float:
        return self.none / self.due


def ranking(cases: QuerySet[Case], *, today: date, k: int | None = None) -> list[RankedEmployer]:
    """Employers by their share of requests answered on time, from ONE grouped query (plus the names)."""
    grouped = (cases.filter(received_on__isnull=False, employer__isnull=False).values("employer_id").order_by()
               .annotate(n_cases=Count("pk"), n_on_time=Count("pk", filter=Q(on_time=True)),
                         n_late=Count("pk", filter=Q(on_time=False)),
                         n_none=Count("pk", filter=Q(answered_on__isnull=True, respond_by__lt=today))))
    return ranking_from_totals(((row["employer_id"], row["n_cases"],
                                 {"on_time": row["n_on_time"], "late": row["n_late"], "none": row["n_none"]})
                                for row in grouped), k=k)


def ranking_from_totals(totals, *, k: int | None = None) -> list[RankedEmployer]:
    """``totals``: (employer id, cases, status counts). Each employer's row is its release's root row
    (``levels=()``), so the ranking shows exactly what its own page shows for "all laws, all periods";
    employers whose row is suppressed are not ranked."""
    k = min_cell() if k is None else k
    ranked = []
    for employer_id, cases, status_counts in totals:
        status = single_row(STATUS, cases=cases, counts=status_counts, k=k)
        if status.published:
            ranked.append((employer_id, cases, status))
    names = dict(Employer.objects.filter(pk__in=[r[0] for r in ranked]).values_list("pk", "legal_name"))
    result = [RankedEmployer(employer_id, names.get(employer_id, ""), cases, status.total, status.count("on_time"),
                             status.count("late"), status.count("none")) for employer_id, cases, status in ranked]
    result.sort(key=lambda r: (-r.on_time_share, r.none_share, r.name, r.employer_id))
    return result
