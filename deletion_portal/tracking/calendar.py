"""A case's dates as iCalendar (RFC 5545), and the private per-user calendar feed.

* :func:`case_calendar` — one case's ACTIVE deadline rows as a ``.ics`` file;
* :func:`feed_calendar` — every active deadline row of the feed owner's cases (nobody else's);
* :func:`calendar_feed_create` / :func:`calendar_feed_revoke` / :func:`calendar_feed_for_token` — the
  secret feed URL: one live feed per user (creating a new one revokes the old), revocable, looked up
  by its unique token (an index lookup; a revoked or unknown token finds nothing).

Events are all-day, with a display alarm the day before, built in the calculator's style
(``laws/ics.py``). The UID of a row is ``deadline-<id>@deletion-portal``; a recomputation supersedes
rows and writes new ones, and the superseded rows leave the calendar. ``SEQUENCE`` is the row's
version, so a calendar app that already holds an older version takes the newer one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Event

from deletion_portal.cases.access import Need, cases_visible_to
from deletion_portal.cases.models import Case, CaseStatus
from deletion_portal.tracking.models import CalendarFeed, Deadline, DeadlineKind
from deletion_portal.tracking.selectors import ANSWER_KINDS, deadline_rows_current

PRODID = "-//Deletion portal//Case dates//EN"
NOT_ADVICE = "Information, not legal advice."


def deadline_uid(deadline: Deadline) -> str:
    return f"deadline-{deadline.pk}@deletion-portal"


def deadline_summary(deadline: Deadline, case: Case) -> str:
    employer = case.employer.legal_name if case.employer_id and case.employer else "Your request"
    return f"{deadline.get_kind_display()}: {employer} ({case.reference})"


def deadline_description(deadline: Deadline, case: Case) -> str:
    lines = [f"Case {case.reference}: {deadline.get_kind_display()} by {deadline.due_on.isoformat()}."]
    if deadline.trail:
        lines += ["", "How this date was computed:"] + [f"- {step}" for step in deadline.trail]
    if deadline.citations:
        lines += ["", "Rules: " + "; ".join(deadline.citations)]
    lines += ["", f"Case page: {case_url(case)}", "", NOT_ADVICE]
    return "\n".join(lines)


def case_url(case: Case) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("cases:detail", args=[case.pk])


def _event(deadline: Deadline, case: Case, stamp: datetime) -> Event:
    summary = deadline_summary(deadline, case)
    event = Event()
    event.add("uid", deadline_uid(deadline))
    event.add("dtstamp", stamp)
    event.add("dtstart", deadline.due_on)
    event.add("dtend", deadline.due_on + timedelta(days=1))
    event.add("sequence", deadline.version)
    event.add("summary", summary)
    event.add("description", deadline_description(deadline, case))
    event.add("url", case_url(case))
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", timedelta(days=-1))
    event.add_component(alarm)
    return event


FOLLOW_UP_SUMMARY = "No answer? Send a follow-up"


def follow_up_uid(deadline: Deadline) -> str:
    return f"follow-up-{deadline.pk}@deletion-portal"


def _follow_up_event(deadline: Deadline, case: Case, stamp: datetime) -> Event:
    """The day after the employer's answer date: the day to send a follow-up if no answer came (the
    portal drafts one then). Derived from the answer row, so it moves and goes with it."""
    day = deadline.due_on + timedelta(days=1)
    employer = case.employer.legal_name if case.employer_id and case.employer else "Your request"
    summary = f"{FOLLOW_UP_SUMMARY}: {employer} ({case.reference})"
    event = Event()
    event.add("uid", follow_up_uid(deadline))
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("sequence", deadline.version)
    event.add("summary", summary)
    event.add("description", "\n".join([
        f"Case {case.reference}: the employer had to answer by {deadline.due_on.isoformat()}.",
        "If no answer came, send the follow-up letter the portal drafts for you (it gives 14 more days).",
        "", f"Case page: {case_url(case)}", "", NOT_ADVICE]))
    event.add("url", case_url(case))
    event.add("transp", "TRANSPARENT")
    return event


def _calendar(name: str, rows, now: datetime | None) -> bytes:
    """Every current row (a date another row replaces, such as the first answer date after a valid
    extension, is left out) and, after each answer date, the day to send a follow-up."""
    stamp = (now or timezone.now()).astimezone(dt_timezone.utc)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    rows = deadline_rows_current(list(rows))
    answered = _answered_case_ids(rows)
    for row in rows:
        calendar.add_component(_event(row, row.case, stamp))
        if (row.kind in ANSWER_KINDS and row.kind != DeadlineKind.SUGGESTED_FOLLOW_UP and row.case_id not in answered
                and row.case.status == CaseStatus.SENT):
            calendar.add_component(_follow_up_event(row, row.case, stamp))
    return calendar.to_ical()


def _answered_case_ids(rows) -> set[int]:
    """Cases whose follow-up was already sent (a FOLLOW_UP_ANSWER_BY row): no "send a follow-up" day for them."""
    return {row.case_id for row in rows if row.kind == DeadlineKind.FOLLOW_UP_ANSWER_BY}


def _active_rows():
    return Deadline.objects.filter(active=True).select_related("case", "case__employer").order_by("due_on", "kind", "pk")


def case_calendar(*, case: Case, now: datetime | None = None) -> bytes:
    """The case's active deadline rows as an iCalendar file."""
    return _calendar(f"Case {case.reference}", _active_rows().filter(case=case), now)


def feed_calendar(*, user, now: datetime | None = None) -> bytes:
    """The active deadline rows of every case ``user`` manages (their own, and only those)."""
    cases = cases_visible_to(user, need=Need.MANAGE).order_by().values("pk")
    return _calendar("Deletion portal: my case dates", _active_rows().filter(case__in=cases), now)


# --- The private feed URL ------------------------------------------------------------------------------


def calendar_feed_active(user) -> CalendarFeed | None:
    if not user.is_authenticated:
        return None
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at", "-pk").first()


def calendar_feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed with this token (a unique-index lookup), or None for a revoked or unknown one."""
    if not token or len(token) > CalendarFeed._meta.get_field("token").max_length:
        return None
    return CalendarFeed.objects.select_related("user").filter(token=token, revoked_at__isnull=True).first()


def calendar_feed_url(feed: CalendarFeed) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("calendar:feed", args=[feed.token])


@transaction.atomic
def calendar_feed_revoke(*, user) -> int:
    """Revoke the user's live feed(s); their URLs answer 404 from now on. Returns how many."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


@transaction.atomic
def calendar_feed_create(*, user) -> CalendarFeed:
    """A new secret feed URL; the previous one (if any) stops working."""
    calendar_feed_revoke(user=user)
    return CalendarFeed.objects.create(user=user)
