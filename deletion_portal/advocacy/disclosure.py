"""Statistical disclosure control: THE module that decides which outcome figures may be published.

Pure Python (no ORM): pages, CSV/JSON downloads and the API all read figures from a :class:`Release`
built here, so one set of rules applies everywhere.

A release is every figure a scope (an employer, a campaign) might publish, for every filter the pages and
the API offer, computed from counts per *leaf*: the finest combination of the release's levels (by
default law → year → month received). The levels form a tree: the scope, each law, each law and year,
each law and month. Every filter the pages offer is either a node of that tree (``law=…``,
``law=…&year=…``) or the sum of nodes of one depth (all laws in a month, all laws in a year); a sum is
published only when every node it adds up is published, so it says nothing the published nodes do not.

The rules (``k`` is ``settings.STATS_MIN_CELL``, default 5, never below 3):

1. **Cells.** A variable (answered on time / late / not at all, acknowledged, extended …) is published for
   a node only as a whole row: every category counts at least k cases — a 0 is a small cell ("20 of 20
   answered" tells each of the 20 their outcome). Otherwise every cell of the row is suppressed. The cases
   a variable does not apply to (``n/a``: not yet due, no legal date …) are not a category: they are never
   shown, though the cases behind the node minus the row's total gives their number (requiring it to be 0 or
   ≥ k, as a first version did, suppressed an employer's every status row while 1–4 requests were not yet
   due, i.e. nearly always).
   Suppressing the whole row is the complementary suppression: no cell of a row can be worked out from the
   total and the other cells, and percentages are computed only from published cells.
2. **Population.** A node's number of cases is published only when it is at least k.
3. **Differencing.** Subtracting published figures must not isolate fewer than k people: for every
   published node, the cases it holds beyond its published sub-nodes (its *remainder*) are either none or
   themselves a publishable row (every cell at least k). Where that fails, sub-nodes are withheld
   (smallest first) until it holds — the figure for "all" stays, "all but one law" goes. Because the
   published nodes form a tree, the remainders of the published nodes are exactly what all the published
   figures together reveal, and each of them passes rule 1.
4. **Time series.** A series by month is published only when every month in its range is published;
   else it is offered by year under the same rule, else not at all.
5. **Medians and percentiles** (days to answer) need at least k values, at least k of them at or above the
   figure and k at or below it (so the 90th percentile needs about 10·k values), and only for a node whose
   answer row is published (so two published medians never differ by fewer than k people).
6. **One reason.** Every suppressed figure reads the same (:data:`SUPPRESSED`), and a listing (the laws, the
   months) names only groups whose population is published.
7. **Imposed subtrees** (a campaign dashboard against the public pages). The public release of an employer
   has the campaign as its first level (each counted case attributed to ONE publishing campaign), so "the
   employer" against "campaign C's part of it" is rule 3. A publishing campaign's dashboard is a release
   whose per-employer subtrees are those public subtrees: their decisions are *imposed* (taken from the
   employer's release, not re-decided), and a node above them (the campaign over all its employers) is
   published only when its published sub-nodes add up to all of it (an empty remainder) — a non-empty
   remainder, even a publishable one, could be subtracted from an employer's public total to isolate
   another campaign's members. Quantiles only of imposed nodes. So such a dashboard publishes nothing the
   public pages do not already imply.

What this guarantees (checked by brute force in ``tests/advocacy/test_disclosure_properties.py``): an
observer who knows every counted person's law and month received (everything the filters use), sees
every figure of the release — every filter and every download — and knows these rules, still finds every
person's value of every variable consistent with at least two values. Each variable is treated on its own.
No release built from exact counts can protect a person against someone who knows everyone else's outcome.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

MIN_ALLOWED_K = 3
NA = "n/a"

#: Why a figure is not published. ONE public reason on purpose: telling "a cell is below k" apart from
#: "withheld against subtraction" lets an observer infer that the withheld row's cells are all ≥ k, and
#: with the published total that can pin a small group (found by the property tests). Internally the
#: rules still distinguish them (``_FEWER``, ``_DIFFERENCING``).
SUPPRESSED = "suppressed"
_FEWER = "fewer_than_k"  # a cell (or the population) counts fewer than k people
_DIFFERENCING = "differencing"  # withheld so that it cannot be subtracted from another published figure


def check_k(k: int) -> int:
    if not isinstance(k, int) or isinstance(k, bool) or k < MIN_ALLOWED_K:
        raise ValueError(f"STATS_MIN_CELL must be an integer of at least {MIN_ALLOWED_K} (got {k!r}).")
    return k


@dataclass(frozen=True)
class Variable:
    """A categorical outcome: ``categories`` (code, label) partition the cases it applies to."""

    key: str
    label: str
    categories: tuple[tuple[str, str], ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.categories)


@dataclass
class Leaf:
    """The counts of one leaf: ``cases`` counted, per variable the count of each category (cases in no
    category are the variable's n/a), and the days-to-answer histogram (days → cases)."""

    cases: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    days: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Cell:
    code: str
    label: str
    count: int | None
    share: float | None  # of the row's applicable cases (count / total), when published


@dataclass(frozen=True)
class Row:
    variable: str
    label: str
    cases: int | None  # cases in the node (the population)
    total: int | None  # cases the variable applies to (sum of the categories)
    cells: tuple[Cell, ...]
    reason: str = ""  # why suppressed ("" when published)

    @property
    def published(self) -> bool:
        return not self.reason

    def count(self, code: str) -> int | None:
        return next((c.count for c in self.cells if c.code == code), None)

    def share(self, code: str) -> float | None:
        return next((c.share for c in self.cells if c.code == code), None)


@dataclass(frozen=True)
class Quantile:
    q: float
    value: int | None
    values: int | None  # how many values it is computed from (None when suppressed)
    reason: str = ""


def _row_ok(counts: tuple[int, ...], na: int, k: int) -> bool:
    """Rule 1. ``na`` (the cases the variable does not apply to) is never shown and may be any number."""
    return all(c >= k for c in counts)


class _Node:
    __slots__ = ("key", "children", "cases", "counts", "days")

    def __init__(self, key: tuple):
        self.key = key
        self.children: dict = {}
        self.cases = 0
        self.counts: dict[str, list[int]] = {}
        self.days: dict[int, int] = {}


class Release:
    """Every figure a scope may publish, with the rules above applied. Read it with :meth:`row`,
    :meth:`population`, :meth:`quantile`, :meth:`series`, :meth:`children`; :meth:`published` is the whole
    published content as plain data (what the tests compare)."""

    def __init__(self, *, leaves: Mapping[tuple, Leaf], levels: tuple[str, ...], variables: Iterable[Variable],
                 k: int, answer_variable: str | None = None, imposed: Mapping[str, Mapping[tuple, str]] | None = None):
        self.k = check_k(k)
        #: Decisions taken by ANOTHER release over the same people (``"cases"``: the population, else per
        #: variable: node key → reason, "" published): a campaign dashboard's per-employer subtrees are the
        #: employers' public subtrees of that campaign, published exactly as there (rule 7).
        self._imposed = imposed
        self.levels = tuple(levels)
        self.variables = {v.key: v for v in variables}
        self.answer_variable = answer_variable
        self._nodes: dict[tuple, _Node] = {}
        self._memo: dict = {}
        self._index: dict | None = None
        root = self._node(())
        specs = [(variable.key, variable.codes) for variable in self.variables.values()]  # codes built once
        empty: dict = {}
        for key, leaf in leaves.items():
            key = tuple(key)
            if len(key) != len(self.levels):
                raise ValueError(f"leaf {key!r} does not have one value per level {self.levels!r}")
            if leaf.cases <= 0:
                continue
            node = self._nodes.get(key)
            if node is None:  # link the path from the root once, when the leaf's node is new
                path = [root] + [self._node(key[: i + 1]) for i in range(len(key))]
                for parent, child in zip(path, path[1:], strict=False):
                    parent.children[child.key] = child
                node = path[-1]
            counts = node.counts
            for name, codes in specs:
                given = leaf.counts.get(name, empty)
                values = [int(given.get(code, 0)) for code in codes]
                if min(values, default=0) < 0 or sum(values) > leaf.cases:
                    raise ValueError(f"leaf {key!r}: the counts of {name} do not fit its {leaf.cases} cases")
                row = counts.get(name)
                if row is None:
                    counts[name] = values
                else:
                    for i, v in enumerate(values):
                        row[i] += v
            node.cases += leaf.cases
            days = node.days
            for day, n in leaf.days.items():
                days[day] = days.get(day, 0) + n
        # Sum the leaves up the tree, deepest nodes first (each node adds itself to its parent once).
        self._by_depth: dict[int, list[_Node]] = {}
        for key, node in self._nodes.items():
            self._by_depth.setdefault(len(key), []).append(node)
        for depth in range(len(self.levels), 0, -1):
            for node in self._by_depth.get(depth, ()):
                parent = self._nodes[node.key[:-1]]
                parent.cases += node.cases
                for name, row in node.counts.items():
                    total = parent.counts.setdefault(name, [0] * len(row))
                    for i, v in enumerate(row):
                        total[i] += v
                for days, n in node.days.items():
                    parent.days[days] = parent.days.get(days, 0) + n
        self._population = self._decide(lambda node: (node.cases,), lambda node: 0, imposed=self._given("cases"))
        self._published: dict[str, dict[tuple, str]] = {}
        for key, variable in self.variables.items():
            width = len(variable.codes)
            self._published[key] = self._decide(
                lambda node, key=key, width=width: tuple(node.counts.get(key, [0] * width)),
                lambda node, key=key, width=width: node.cases - sum(node.counts.get(key, [0] * width)),
                within=self._population, imposed=self._given(key),
            )

    def _given(self, name: str) -> dict[tuple, str] | None:
        """The imposed decisions of ``name`` (a node the other release did not decide for this variable — it
        had no such case — is not published)."""
        if self._imposed is None:
            return None
        given = self._imposed.get(name, {})
        return {key: given.get(key, _FEWER) for key in self._imposed.get("cases", {})}

    def _node(self, key: tuple) -> _Node:
        node = self._nodes.get(key)
        if node is None:
            node = self._nodes[key] = _Node(key)
        return node

    # --- the rules ------------------------------------------------------------------------------------

    def _decide(self, counts, na, within: dict[tuple, str] | None = None,
                imposed: dict[tuple, str] | None = None) -> dict[tuple, str]:
        """For every node, "" (published) or the reason it is not: rule 1 (or 2), then rule 3 top-down; with
        ``imposed`` decisions, rule 7 for the other nodes."""
        k = self.k
        reason: dict[tuple, str] = {}
        row_of: dict[tuple, tuple] = {}  # each node's counts and n/a, computed once
        na_of: dict[tuple, int] = {}
        for key, node in self._nodes.items():
            row_of[key] = row = counts(node)
            na_of[key] = na(node)
            if within is not None and within[key]:
                reason[key] = within[key]
            elif imposed is not None and key in imposed:
                reason[key] = imposed[key]
            elif node.cases == 0 or not _row_ok(row, na_of[key], k):
                reason[key] = _FEWER
            else:
                reason[key] = ""

        def maximal_published(node: _Node) -> list[_Node]:
            found = []
            for child in node.children.values():
                if not reason[child.key]:
                    found.append(child)
                else:
                    found.extend(maximal_published(child))
            return found

        depths = range(len(self.levels) + 1)
        if imposed is not None:
            depths = reversed(depths)  # rule 7 decides the other nodes from the deepest up, on final decisions
        for depth in depths:
            for node in self._by_depth.get(depth, ()):
                key = node.key
                if reason[key] or (imposed is not None and key in imposed):
                    continue
                if imposed is not None:
                    # Rule 7: above imposed subtrees, a node is published only as the exact sum of published
                    # nodes (its remainder empty), so it says nothing the other release does not.
                    if node.cases - sum(sub.cases for sub in maximal_published(node)):
                        reason[key] = _DIFFERENCING
                    continue
                while True:
                    below = maximal_published(node)
                    if not below:
                        break
                    rest = list(row_of[key])
                    rest_na = na_of[key]
                    rest_cases = node.cases
                    for sub in below:
                        rest = [a - b for a, b in zip(rest, row_of[sub.key], strict=True)]
                        rest_na -= na_of[sub.key]
                        rest_cases -= sub.cases
                    if rest_cases == 0 or _row_ok(tuple(rest), rest_na, k):
                        break
                    smallest = min(below, key=lambda n: (n.cases, n.key))
                    reason[smallest.key] = _DIFFERENCING
        return reason

    # --- reading ------------------------------------------------------------------------------------

    def _key_for(self, filters: Mapping[str, str | None]) -> tuple[int, dict[int, str]]:
        unknown = set(filters) - set(self.levels)
        if unknown:
            raise ValueError(f"unknown filter(s) {sorted(unknown)}; the levels are {self.levels}")
        fixed = {self.levels.index(name): value for name, value in filters.items() if value not in (None, "")}
        depth = max(fixed) + 1 if fixed else 0
        return depth, fixed

    def _matching(self, filters: Mapping[str, str | None]) -> tuple[list[_Node], bool]:
        """The nodes whose sum is the filter's population, and whether it is one node of the tree (memoised:
        a report asks every variable of the same filters)."""
        depth, fixed = self._key_for(filters)
        memo_key = (depth, tuple(sorted(fixed.items())))
        found = self._memo.get(memo_key)
        if found is None:
            if self._index is None:  # (depth, level, value) → the nodes of that depth with that value
                self._index = {}
                for key, node in self._nodes.items():
                    for i, value in enumerate(key):
                        self._index.setdefault((len(key), i, value), []).append(node)
            if fixed:
                first = min(fixed)
                candidates = self._index.get((depth, first, fixed[first]), ())
            else:
                candidates = self._by_depth.get(depth, ())
            nodes = [n for n in candidates if all(n.key[i] == value for i, value in fixed.items())]
            found = self._memo[memo_key] = (nodes, len(fixed) == depth)
        return found

    def population(self, **filters) -> tuple[int | None, str]:
        """The number of cases behind a filter, or None and the reason."""
        nodes, native = self._matching(filters)
        if not nodes:
            return None, SUPPRESSED
        if any(self._population[n.key] for n in nodes):
            return None, SUPPRESSED
        return sum(n.cases for n in nodes), ""

    def row(self, variable: str, **filters) -> Row:
        spec = self.variables[variable]
        nodes, _native = self._matching(filters)
        if not nodes or any(self._published[variable][n.key] for n in nodes):
            cases, _ = self.population(**filters)
            return Row(variable, spec.label, cases, None,
                       tuple(Cell(code, label, None, None) for code, label in spec.categories), SUPPRESSED)
        width = len(spec.codes)
        counts = [0] * width
        for node in nodes:
            for i, v in enumerate(node.counts.get(variable, [0] * width)):
                counts[i] += v
        total = sum(counts)
        cells = tuple(Cell(code, label, counts[i], (counts[i] / total) if total else None)
                      for i, (code, label) in enumerate(spec.categories))
        return Row(variable, spec.label, sum(n.cases for n in nodes), total, cells)

    def quantile(self, q: float, **filters) -> Quantile:
        """The q-quantile (nearest rank) of days to answer, under rule 5 (native nodes only)."""
        if not 0 < q < 1:
            raise ValueError("q must be between 0 and 1")
        nodes, _native = self._matching(filters)
        if len(nodes) != 1:  # a filter that is exactly one node (e.g. one law, when one campaign holds it)
            return Quantile(q, None, None, SUPPRESSED)
        node = nodes[0]
        if self._imposed is not None:
            # Rule 7: a quantile only of a node the other release decided (over one chain of single children,
            # the same people), so the dashboard adds no quantile the public pages lack.
            while node.key not in self._imposed.get("cases", {}) and len(node.children) == 1:
                node = next(iter(node.children.values()))
            if node.key not in self._imposed.get("cases", {}):
                return Quantile(q, None, None, SUPPRESSED)
        if self.answer_variable is None or self._published[self.answer_variable][node.key]:
            return Quantile(q, None, None, SUPPRESSED)
        return quantile_of(node.days, q, self.k)

    def children(self, level: str, **filters) -> list[str]:
        """The values of ``level`` under a filter (the laws, the years, the months) whose population is
        published, sorted: a listing never shows that a group of fewer than k people exists."""
        index = self.levels.index(level)
        _, fixed = self._key_for(filters)
        deepest = max([index, *fixed])
        values = {key[index] for key in self._nodes
                  if len(key) > deepest and all(key[i] == value for i, value in fixed.items())}
        return sorted(v for v in values if self.population(**{**filters, level: v})[0] is not None)

    def series(self, variable: str, level: str, values: list[str], **filters) -> list[Row] | None:
        """One row per value of ``level`` (rule 4): None unless every value's row is published."""
        rows = [self.row(variable, **{**filters, level: value}) for value in values]
        if not rows or not all(row.published for row in rows):
            return None
        return rows

    def decisions(self, prefix: tuple) -> dict[str, dict[tuple, str]]:
        """What this release decided for the subtree at ``prefix`` (keys relative to it: ``()`` is the prefix's
        node): ``"cases"`` (the population) and each variable, node → reason ("" published). What another
        release over the same people passes as ``imposed`` (rule 7)."""
        prefix = tuple(prefix)
        n = len(prefix)
        keys = [key for key in self._nodes if key[:n] == prefix]
        out = {"cases": {key[n:]: self._population[key] for key in keys}}
        for variable, reasons in self._published.items():
            out[variable] = {key[n:]: reasons[key] for key in keys}
        return out

    def signature(self) -> tuple:
        """What the release publishes about its nodes (every sum of nodes is a function of it): the
        population and every variable's row of each node, or the reason it is suppressed."""
        out = []
        for key in sorted(self._nodes):
            node = self._nodes[key]
            entry = [key, node.cases if not self._population[key] else None]
            for variable in self.variables:
                reason = self._published[variable][key]
                entry.append(None if reason else tuple(node.counts.get(variable, ())))
            out.append(tuple(entry))
        return tuple(out)

    def published(self) -> dict:
        """Everything published, as plain data: for every filter (node and sum of nodes) the population
        and every variable's row, with the reasons of what is suppressed, and the quantiles."""
        out: dict = {}
        filters_seen = set()
        for key in self._nodes:
            for mask in range(1 << len(key)):
                filters = {self.levels[i]: (key[i] if mask >> i & 1 else None) for i in range(len(key))}
                if len(key) and not any(filters.values()):
                    continue
                ident = tuple(sorted((n, v) for n, v in filters.items() if v))
                depth = len(key)
                if (ident, depth) in filters_seen:
                    continue
                filters_seen.add((ident, depth))
                entry = {"population": self.population(**filters)}
                for variable in self.variables:
                    row = self.row(variable, **filters)
                    entry[variable] = (row.total, tuple(c.count for c in row.cells), row.reason)
                for q in (0.5, 0.9):
                    quantile = self.quantile(q, **filters) if any(filters.values()) or depth == 0 else None
                    entry[f"q{q}"] = quantile and (quantile.value, quantile.values, quantile.reason)
                out[(ident, depth)] = entry
        return out


def single_row(variable: Variable, *, cases: int, counts: Mapping[str, int], k: int) -> Row:
    """The row of a one-node release (a scope with no breakdown: a ranking's line) without building the
    tree: rules 1 and 2 only, exactly what ``build_release(..., levels=()).row(...)`` publishes."""
    check_k(k)
    values = tuple(int(counts.get(code, 0)) for code in variable.codes)
    if cases < k or not _row_ok(values, cases - sum(values), k):
        return Row(variable.key, variable.label, cases if cases >= k else None, None,
                   tuple(Cell(code, label, None, None) for code, label in variable.categories), SUPPRESSED)
    total = sum(values)
    return Row(variable.key, variable.label, cases, total,
               tuple(Cell(code, label, values[i], values[i] / total) for i, (code, label) in enumerate(variable.categories)))


def quantile_of(histogram: Mapping[int, int], q: float, k: int) -> Quantile:
    """Nearest-rank q-quantile of a histogram (value → count), published under rule 5."""
    check_k(k)
    n = sum(histogram.values())
    if n < k:
        return Quantile(q, None, None, SUPPRESSED)
    rank = max(1, math.ceil(round(q * n, 9)))  # nearest rank: ceil(q·n), without float noise
    seen = 0
    value = None
    for v in sorted(histogram):
        seen += histogram[v]
        if seen >= rank:
            value = v
            break
    at_or_below = sum(c for v, c in histogram.items() if v <= value)
    at_or_above = sum(c for v, c in histogram.items() if v >= value)
    if at_or_below < k or at_or_above < k:
        return Quantile(q, None, None, SUPPRESSED)
    return Quantile(q, value, n)


def build_release(*, leaves: Mapping[tuple, Leaf], levels: tuple[str, ...], variables: Iterable[Variable], k: int,
                  answer_variable: str | None = None, imposed: Mapping[str, Mapping[tuple, str]] | None = None) -> Release:
    return Release(leaves=leaves, levels=levels, variables=variables, k=k, answer_variable=answer_variable,
                   imposed=imposed)


def imposed_subtrees(campaign: str, publics: Mapping[str, Release]) -> dict[str, dict[tuple, str]]:
    """Rule 7: the decisions to impose on a campaign dashboard with levels (campaign, employer, …), from each
    employer's public release (levels (campaign, …)): node (campaign, employer, *rest) is decided exactly as
    node (campaign, *rest) of that employer's release."""
    imposed: dict[str, dict[tuple, str]] = {"cases": {}}
    for employer, public in publics.items():
        prefix = (campaign, employer)
        for name, reasons in public.decisions((campaign,)).items():
            given = imposed.setdefault(name, {})
            for key, reason in reasons.items():
                given[prefix + key] = reason
    return imposed
