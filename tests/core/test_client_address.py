"""One trusted-proxy rule for the client's address (issue 13, items 1 and 3): X-Forwarded-For counts only
as far as TRUSTED_PROXY_COUNT proxies wrote it; the login lockout and the API throttle both use it."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from deletion_portal.core.net import client_ip


@pytest.mark.parametrize(
    ("count", "remote", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "", "203.0.113.9"),
        (0, "203.0.113.9", "198.51.100.1", "203.0.113.9"),  # no proxy trusted: the header is the client's word
        (1, "127.0.0.1", "198.51.100.1", "198.51.100.1"),  # nginx appended what it saw
        (1, "127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # a forged entry on the left is ignored
        (2, "127.0.0.1", "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),  # two proxies
        (1, "127.0.0.1", "", "127.0.0.1"),  # nothing forwarded: the peer
        (1, "127.0.0.1", "not-an-address", "127.0.0.1"),
        (3, "127.0.0.1", "198.51.100.1", "198.51.100.1"),  # fewer entries than proxies: the leftmost
    ],
)
def test_it_takes_the_client_address_from_the_trusted_proxy_only(settings, count, remote, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    meta = {"REMOTE_ADDR": remote}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(RequestFactory().get("/", **meta)) == expected


def test_axes_and_drf_use_the_same_proxy_count():
    from django.conf import settings
    from rest_framework.settings import api_settings

    assert settings.AXES_CLIENT_IP_CALLABLE == "deletion_portal.core.net.client_ip"
    assert api_settings.NUM_PROXIES == settings.TRUSTED_PROXY_COUNT == 0
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


@pytest.mark.django_db
def test_a_forged_x_forwarded_for_does_not_escape_the_anonymous_limit(client, monkeypatch):
    from deletion_portal.core.ratelimit import AnonThrottle

    # The rate of this one class only, undone after the test (DRF reads THROTTLE_RATES when a throttle is made).
    monkeypatch.setattr(AnonThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [client.get("/api/v1/laws/eu-gdpr", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_a_down_shared_cache_degrades_the_throttle_to_a_local_count_with_a_log_line(client, settings, caplog):
    # Port 9 on loopback refuses at once: what a stopped Redis looks like (tests/integration/test_redis_down.py
    # does it with a real redis-server and gunicorn).
    settings.CACHES = {**settings.CACHES, "shared": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                                      "LOCATION": "redis://127.0.0.1:9/0"}}
    from deletion_portal.core import ratelimit

    ratelimit._last_warning["at"] = 0.0
    assert client.get("/api/v1/laws/eu-gdpr").status_code == 200
    assert "shared cache unavailable for the API throttle" in caplog.text
    assert ratelimit.allow("rl:test:x", limit=1, window=60) and not ratelimit.allow("rl:test:x", limit=1, window=60)
