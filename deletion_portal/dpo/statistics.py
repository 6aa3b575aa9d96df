"""The ML artefacts' outcomes in the outcome statistics (``cases.hooks.register_statistics_source``).

dpo and advocacy are apps of the same layer and never import each other: dpo offers its counts through
cases' hook, advocacy's figures release them under the same disclosure rules as every other figure.

Per employer, law and month received, of the cases whose SENT answers list ML artefacts: how many name an
artefact with each outcome (deleted, excluded from training, retrained without, unlearning applied, claimed
anonymous, retained, not held) — ``artefact:<outcome>``, yes/no — and, of the cases with a retained
artefact, how many rely on each retention ground (``artefact_retained:<ground>``). A case answered more
than once counts each outcome once (a further answer completes an earlier one). One query.
"""

from __future__ import annotations

from django.utils.translation import gettext, override

from deletion_portal.cases.hooks import StatisticsCount
from deletion_portal.dpo import response_texts
from deletion_portal.dpo.answers import OUTCOMES
from deletion_portal.dpo.models import EmployerResponse, ResponseStatus

OUTCOME_PREFIX = "artefact:"
GROUND_PREFIX = "artefact_retained:"


def artefact_statistics_label(variable: str, language: str) -> str | None:
    """The label of an ``artefact:<outcome>`` or ``artefact_retained:<ground>`` variable in an interface language
    (``cases.hooks.register_statistics_labeller``; the counts below carry the English one). The outcome words are
    the response letter's (``response_texts.OUTCOMES``); a ground code is shown as it is."""
    words = response_texts.OUTCOMES.get(language)
    if words is None or not variable.startswith((OUTCOME_PREFIX, GROUND_PREFIX)):
        return None
    with override(language):
        if variable.startswith(OUTCOME_PREFIX) and variable[len(OUTCOME_PREFIX):] in words:
            return gettext("ML artefacts: %(outcome)s") % {"outcome": words[variable[len(OUTCOME_PREFIX):]]}
        if variable.startswith(GROUND_PREFIX):
            return gettext("ML artefacts retained on ground “%(ground)s”") % {"ground": variable[len(GROUND_PREFIX):]}
    return None


def artefact_statistics(*, cases) -> list[StatisticsCount]:
    rows = (EmployerResponse.objects
            .filter(status=ResponseStatus.SENT, case__in=cases.filter(received_on__isnull=False).values("pk"))
            .values_list("case_id", "case__employer_id", "case__law_key", "case__received_on", "answer"))
    per_case: dict[int, dict] = {}
    for case_id, employer_id, law, received, answer in rows.iterator(chunk_size=2000):
        entry = per_case.setdefault(case_id, {"place": (employer_id, law or "", received.replace(day=1)),
                                              "outcomes": set(), "grounds": set()})
        for artefact in (answer or {}).get("artefacts") or []:
            if not isinstance(artefact, dict) or artefact.get("outcome") not in OUTCOMES:
                continue
            entry["outcomes"].add(artefact["outcome"])
            if artefact["outcome"] == "retained" and isinstance(artefact.get("ground"), str) and artefact["ground"]:
                entry["grounds"].add(artefact["ground"])
    # (place, variable) → [yes, no]
    counts: dict[tuple, list[int]] = {}
    grounds_seen = sorted({g for e in per_case.values() for g in e["grounds"]})
    for entry in per_case.values():
        if not entry["outcomes"]:
            continue
        for outcome in OUTCOMES:
            cell = counts.setdefault((entry["place"], f"{OUTCOME_PREFIX}{outcome}"), [0, 0])
            cell[0 if outcome in entry["outcomes"] else 1] += 1
        if "retained" in entry["outcomes"]:
            for ground in grounds_seen:
                cell = counts.setdefault((entry["place"], f"{GROUND_PREFIX}{ground}"), [0, 0])
                cell[0 if ground in entry["grounds"] else 1] += 1
    out = []
    for ((employer_id, law, month), variable), (yes, no) in sorted(counts.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        if variable.startswith(OUTCOME_PREFIX):
            label = f"ML artefacts: {OUTCOMES[variable[len(OUTCOME_PREFIX):]]}"
        else:
            label = f"ML artefacts retained on ground “{variable[len(GROUND_PREFIX):]}”"
        out.append(StatisticsCount(variable=variable, label=label, law=law, month=month, yes=yes, no=no,
                                   employer_id=employer_id))
    return out
