from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from deletion_portal.core.models import Heartbeat


def health_status() -> dict:
    """Database reachable, and whether beat and a worker ran the heartbeat task recently."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beat = Heartbeat.objects.filter(name="worker").first()
    stale_after = timedelta(seconds=settings.HEARTBEAT_INTERVAL_SECONDS * 3)
    worker_ok = bool(beat and timezone.now() - beat.beat_at <= stale_after)
    return {
        "database": "ok",
        "worker": "ok" if worker_ok else "stale",
        "last_heartbeat": beat.beat_at.isoformat() if beat else None,
    }
