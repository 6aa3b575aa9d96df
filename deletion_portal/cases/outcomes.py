"""A case's outcome as columns (``Case.outcome``, ``answered_on``, ``on_time``, ``acknowledged_on``,
``extended``, ``refused``), derived from its timeline in ONE place: :func:`case_outcome_fields`, which
``case_recompute`` applies after every event, so every path (web, API, employer side, sweep) keeps
them right and statistics can filter and count them in SQL.

* ``outcome``: the closing outcome of the last ``closed`` event; before closing, ``refused`` once a
  refusal is recorded, else ``answered`` once a response is; blank while nothing came back.
* ``answered_on``: the first ``response_received`` or ``refused`` date.
* ``on_time``: answered on or before ``respond_by`` (the effective, possibly extended, date); null
  while unanswered or without a legal date.
* ``acknowledged_on``: the first acknowledgement; ``extended``: an extension was notified;
  ``extension_valid``: for a notified extension, whether the deadline module found it valid (``laws.deadlines``:
  notified within the first period under a law that provides one), null when none was notified;
  ``refused``: a refusal (in whole or part) was recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from deletion_portal.cases.models import EventKind, Outcome

OUTCOME_FIELDS = ("outcome", "answered_on", "on_time", "acknowledged_on", "extended", "extension_valid", "refused")


def case_outcome_fields(*, events: Iterable, respond_by: date | None, extension_state: str | None = None) -> dict:
    """The outcome columns for a timeline (events in timeline order, with ``kind``, ``on``, ``details``);
    ``extension_state``: the deadline module's verdict on the extension (``ExtensionStatus.state``), if any."""
    events = list(events)
    answers = [e.on for e in events if e.kind in (EventKind.RESPONSE_RECEIVED, EventKind.REFUSED)]
    acknowledgements = [e.on for e in events if e.kind == EventKind.ACKNOWLEDGED]
    closings = [e for e in events if e.kind == EventKind.CLOSED]
    refused = any(e.kind == EventKind.REFUSED for e in events)
    extended = any(e.kind == EventKind.EXTENSION_NOTIFIED for e in events)
    answered_on = min(answers) if answers else None
    if closings and closings[-1].details.get("outcome") in Outcome.values:
        outcome = closings[-1].details["outcome"]
    elif refused:
        outcome = Outcome.REFUSED
    elif answers:
        outcome = Outcome.ANSWERED
    else:
        outcome = ""
    return {
        "outcome": str(outcome),
        "answered_on": answered_on,
        "on_time": (answered_on <= respond_by) if (answered_on and respond_by) else None,
        "acknowledged_on": min(acknowledgements) if acknowledgements else None,
        "extended": extended,
        "extension_valid": (extension_state == "valid") if extended else None,
        "refused": refused,
    }
