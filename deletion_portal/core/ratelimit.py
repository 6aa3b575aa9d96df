"""Rate limits that hold across every web worker and machine, and never turn an outage into a 500.

All counters live in the ``shared`` cache (``settings.CACHES["shared"]``): Redis when ``REDIS_URL`` is set,
else Django's database cache (the ``portal_cache`` table, made by a migration), so two gunicorn workers
count together even without Redis. The client address comes from :func:`deletion_portal.core.net.client_ip`
(one trusted-proxy rule).

When the shared cache fails (Redis down or unreachable), a limit *degrades* instead of failing the request:
it counts in this process's memory (a local limit, per worker) and logs one warning line per minute and
process. The API's anonymous throttle (:class:`AnonThrottle`) works the same way.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.throttling import AnonRateThrottle

from deletion_portal.core.net import client_ip

logger = logging.getLogger(__name__)

SHARED_ALIAS = "shared"
#: The in-process fallback when the shared cache is down (one per process; never shared).
LOCAL_FALLBACK = LocMemCache("portal-ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})
_last_warning = {"at": 0.0}


def shared_cache():
    alias = SHARED_ALIAS if SHARED_ALIAS in settings.CACHES else "default"
    return caches[alias]


def _warn_degraded(error: BaseException, what: str) -> None:
    now = time.monotonic()
    if now - _last_warning["at"] >= 60:
        _last_warning["at"] = now
        # The type only: connection errors name hosts and ports.
        logger.warning("shared cache unavailable for %s (%s): counting in this process only", what, type(error).__name__)


def hashed_key(prefix: str, *parts: str) -> str:
    """A cache key that holds no address, email or reference in clear."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"rl:{prefix}:{digest}"


def _incr(cache, key: str, window: int) -> int:
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def hit(key: str, *, window: int) -> int:
    """Count one event under ``key`` for ``window`` seconds; returns the count so far (this one included)."""
    try:
        return _incr(shared_cache(), key, window)
    except Exception as error:  # noqa: BLE001 - any cache failure degrades to the local count
        _warn_degraded(error, "a rate limit")
        return _incr(LOCAL_FALLBACK, key, window)


def count(key: str) -> int:
    """How many events ``key`` has counted in its current window (0 if none)."""
    try:
        return int(shared_cache().get(key) or 0)
    except Exception as error:  # noqa: BLE001
        _warn_degraded(error, "a rate limit")
        return int(LOCAL_FALLBACK.get(key) or 0)


def allow(key: str, *, limit: int, window: int) -> bool:
    """Count one event; False once more than ``limit`` happened within ``window`` seconds."""
    return hit(key, window=window) <= limit


class _FailOpenCache:
    """The shared cache for DRF's throttle; any failure switches that call to the local fallback."""

    def get(self, key, default=None):
        try:
            return shared_cache().get(key, default)
        except Exception as error:  # noqa: BLE001
            _warn_degraded(error, "the API throttle")
            return LOCAL_FALLBACK.get(key, default)

    def set(self, key, value, timeout=None):
        try:
            shared_cache().set(key, value, timeout)
        except Exception as error:  # noqa: BLE001
            _warn_degraded(error, "the API throttle")
            LOCAL_FALLBACK.set(key, value, timeout)


class AnonThrottle(AnonRateThrottle):
    """DRF's anonymous throttle (``API_ANON_RATE``) keyed on :func:`client_ip` (a forged X-Forwarded-For
    counts for nothing unless a trusted proxy wrote it), counted in the shared cache, and degrading to a
    per-process count with a log line when that cache is down — never a 500."""

    cache = _FailOpenCache()

    def get_ident(self, request):
        return client_ip(request) or "unknown"
