"""The deadline arithmetic: one pure function from a regime, a receipt date, a region and the case's
events to a ``DeadlineResult`` with a readable, cited trail.

Pure: no database, no I/O, no Django. Every number comes from the regime record (``laws.types``);
this module only implements the counting methods documented on ``CountingMethod`` and LEGAL.md §2:

* ``calendar_months`` (Regulation 1182/71 by analogy, ICO): the start day is not counted; the period
  ends on the same date N months later, or on that month's last day when the date does not exist
  (``dateutil.relativedelta`` clamps 31 January + 1 month to 28/29 February).
* ``days_excluding_start``: end = start + N days; ``days_including_start``: end = start + N - 1 days.
* ``business_days``: the Nth working day after the start day (weekends and the region's holidays
  skipped).

Then, in this order: paused days are added back to the raw end (``regime.pauses``), and an end on a
non-working day moves to the next day that is not one when the period says so
(``Period.roll_forward``). Which days are non-working is the period's ``non_working_days``: Saturdays,
Sundays and the region's public holidays by default; for PIPEDA only the Interpretation Act s.35
"holidays" (Sunday and the federal holidays it names; a Saturday end stays), see ``laws.regions``.

Where a law can be read two ways (``Period.other_reading``, the CCPA's 45 days: 11 CCR §7021(b)
against Civ. Code §10), both dates are computed, the other one is shown in the trail ("under Civ.
Code §10 the date would be …") and the **later** one becomes ``respond_by`` (and
``extended_respond_by``): reminders and "overdue" never come before either reading's end.

Decisions worth knowing (also in the trail the user sees):

* Start: receipt, or for regimes with ``start_events`` (UK Art. 12A "relevant time") the latest of
  receipt and those events.
* An open pause (clarification asked for, none received yet) is **not** guessed: the dates are
  computed without it and a ``note`` step says the date is on hold and will move later by the days
  the clarification takes. The function never looks at "today", so the same inputs always give the
  same result.
* Paired pauses are merged when they overlap, so a day is never added back twice.
* A regime whose coverage for employees is ``excluded`` gets no dates at all, only a note with the
  reason; a regime without a fixed period gets a clearly labelled suggested follow-up date.
* Extension: the first ``extension_notified`` event counts. Late notice -> ``invalid`` (and no extended
  date); missing reasons where reasons are required -> still ``valid`` but a note says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from .regions import Region, is_working_day, non_working_reason, parse_region
from .types import (
    EVENT_KINDS,
    RIGHT_CODES,
    CaseEvent,
    DeadlineResult,
    ExtensionStatus,
    Pause,
    Period,
    Regime,
    Step,
)

__all__ = ["compute_deadlines", "describe_day"]

#: The contract's Step kinds have no dedicated "final date" kind; the response's final date is a
#: ``note`` (the acknowledgement and extension finals use their own kinds). Change here if one is added.
_RESPONSE_FINAL_KIND = "note"

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_EVENT_LABELS = {
    "extension_notified": "the extension was notified",
    "clarification_requested": "clarification was asked for",
    "clarification_received": "the clarification was received",
    "identity_received": "the identity information asked for was received",
    "fee_paid": "the fee was paid",
}

#: A safety net for the roll-forward loop: no region has this many non-working days in a row.
_MAX_ROLL_DAYS = 31


def describe_day(day: date) -> str:
    """``Tuesday 2026-12-29``: ISO date with an English weekday name (locale independent)."""
    return f"{_WEEKDAYS[day.weekday()]} {day.isoformat()}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _full_sentence(text: str) -> str:
    """Record prose as a sentence: capitalised, ending in a full stop (records differ in style)."""
    text = _sentence(text.strip())
    return text if not text or text[-1] in ".!?" else f"{text}."


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _period_amount(period: Period) -> str:
    if period.counting == "calendar_months":
        return _plural(period.count, "month")
    if period.counting == "business_days":
        return _plural(period.count, "business day")
    return _plural(period.count, "day")


def _method_words(period: Period, region: Region) -> str:
    if period.counting == "calendar_months":
        return (
            "counted in calendar months: the day the clock starts is not counted and the period ends on "
            "the same date in the last month, or on that month's last day when the date does not exist"
        )
    if period.counting == "days_excluding_start":
        return "counted in calendar days, the day the clock starts not counted"
    if period.counting == "days_including_start":
        return "counted in calendar days, the day the clock starts being day one"
    if period.counting == "business_days":
        return f"counted in working days after the start day (not Saturdays, Sundays or public holidays in {region.code})"
    raise ValueError(f"Unknown counting method {period.counting!r}")


# --- validation --------------------------------------------------------------------------------


def _as_date(value: date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _validate(received: date, events: Sequence[CaseEvent], right: str | None) -> list[CaseEvent]:
    if right is not None and right not in RIGHT_CODES:
        raise ValueError(f"Unknown right {right!r}: expected one of {', '.join(RIGHT_CODES)}")
    clean: list[CaseEvent] = []
    for event in events:
        if event.kind not in EVENT_KINDS:
            raise ValueError(f"Unknown event kind {event.kind!r}: expected one of {', '.join(EVENT_KINDS)}")
        on = _as_date(event.on)
        if on < received:
            raise ValueError(
                f"Event {event.kind!r} on {on.isoformat()} is before the request was received on "
                f"{received.isoformat()}; events cannot precede receipt"
            )
        clean.append(event if on is event.on else CaseEvent(kind=event.kind, on=on, reasons=event.reasons))
    return sorted(clean, key=lambda e: e.on)


# --- arithmetic ---------------------------------------------------------------------------------


def _add_period(period: Period, start: date, region: Region) -> tuple[date, str]:
    """The raw end of ``period`` counted from ``start`` and a sentence on how it was reached."""
    count = period.count
    if count < 0:
        raise ValueError(f"A period cannot be negative: {count}")
    if period.counting == "calendar_months":
        end = start + relativedelta(months=count)
        how = f"{_period_amount(period)} after {describe_day(start)}"
        if end.day != start.day:
            how += (
                f"; day {start.day} does not exist in {_MONTHS[end.month - 1]} {end.year}, "
                f"so the period ends on the last day of that month"
            )
        return end, how
    if period.counting == "days_excluding_start":
        end = start + timedelta(days=count)
        return end, f"{describe_day(start)} + {_plural(count, 'day')}"
    if period.counting == "days_including_start":
        if count < 1:
            raise ValueError("A period counted with the start as day one needs at least one day")
        end = start + timedelta(days=count - 1)
        return end, f"{describe_day(start)} is day 1, so day {count} is {end.isoformat()}"
    if period.counting == "business_days":
        end = start
        skipped = 0
        remaining = count
        while remaining:
            end += timedelta(days=1)
            if is_working_day(end, region):
                remaining -= 1
            else:
                skipped += 1
        how = f"the {_ordinal(count)} working day after {describe_day(start)}"
        if skipped:
            how += f" ({_plural(skipped, 'non-working day')} in {region.code} skipped)"
        return end, how
    raise ValueError(f"Unknown counting method {period.counting!r}")


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _next_working_day(
    day: date, region: Region, non_working_days: str = "weekends_and_public_holidays"
) -> tuple[date, list[str]]:
    """The first day on or after ``day`` that is not a non-working day (``Period.non_working_days``)
    and the reason for each day moved over."""
    reasons: list[str] = []
    for _ in range(_MAX_ROLL_DAYS):
        reason = non_working_reason(day, region, non_working_days)
        if reason is None:
            return day, reasons
        reasons.append(f"{day.isoformat()} is {reason}")
        day += timedelta(days=1)
    raise ValueError(f"No working day found within {_MAX_ROLL_DAYS} days in {region.code}")


def _roll(end: date, period: Period, region: Region, label: str, steps: list[Step]) -> date:
    """Apply the period's roll-forward rule to ``end``, recording a step per day moved over."""
    if not period.roll_forward:
        reason = non_working_reason(end, region)
        if reason:
            steps.append(
                Step("note", f"{label}: {end.isoformat()} is {reason}, but this period is not moved to a working day.", period.citation)
            )
        return end
    final, reasons = _next_working_day(end, region, period.non_working_days)
    if not reasons and period.non_working_days != "weekends_and_public_holidays":
        usual = non_working_reason(end, region)
        if usual:  # e.g. a PIPEDA end on a Saturday: not an Interpretation Act holiday, so it stays
            steps.append(
                Step(
                    "note",
                    f"{label}: {end.isoformat()} is {usual}, but not a day this period's rule moves an end off, "
                    f"so the end stays.",
                    period.roll_forward_citation,
                )
            )
    for reason in reasons:
        steps.append(Step("roll_forward", f"{label}: {reason}, so the end moves to the next day.", period.roll_forward_citation))
    return final


def _merged_pauses(
    pauses: Sequence[Pause], events: Sequence[CaseEvent], right: str | None, steps: list[Step], label: str
) -> int:
    """Days to add back for the pauses that apply; records the pause and open-pause steps."""
    intervals: list[tuple[date, date, Pause]] = []
    open_since: list[tuple[date, Pause]] = []
    for pause in pauses:
        started = [e.on for e in events if e.kind == pause.starts_on]
        if not started:
            continue
        if pause.rights and right is not None and right not in pause.rights:
            steps.append(
                Step(
                    "note",
                    f"{label}: {_sentence(_EVENT_LABELS[pause.starts_on])}, but this pause applies only to "
                    f"{', '.join(pause.rights)} requests, not to {right}: no days are added back.",
                    pause.citation,
                )
            )
            continue
        ended = [e.on for e in events if e.kind == pause.ends_on]
        for start in started:
            end = next((d for d in ended if d >= start), None)
            if end is None:
                open_since.append((start, pause))
            else:
                intervals.append((start, end, pause))

    total = 0
    merged: list[list] = []
    for start, end, pause in sorted(intervals, key=lambda i: (i[0], i[1])):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end, pause])
    for start, end, pause in merged:
        days = (end - start).days
        total += days
        scope = f" (this pause applies to {', '.join(pause.rights)} requests)" if pause.rights else ""
        steps.append(
            Step(
                "pause",
                f"{label}: {_sentence(_EVENT_LABELS[pause.starts_on])} on {describe_day(start)} and "
                f"{_EVENT_LABELS[pause.ends_on]} on {describe_day(end)}: {_plural(days, 'day')} do not count "
                f"and are added to the end{scope}.",
                pause.citation,
            )
        )
    # Open pauses inside a closed one are already covered; report the earliest one outside.
    for start, pause in sorted(open_since, key=lambda o: o[0]):
        if any(s <= start <= e for s, e, _ in merged):
            continue
        steps.append(
            Step(
                "note",
                f"{label}: Paused since {describe_day(start)} until {_EVENT_LABELS[pause.ends_on]}: "
                f"the date shown leaves this pause out and will move later by the days it takes.",
                pause.citation,
            )
        )
        break
    return total


def _period_trail(
    period: Period,
    *,
    start: date,
    region: Region,
    label: str,
    rule_kind: str,
    pauses: Sequence[Pause] = (),
    events: Sequence[CaseEvent] = (),
    right: str | None = None,
    steps: list[Step],
    base: tuple[date, str] | None = None,
) -> tuple[date, date]:
    """Rule, raw end, pauses and roll-forward for one period; returns (raw end incl. pauses, final)."""
    if base is None:
        steps.append(
            Step(rule_kind, f"{label}: {period.description} — {_period_amount(period)}, {_method_words(period, region)}.", period.citation)
        )
        raw, how = _add_period(period, start, region)
    else:
        raw, how = base
    steps.append(Step("raw_end", f"{label}: raw end date {describe_day(raw)} ({how}).", period.citation))
    added = _merged_pauses(pauses, events, right, steps, label) if pauses else 0
    if added:
        paused = raw + timedelta(days=added)
        steps.append(
            Step("raw_end", f"{label}: with {_plural(added, 'paused day')} added back the end is {describe_day(paused)}.", period.citation)
        )
        raw = paused
    final = _roll(raw, period, region, label, steps)
    if period.other_reading is not None:
        final = _other_reading(period, start=start, region=region, label=label, added=added, first=final, steps=steps)
    return raw, final


def _other_reading(
    period: Period, *, start: date, region: Region, label: str, added: int, first: date, steps: list[Step]
) -> date:
    """Count ``period`` again under its ``other_reading``, say in the trail what that date would be, and
    return the later of the two dates (so no reminder or "overdue" comes before either reading's end)."""
    reading = period.other_reading
    assert reading is not None
    alternative = replace(
        period,
        counting=reading.counting,
        roll_forward=reading.roll_forward,
        roll_forward_citation=reading.roll_forward_citation,
        non_working_days=reading.non_working_days,
        other_reading=None,
    )
    raw, how = _add_period(alternative, start, region)
    raw += timedelta(days=added)
    if reading.roll_forward:
        other, reasons = _next_working_day(raw, region, reading.non_working_days)
    else:
        other, reasons = raw, []
    moved = f", moved from {describe_day(raw)} because {'; '.join(reasons)}" if reasons else ""
    steps.append(
        Step(
            "note",
            f"{label}: {reading.label} the date would be {describe_day(other)} ({how}{moved}). "
            f"{_full_sentence(reading.explanation)}",
            reading.citation,
        )
    )
    later = max(first, other)
    earlier = min(first, other)
    if later == earlier:
        steps.append(Step("note", f"{label}: both readings give {describe_day(later)}.", reading.citation))
    else:
        steps.append(
            Step(
                "note",
                f"{label}: the readings differ, so the portal uses the later date, {describe_day(later)}, for "
                f"reminders and for calling the answer late: an employer is not late while either reading still "
                f"gives it time. Answering by {describe_day(earlier)} is safe under both.",
                f"{period.citation}; {reading.citation}",
            )
        )
    return later


# --- the public function -------------------------------------------------------------------------


def compute_deadlines(
    regime: Regime,
    *,
    received: date,
    region: Region | str,
    events: Sequence[CaseEvent] = (),
    right: str | None = None,
) -> DeadlineResult:
    """Every date the regime gives for a request received on ``received``, with the trail.

    ``region`` is where the holidays are taken from (the controller's establishment, LEGAL.md §2).
    ``right`` (a RIGHT_CODES code) decides which pauses apply; None applies every pause.
    Raises ``ValueError`` for an unknown event kind or right, or an event dated before receipt, and
    ``regions.UnknownRegion`` for an unknown region.
    """
    received = _as_date(received)
    region = parse_region(region)
    events = _validate(received, events, right)
    steps: list[Step] = []
    coverage = regime.coverage.status

    def result(**kwargs) -> DeadlineResult:
        values = dict(
            law_key=regime.key,
            received=received,
            region=region.code,
            start=received,
            acknowledge_by=None,
            respond_by=None,
            extended_respond_by=None,
            extension=ExtensionStatus("none", regime.extension_none_reason or "No extension is provided."),
            suggested_follow_up=None,
            employee_coverage=coverage,
        )
        values.update(kwargs)
        return DeadlineResult(steps=tuple(steps), **values)

    # Excluded: the law gives an employee no rights, so it gives no dates either.
    if coverage == "excluded" or (regime.response is None and regime.no_fixed_period is None):
        steps.append(
            Step(
                "note",
                f"{regime.short_name} gives no deadline for this request. {_full_sentence(regime.coverage.reason)}",
                regime.coverage.citation,
            )
        )
        return result(extension=ExtensionStatus("none", regime.coverage.reason))

    if coverage == "partial":
        steps.append(Step("note", f"Coverage for employees is partial. {_full_sentence(regime.coverage.reason)}", regime.coverage.citation))

    start = _start(regime, received, events, steps)

    acknowledge_by = None
    ack_steps: list[Step] = []
    if regime.acknowledgement is not None:
        _, acknowledge_by = _period_trail(
            regime.acknowledgement,
            start=received,
            region=region,
            label="Acknowledgement",
            rule_kind="acknowledgement",
            steps=ack_steps,
        )
        ack_steps.append(
            Step("acknowledgement", f"Acknowledge receipt by {describe_day(acknowledge_by)}.", regime.acknowledgement.citation)
        )

    if regime.response is None:  # no fixed period
        nfp = regime.no_fixed_period
        assert nfp is not None
        steps.append(Step("note", f"No legal deadline date. {_full_sentence(nfp.reason)}", nfp.citation))
        steps.extend(ack_steps)
        raw = received + timedelta(days=nfp.suggested_follow_up_days)
        follow_up, reasons = _next_working_day(raw, region)
        moved = f", moved from {describe_day(raw)} because {'; '.join(reasons)}" if reasons else ""
        steps.append(
            Step(
                "suggestion",
                f"Suggested follow-up date (a suggestion, not a legal deadline): {describe_day(follow_up)} — "
                f"{_plural(nfp.suggested_follow_up_days, 'day')} after receipt on {describe_day(received)}{moved}. "
                f"Why: {_full_sentence(nfp.suggestion_basis)}",
                nfp.citation,
            )
        )
        extension = ExtensionStatus("none", regime.extension_none_reason or "There is no fixed period to extend.")
        return result(start=start, acknowledge_by=acknowledge_by, extension=extension, suggested_follow_up=follow_up)

    period = regime.response
    response_raw, respond_by = _period_trail(
        period,
        start=start,
        region=region,
        label="Response",
        rule_kind="rule",
        pauses=regime.pauses,
        events=events,
        right=right,
        steps=steps,
    )
    steps.append(Step(_RESPONSE_FINAL_KIND, f"Respond by {describe_day(respond_by)}.", period.citation))
    steps.extend(ack_steps)

    extended_respond_by, extension = _extension(
        regime,
        start=start,
        region=region,
        events=events,
        right=right,
        response_raw=response_raw,
        respond_by=respond_by,
        steps=steps,
    )
    return result(
        start=start,
        acknowledge_by=acknowledge_by,
        respond_by=respond_by,
        extended_respond_by=extended_respond_by,
        extension=extension,
    )


def _start(regime: Regime, received: date, events: Sequence[CaseEvent], steps: list[Step]) -> date:
    citation = regime.start_rule.citation
    if not regime.start_events:
        steps.append(Step("start", f"The clock starts on {describe_day(received)}. {_full_sentence(regime.start_rule.text)}", citation))
        return received
    kinds = " or ".join(_EVENT_LABELS[k] for k in regime.start_events)
    relevant = [e for e in events if e.kind in regime.start_events]
    latest = max(relevant, key=lambda e: e.on, default=None)
    if latest is None or latest.on <= received:
        steps.append(
            Step(
                "start",
                f"The clock starts on receipt, {describe_day(received)}: it runs from the latest of receipt "
                f"and the date {kinds}, and no later such event is recorded. {_full_sentence(regime.start_rule.text)}",
                citation,
            )
        )
        return received
    steps.append(
        Step(
            "start",
            f"The clock starts on {describe_day(latest.on)}, when {_EVENT_LABELS[latest.kind]}, not on receipt "
            f"({describe_day(received)}): it runs from the latest of receipt and the date {kinds}. "
            f"{_full_sentence(regime.start_rule.text)}",
            citation,
        )
    )
    return latest.on


def _extension(
    regime: Regime,
    *,
    start: date,
    region: Region,
    events: Sequence[CaseEvent],
    right: str | None,
    response_raw: date,
    respond_by: date,
    steps: list[Step],
) -> tuple[date | None, ExtensionStatus]:
    notices = [e for e in events if e.kind == "extension_notified"]
    notice = notices[0] if notices else None  # events are sorted: the first notice counts
    ext = regime.extension
    if ext is None:
        reason = regime.extension_none_reason or "This law provides no extension."
        text = f"Extension: none. {reason}"
        if notice is not None:
            text += f" An extension notified on {describe_day(notice.on)} does not move the date."
        steps.append(Step("extension", text))
        return None, ExtensionStatus("none", reason)

    label = "Extension"
    steps.append(
        Step(
            "extension",
            f"{label}: allowed ({ext.grounds}); {ext.who_must_be_told} must be told by the end of the first "
            f"period ({describe_day(respond_by)}){' with the reasons' if ext.reasons_required else ''}.",
            ext.citation,
        )
    )
    if ext.measured_from == "start":
        _, extended = _period_trail(
            ext.period,
            start=start,
            region=region,
            label=label,
            rule_kind="extension",
            pauses=regime.pauses,
            events=events,
            right=right,
            steps=steps,
        )
    else:  # "original_end": a further period after the first period's (paused, unrolled) end
        steps.append(
            Step(
                "extension",
                f"{label}: {ext.period.description} — a further {_period_amount(ext.period)} after the end of "
                f"the first period ({describe_day(response_raw)}), {_method_words(ext.period, region)}.",
                ext.period.citation,
            )
        )
        base = _add_period(ext.period, response_raw, region)
        _, extended = _period_trail(ext.period, start=response_raw, region=region, label=label, rule_kind="extension", steps=steps, base=base)

    with_reasons = " with reasons" if ext.reasons_required else ""
    if notice is None:
        reason = (
            f"Not notified. An extension is possible only if {ext.who_must_be_told} is told by "
            f"{describe_day(respond_by)}{with_reasons} ({ext.citation}); the latest date would then be "
            f"{describe_day(extended)}."
        )
        steps.append(Step("extension", f"{label}: available, latest date {describe_day(extended)} if notified in time.", ext.citation))
        return extended, ExtensionStatus("available", reason)
    if notice.on > respond_by:
        reason = (
            f"Notified on {notice.on.isoformat()}, after the first period ended on {respond_by.isoformat()}; "
            f"{ext.citation} requires notice within the first period."
        )
        steps.append(Step("extension", f"{label}: invalid. {reason} The response is due by {describe_day(respond_by)}.", ext.citation))
        return None, ExtensionStatus("invalid", reason)
    reason = (
        f"Notified on {notice.on.isoformat()}, within the first period (which ended on {respond_by.isoformat()}): "
        f"the response is due by {extended.isoformat()}."
    )
    steps.append(Step("extension", f"{label}: valid, respond by {describe_day(extended)}. {reason}", ext.citation))
    if ext.reasons_required and not notice.reasons.strip():
        steps.append(
            Step(
                "note",
                f"{label}: {ext.citation} requires the notice to give reasons, and none are recorded for the "
                f"notice of {notice.on.isoformat()}. Ask for them; a notice without reasons may be challenged.",
                ext.citation,
            )
        )
    return extended, ExtensionStatus("valid", reason)
