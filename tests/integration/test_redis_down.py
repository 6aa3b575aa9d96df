"""Redis down → the anonymous API still answers (issue 13, item 6). A real redis-server serves as the cache
and broker of a real gunicorn; it is stopped, and every anonymous endpoint answers as before — the throttle
degrades to a per-worker count and logs one line — then Redis comes back and the shared count resumes."""

from __future__ import annotations

import pytest

from tests.support.processes import free_port, manage, portal_env, require_binary, wait_for

pytestmark = pytest.mark.redis

ANONYMOUS = [
    ("GET", "/api/v1/laws", None),
    ("GET", "/api/v1/laws/eu-gdpr", None),
    ("GET", "/api/v1/laws/applicable?work_country=DE&work_region=DE-BY", None),
    ("GET", "/api/v1/deadlines?law=eu-gdpr&received=2026-01-15&region=DE-BY", None),
    ("POST", "/api/v1/auth/token", {"email": "nobody@mail.example", "password": "wrong password!!"}),
]


def test_anonymous_endpoints_never_500_while_redis_is_down(services, tmp_path, web_stack, portal_var_dir):
    binary = require_binary("redis-server", hint="install it (Debian: apt-get install redis-server)")
    port = free_port()
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path), "--save", "",
            "--appendonly", "no", "--daemonize", "no", "--logfile", ""]

    def start_redis(name):
        service = services.start(name, argv, cwd=tmp_path)
        import redis

        wait_for(lambda: redis.Redis(port=port, socket_timeout=2).ping(), timeout=20, what="redis")
        return service

    redis_service = start_redis("redis")
    env = portal_env(PORTAL_VAR_DIR=portal_var_dir, REDIS_URL=f"redis://127.0.0.1:{port}/0", API_ANON_RATE="1000/minute")
    manage("migrate", "--noinput", env=env)
    portal = web_stack(env, nginx=False, workers=1)
    up = [portal.request(method, path, data=data).status for method, path, data in ANONYMOUS]
    assert 500 not in up, up

    redis_service.stop()
    down = [portal.request(method, path, data=data, timeout=20).status for method, path, data in ANONYMOUS]
    assert down == up, (down, portal_log(services))
    assert "shared cache unavailable for the API throttle (ConnectionError)" in portal_log(services)


def portal_log(services) -> str:
    return services.logs()
