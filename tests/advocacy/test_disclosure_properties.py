"""Property tests of the disclosure rules (deletion_portal/advocacy/disclosure.py), by brute force.

The attacker: knows every counted person's law and month received (every attribute a filter or a
breakdown uses) and so how many people each leaf (law × month) holds; sees EVERY figure of the release
(every filter, every sum of filters, every suppression and its reason: pages, downloads and the API all
read the same release); and knows the rules, so can re-run them on any guess.

The property: for every person and every variable, at least two values are consistent with everything
published — i.e. among all assignments of outcomes to the people (with the same attributes) that produce
exactly the same published release, the person's leaf holds someone with one value in one of them and
someone with another value in another. People of one leaf are interchangeable to the attacker, so
enumerating the count vectors per leaf is the full brute force.

Also checked on every release: no published count is below k, no published population is below k, a
published filter and the published filters inside it never differ by 1..k-1 people, a month series is
published only when every month is, and what a sum of filters publishes is exactly the sum.
"""

from __future__ import annotations

import itertools
import os

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deletion_portal.advocacy.disclosure import (
    SUPPRESSED,
    Leaf,
    Variable,
    build_release,
    imposed_subtrees,
    quantile_of,
)

# Thousands of examples in CI; PORTAL_HYPOTHESIS_EXAMPLES overrides (e.g. 200 while developing).
EXAMPLES = int(os.environ.get("PORTAL_HYPOTHESIS_EXAMPLES", "800"))
settings.register_profile("disclosure", max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
brute = settings.get_profile("disclosure")

K = 3
LEVELS = ("law", "month")
LAWS = ("gdpr", "ccpa")
MONTHS = ("2026-01", "2026-02")
LEAVES = tuple(itertools.product(LAWS, MONTHS))
BINARY = Variable("answered", "Answered", (("yes", "Yes"), ("no", "No")))
TERNARY = Variable("status", "Status", (("on_time", "On time"), ("late", "Late")))  # + n/a (not yet due)


def release_of(counts: dict, variable: Variable, k: int = K):
    """counts: leaf → tuple of counts per category, the last entry of a ternary variable being n/a."""
    leaves = {}
    for key, values in counts.items():
        leaves[key] = Leaf(cases=sum(values), counts={variable.key: dict(zip(variable.codes, values, strict=False))})
    return build_release(leaves=leaves, levels=LEVELS, variables=[variable], k=k)


def compositions(total: int, parts: int):
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in compositions(total - first, parts - 1):
            yield (first, *rest)


def possible_values(actual: dict, variable: Variable, values_per_person: int) -> dict:
    """For each leaf, the values someone in it can have in SOME assignment giving the same release."""
    published = release_of(actual, variable).signature()
    keys = list(actual)
    options = [list(compositions(sum(actual[key]), values_per_person)) for key in keys]
    possible = {key: set() for key in keys}
    for guess in itertools.product(*options):
        if release_of(dict(zip(keys, guess, strict=True)), variable).signature() != published:
            continue
        for key, vector in zip(keys, guess, strict=True):
            possible[key].update(i for i, n in enumerate(vector) if n)
    return possible


def people(max_per_leaf: int, values: int):
    leaf = st.lists(st.integers(0, values - 1), min_size=0, max_size=max_per_leaf)
    return st.fixed_dictionaries({key: leaf for key in LEAVES}).map(
        lambda d: {key: tuple(outcomes.count(v) for v in range(values)) for key, outcomes in d.items() if outcomes}
    ).filter(bool)


@brute
@given(people(max_per_leaf=5, values=2))
def test_no_one_s_binary_outcome_follows_from_the_release(actual):
    for key, values in possible_values(actual, BINARY, 2).items():
        assert len(values) >= 2, (key, actual)


@settings(brute, max_examples=max(50, EXAMPLES // 6))
@given(people(max_per_leaf=3, values=3))
def test_no_one_s_outcome_follows_from_the_release_with_cases_it_does_not_apply_to(actual):
    """Three values per person: on time, late, and n/a (not yet due, any number of them, never a cell)."""
    for key, values in possible_values(actual, TERNARY, 3).items():
        assert len(values) >= 2, (key, actual)


def _filters():
    yield {}
    for law in LAWS:
        yield {"law": law}
        for month in MONTHS:
            yield {"law": law, "month": month}
    for month in MONTHS:
        yield {"month": month}


@settings(brute, max_examples=EXAMPLES * 2)
@given(people(max_per_leaf=12, values=2), st.integers(3, 6))
def test_published_figures_follow_the_stated_rules(actual, k):
    release = release_of(actual, BINARY, k)
    for filters in _filters():
        row = release.row("answered", **filters)
        cases, reason = release.population(**filters)
        if cases is not None:
            assert cases >= k
        if row.published:
            assert all(cell.count >= k for cell in row.cells), (filters, row)
            assert cases is not None and row.total == sum(cell.count for cell in row.cells)
        else:
            assert all(cell.count is None and cell.share is None for cell in row.cells)
    # Differencing: a published filter minus the published filters inside it is 0 or ≥ k people (and
    # every cell of that difference ≥ k), for "all" and each law.
    for outer, inner in [({}, [{"law": law} for law in LAWS])] + [
        ({"law": law}, [{"law": law, "month": m} for m in MONTHS]) for law in LAWS
    ]:
        top = release.row("answered", **outer)
        if not top.published:
            continue
        parts = [release.row("answered", **f) for f in inner]
        shown = [p for p in parts if p.published]
        rest = [top.count(code) - sum(p.count(code) for p in shown) for code in BINARY.codes]
        assert sum(rest) == 0 or all(n >= k for n in rest), (outer, rest)
    # A sum of filters (all laws in a month) is published only when each part is, and is their sum.
    for month in MONTHS:
        total = release.row("answered", month=month)
        parts = [release.row("answered", law=law, month=month) for law in LAWS]
        present = [p for p, law in zip(parts, LAWS, strict=True) if (law, month) in actual]
        if total.published:
            assert all(p.published for p in present)
            assert total.count("yes") == sum(p.count("yes") for p in present)


def test_the_lone_law_case_is_not_revealed_by_differencing():
    """29 GDPR cases and ONE CCPA case: "all" is published, so "GDPR" (all but one) must not be."""
    actual = {("gdpr", "2026-01"): (10, 9), ("gdpr", "2026-02"): (5, 5), ("ccpa", "2026-01"): (1, 0)}
    release = release_of(actual, BINARY, k=5)
    assert release.row("answered").published
    assert release.row("answered").count("yes") == 16
    gdpr = release.row("answered", law="gdpr")
    assert not gdpr.published and gdpr.reason == SUPPRESSED
    assert release.row("answered", law="ccpa").reason == SUPPRESSED
    # and the months of GDPR cannot be added up to the GDPR total either:
    months = [release.row("answered", law="gdpr", month=m) for m in MONTHS]
    assert not all(m.published for m in months)


def test_a_row_with_a_small_cell_is_suppressed_whole():
    release = release_of({("gdpr", "2026-01"): (20, 2)}, BINARY, k=5)
    row = release.row("answered")
    assert row.reason == SUPPRESSED and [c.count for c in row.cells] == [None, None]
    assert release.population() == (22, "")


def test_a_zero_is_a_small_cell():
    """'20 of 20 answered' would tell each of the 20 that they were answered."""
    assert release_of({("gdpr", "2026-01"): (20, 0)}, BINARY, k=5).row("answered").reason == SUPPRESSED


def test_cases_a_variable_does_not_apply_to_are_no_cell():
    """Not yet due: never shown as a cell, any number of them (a row's total says how many cases it covers)."""
    for na in (0, 1, 2, 7):
        row = release_of({("gdpr", "2026-01"): (6, 6, na)}, TERNARY, k=5).row("status")
        assert row.published and row.total == 12 and row.cases == 12 + na
    assert release_of({("gdpr", "2026-01"): (6, 4, 9)}, TERNARY, k=5).row("status").reason == SUPPRESSED


def test_a_month_series_needs_every_month():
    release = release_of({("gdpr", "2026-01"): (6, 6), ("gdpr", "2026-02"): (6, 1)}, BINARY, k=5)
    assert release.series("answered", "month", list(MONTHS), law="gdpr") is None
    full = release_of({("gdpr", "2026-01"): (6, 6), ("gdpr", "2026-02"): (6, 7)}, BINARY, k=5)
    assert [r.count("yes") for r in full.series("answered", "month", list(MONTHS), law="gdpr")] == [6, 6]
    # a month with no case at all is a month below k
    assert full.series("answered", "month", ["2025-12", *MONTHS], law="gdpr") is None


@given(st.dictionaries(st.integers(0, 120), st.integers(1, 6), max_size=30), st.integers(3, 8),
       st.sampled_from([0.5, 0.9]))
@settings(max_examples=500, deadline=None, database=None, derandomize=True)
def test_a_quantile_is_published_only_over_k_values_with_k_on_each_side(histogram, k, q):
    result = quantile_of(histogram, q, k)
    n = sum(histogram.values())
    if result.value is None:
        return
    assert n >= k and result.values == n
    assert sum(c for v, c in histogram.items() if v <= result.value) >= k
    assert sum(c for v, c in histogram.items() if v >= result.value) >= k
    values = sorted(v for v, c in histogram.items() for _ in range(c))
    assert result.value == values[max(1, -(-int(q * 10) * n // 10)) - 1]  # nearest rank, ceil(q·n)


def test_k_below_three_is_refused():
    import pytest

    for bad in (0, 1, 2, "5", 2.5, True):
        with pytest.raises(ValueError, match="STATS_MIN_CELL"):
            release_of({("gdpr", "2026-01"): (6, 6)}, BINARY, k=bad)


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(st.integers(0, 40), st.integers(0, 20), st.integers(0, 20), st.integers(3, 6))
def test_a_ranking_line_is_the_root_row_of_the_employer_s_release(cases, yes, no, k):
    from deletion_portal.advocacy.disclosure import single_row

    cases = max(cases, yes + no)
    counts = {"yes": yes, "no": no}
    leaf = Leaf(cases=cases, counts={BINARY.key: counts})
    root = build_release(leaves={(): leaf}, levels=(), variables=[BINARY], k=k).row(BINARY.key)
    assert single_row(BINARY, cases=cases, counts=counts, k=k) == root


# --- The campaign level: one organisation's dashboards against the public pages (rule 7) ----------------------
#
# Two employers; campaign "A" (the observer's organisation) and campaign "B" (another organisation), both
# publishing; each counted case attributed to one of them. The public release of an employer has the levels
# (campaign, law); A's dashboard (campaign, employer, law) with its per-employer subtrees imposed from the
# public releases. The observer sees both public releases and A's dashboard, knows every person's employer,
# campaign and law, and the rules.

PUBLIC = ("campaign", "law")
DASHBOARD = ("campaign", "employer", "law")
WORLD = (("e1", "A", "gdpr"), ("e1", "A", "ccpa"), ("e1", "B", "gdpr"), ("e1", "B", "ccpa"),
         ("e2", "A", "gdpr"), ("e2", "B", "gdpr"))


def _leaf(values) -> Leaf:
    return Leaf(cases=sum(values), counts={BINARY.key: dict(zip(BINARY.codes, values, strict=False))})


def public_of(counts: dict, employer: str):
    return build_release(leaves={(c, law): _leaf(v) for (e, c, law), v in counts.items() if e == employer},
                         levels=PUBLIC, variables=[BINARY], k=K)


def dashboard_of(counts: dict, campaign: str = "A"):
    publics = {e: public_of(counts, e) for e in ("e1", "e2")}
    leaves = {(c, e, law): _leaf(v) for (e, c, law), v in counts.items() if c == campaign}
    return build_release(leaves=leaves, levels=DASHBOARD, variables=[BINARY], k=K,
                         imposed=imposed_subtrees(campaign, publics))


def observed(counts: dict) -> tuple:
    return (public_of(counts, "e1").signature(), public_of(counts, "e2").signature(), dashboard_of(counts).signature())


@settings(brute, max_examples=max(60, EXAMPLES // 4))
@given(st.fixed_dictionaries({key: st.lists(st.integers(0, 1), max_size=4) for key in WORLD}))
def test_no_one_of_another_campaign_is_revealed_by_a_dashboard_and_the_public_pages(people_by_leaf):
    actual = {key: (outcomes.count(0), outcomes.count(1)) for key, outcomes in people_by_leaf.items() if outcomes}
    if not actual:
        return
    seen = observed(actual)
    possible = {key: set() for key in actual}
    # Every world that differs from the actual one at ONE employer and shows the observer exactly the same (a
    # subset of all the worlds consistent with what is seen: enough to find two values for someone).
    for employer in ("e1", "e2"):
        keys = [key for key in actual if key[0] == employer]
        for guess in itertools.product(*(list(compositions(sum(actual[key]), 2)) for key in keys)):
            world = {**actual, **dict(zip(keys, guess, strict=True))}
            if observed(world) != seen:
                continue
            for key in keys:
                possible[key].update(i for i, n in enumerate(world[key]) if n)
    for key, values in possible.items():
        if key[1] == "B":
            assert len(values) >= 2, (key, actual)
    # and the dashboard publishes nothing beyond the public pages: its per-employer nodes read as there
    dashboard = dashboard_of(actual)
    for employer in ("e1", "e2"):
        public = public_of(actual, employer)
        for law in ("gdpr", "ccpa", None):
            mine = dashboard.row(BINARY.key, employer=employer, law=law)
            theirs = public.row(BINARY.key, campaign="A", law=law)
            assert (mine.reason, [c.count for c in mine.cells]) == (theirs.reason, [c.count for c in theirs.cells])


def test_the_campaign_total_is_published_only_as_a_sum_of_published_parts():
    """A at e1: 10 (published there); A at e2: 10 but e2's B has 2, so e2's public release withholds A's node
    (its remainder would be B's 2): A's total over both employers is then NOT published — 20 minus e1's 10
    would give A at e2, and e2's public total minus that would give B's two members."""
    counts = {("e1", "A", "gdpr"): (5, 5), ("e2", "A", "gdpr"): (5, 5), ("e2", "B", "gdpr"): (2, 0)}
    assert not public_of(counts, "e2").row(BINARY.key, campaign="A").published
    assert public_of(counts, "e2").row(BINARY.key).published
    dashboard = dashboard_of(counts)
    assert dashboard.row(BINARY.key, employer="e1").published
    assert not dashboard.row(BINARY.key, employer="e2").published
    assert not dashboard.row(BINARY.key).published
    both = dashboard_of({("e1", "A", "gdpr"): (5, 5), ("e2", "A", "gdpr"): (5, 5)})
    assert both.row(BINARY.key).published and both.row(BINARY.key).count("yes") == 10


# --- Two NON-publishing campaigns of one organisation with overlapping members --------------------------------
#
# Campaigns "A" and "B" of one organisation, neither publishing. Each person is a member of A only, of B only, of
# both having joined A first ("AB") or B first ("BA"). The organisation sees both dashboards and knows every
# member's memberships and when they joined. WHO each dashboard counts comes from the real selector
# (``figures.private_campaign_cases``, on the database); the releases are built from those people under the
# rules. Counting every consenting member in both dashboards, A minus B would be A's members outside B — one
# person, when there is one.

GROUPS = ("A", "B", "AB", "BA")


def _private_world(sizes: dict) -> dict:
    """Build the organisation, its two campaigns and ``sizes[group]`` members per group; return per group the
    campaigns whose dashboard counts its members (the same for every member of a group: they are alike)."""
    from datetime import date, datetime, timezone

    from deletion_portal.advocacy import figures
    from deletion_portal.advocacy.models import Campaign, CampaignMember, Consent, ConsentKind, Organisation
    from deletion_portal.cases.models import Case
    from deletion_portal.employers.models import Employer

    organisation = Organisation.objects.create(name="Collective", country="DE")
    employer = Employer.objects.create(legal_name="Acme", country="DE", privacy_email="privacy@acme.example")
    campaigns = {c: Campaign.objects.create(organisation=organisation, title=c, slug=c.lower()) for c in "AB"}
    earlier, later = datetime(2026, 3, 1, tzinfo=timezone.utc), datetime(2026, 3, 2, tzinfo=timezone.utc)
    members, groups = [], {}
    for group, n in sizes.items():
        for _ in range(n):
            case = Case.objects.create(employer=employer, status="sent", law_key="eu-gdpr",
                                       received_on=date(2026, 2, 2), respond_by=date(2026, 3, 4))
            groups[case.pk] = group
            members += [CampaignMember(campaign=campaigns[c], case=case, joined_at=at)
                        for c, at in zip(group, (earlier, later), strict=False)]
    CampaignMember.objects.bulk_create(members)
    Consent.objects.bulk_create([Consent(member=m, kind=ConsentKind.STATISTICS, given=True, wording_version="test")
                                 for m in CampaignMember.objects.filter(campaign__organisation=organisation)])
    counted = {group: set() for group in sizes}
    for c, campaign in campaigns.items():
        ids = set(figures.private_campaign_cases(campaign_id=campaign.pk).values_list("pk", flat=True))
        by_group = {group: {case_id in ids for case_id, g in groups.items() if g == group} for group in sizes}
        for group, found in by_group.items():
            assert len(found) == 1, (group, c)  # the members of a group are alike
            if found == {True}:
                counted[group].add(c)
    return counted


def private_dashboards(counts: dict, counted: dict) -> tuple:
    """The signatures of A's and B's dashboards: counts[group] = (yes, no) of the group's people."""
    out = []
    for campaign in "AB":
        yes = sum(counts[g][0] for g in counts if campaign in counted[g])
        no = sum(counts[g][1] for g in counts if campaign in counted[g])
        leaves = {(campaign,): _leaf((yes, no))} if yes + no else {}
        out.append(build_release(leaves=leaves, levels=("campaign",), variables=[BINARY], k=K).signature())
    return tuple(out)


@pytest.mark.django_db
@settings(brute, max_examples=max(60, EXAMPLES // 4))
@given(st.fixed_dictionaries({group: st.lists(st.integers(0, 1), max_size=7) for group in GROUPS}))
def test_no_one_is_revealed_by_two_private_dashboards_of_one_organisation(people_by_group):
    actual = {group: (outcomes.count(0), outcomes.count(1)) for group, outcomes in people_by_group.items() if outcomes}
    if not actual:
        return
    with transaction.atomic():
        counted = _private_world({group: sum(values) for group, values in actual.items()})
        transaction.set_rollback(True)
    seen = private_dashboards(actual, counted)
    groups = list(actual)
    possible = {group: set() for group in groups}
    for guess in itertools.product(*(list(compositions(sum(actual[g]), 2)) for g in groups)):
        world = dict(zip(groups, guess, strict=True))
        if private_dashboards(world, counted) != seen:
            continue
        for group in groups:
            possible[group].update(i for i, n in enumerate(world[group]) if n)
    for group, values in possible.items():
        assert len(values) >= 2, (group, actual, counted)
    # Each person counts in exactly one of the organisation's dashboards: the campaign joined first.
    assert counted == {group: {group[0]} for group in actual}
