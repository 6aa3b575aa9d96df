"""The root of the tests: the shared base (``tests/support``, registered as plugins) and the ``services``
fixture that starts subprocesses and stops them at teardown.

Tests that need a real server (PostgreSQL, Redis, Chromium) start it themselves. When the binary is
missing they skip with a reason, unless ``PORTAL_REQUIRE_SERVICES=1`` (set by ``.ci/run``), in which
case a missing binary is a failure: CI must never be green because it skipped the real servers.
"""

from __future__ import annotations

import pytest

from tests.support.processes import Service

pytest_plugins = ["tests.support.world", "tests.support.servers", "tests.support.bulk", "tests.support.web",
                  "tests.support.stats"]


@pytest.fixture
def services(tmp_path):
    """Start subprocesses with ``services.start(name, argv, **popen)``; all are stopped at teardown."""

    class _Services:
        def __init__(self):
            self.started: list[Service] = []

        def start(self, name: str, argv: list[str], **popen) -> Service:
            """Celery's warm shutdown on the filesystem transport takes ~5 s; tests need not wait for it."""
            if any("celery" in part for part in argv[:3]):
                popen.setdefault("stop_timeout", 2)
            service = Service(name, argv, log_path=tmp_path / f"{name}.log", **popen)
            self.started.append(service)
            return service

        def logs(self) -> str:
            return "\n".join(f"--- {s.name} ---\n{s.log()}" for s in self.started)

    started = _Services()
    yield started
    for service in reversed(started.started):
        service.stop()


@pytest.fixture(autouse=True)
def fresh_rate_limits(request, django_db_blocker):
    """Each test starts with empty rate-limit counters. The in-process fallback (core.ratelimit, used when the
    shared cache cannot be reached, e.g. in a test without database access) lives as long as the process, and
    the shared database cache (table ``portal_cache``) keeps what a transactional or live-server test committed —
    neither is undone by the test database's rollback or flush."""
    from django.core.cache import caches

    from deletion_portal.core.ratelimit import LOCAL_FALLBACK

    LOCAL_FALLBACK.clear()
    yield
    used_db = request.node.get_closest_marker("django_db") is not None or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames)
    if used_db:
        with django_db_blocker.unblock():
            caches["shared"].clear()
