"""Deadlines as an iCalendar file (RFC 5545) through the icalendar library."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from icalendar import Alarm, Calendar, Event

from deletion_portal.laws.types import DeadlineResult, Regime

PRODID = "-//Deletion portal//Deadline calculator//EN"


def _event(*, uid: str, day, summary: str, description: str, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", timedelta(days=-1))
    event.add_component(alarm)
    return event


def deadlines_calendar(items: list[tuple[Regime, DeadlineResult]], *, now: datetime | None = None) -> bytes:
    """One all-day event per date (acknowledge, respond, latest with extension, suggestion)."""
    stamp = now or datetime.now(timezone.utc)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Data request deadlines")
    for regime, result in items:
        trail = "\n".join(f"- {step}" for step in result.steps)
        base = f"{regime.key}-{result.received.isoformat()}-{result.region}"
        dated = [
            ("acknowledge", result.acknowledge_by, f"{regime.short_name}: employer must confirm receipt"),
            ("respond", result.respond_by, f"{regime.short_name}: employer must answer your request"),
            (
                "extended",
                result.extended_respond_by,
                f"{regime.short_name}: latest answer date if the employer validly extends",
            ),
            (
                "suggested",
                result.suggested_follow_up,
                f"{regime.short_name}: suggested follow-up (no legal deadline)",
            ),
        ]
        for kind, day, summary in dated:
            if day is None:
                continue
            description = (
                f"{regime.name} ({regime.instrument}). Request received {result.received.isoformat()}.\n"
                f"How this date was computed:\n{trail}\n\nInformation, not legal advice."
            )
            calendar.add_component(
                _event(uid=f"{base}-{kind}@deletion-portal", day=day, summary=summary, description=description, stamp=stamp)
            )
    return calendar.to_ical()
