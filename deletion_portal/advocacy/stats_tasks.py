"""Beat's refresh of the precomputed outcome counts (``stats_store.statistics_refresh``): incremental (the employers
with newer case events, consents or marks), and a full one on the first run of each day."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="advocacy.refresh_statistics", time_limit=600, soft_time_limit=570)
def refresh_statistics() -> int:
    from deletion_portal.advocacy.stats_store import statistics_refresh

    return statistics_refresh()
