"""Cases with outcome columns for the statistics tests (one helper instead of a copy per test file)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
import time_machine

#: The day the statistics tests travel to (``time_machine``): their received dates lie before it.
STATS_TODAY = date(2026, 6, 1)


@pytest.fixture
def stats_today():
    """Noon (UTC) of :data:`STATS_TODAY`, the clock standing still (``usefixtures("stats_today")``)."""
    with time_machine.travel(datetime(STATS_TODAY.year, STATS_TODAY.month, STATS_TODAY.day, 12, tzinfo=dt_timezone.utc),
                             tick=False):
        yield


def outcome_case(employer, outcome: str = "on_time", *, law: str = "eu-gdpr", received: date = date(2026, 2, 2),
                 days: int = 20, region: str = "DE-BY", **extra):
    """A sent case with the outcome columns ``case_recompute`` keeps: ``on_time`` (answered after ``days``),
    ``late`` (after 40 days), ``none`` (not answered, its date passed) or ``pending`` (received three days before
    :data:`STATS_TODAY`, not yet due). ``extra``: more Case fields (owner, …)."""
    from deletion_portal.cases.models import Case

    respond_by = received + timedelta(days=30)
    fields = {"employer": employer, "status": "sent", "law_key": law, "region": region, "work_region": region,
              "received_on": received, "respond_by": respond_by}
    if outcome in ("on_time", "late"):
        answered = received + timedelta(days=days if outcome == "on_time" else 40)
        fields.update(answered_on=answered, on_time=answered <= respond_by, outcome="answered", status="answered")
    elif outcome == "pending":
        fields.update(received_on=STATS_TODAY - timedelta(days=3), respond_by=STATS_TODAY + timedelta(days=27))
    fields.update(extra)
    return Case.objects.create(**fields)
