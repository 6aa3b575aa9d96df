"""Real Celery worker and beat processes on a real Redis broker (the production scale path)."""

from __future__ import annotations

import pytest

from tests.support.processes import REPO_ROOT, portal_env, require_binary, wait_for
from tests.support.servers import celery_argv, send_heartbeat, sqlite_heartbeat

pytestmark = [pytest.mark.redis, pytest.mark.celery]

ROUND_TRIP_TIMEOUT = 30


def test_it_runs_a_task_sent_by_the_web_side_on_a_real_worker(redis_db, portal_var_dir, start_worker):
    env = portal_env(REDIS_URL=redis_db, PORTAL_VAR_DIR=portal_var_dir)
    database = portal_var_dir / "portal.sqlite3"
    worker = start_worker(env)
    assert sqlite_heartbeat(database) is None

    send_heartbeat(env)

    def heartbeat_written():
        worker.ensure_alive()
        return sqlite_heartbeat(database)

    wait_for(heartbeat_written, timeout=ROUND_TRIP_TIMEOUT, what=f"the worker to run core.heartbeat\n{worker.log()}")
    # Nothing went through the embedded broker: the message travelled through Redis.
    assert not (portal_var_dir / "celery" / "queue").exists() or not any((portal_var_dir / "celery" / "queue").iterdir())


def test_beat_schedules_the_heartbeat_without_anything_being_sent(redis_db, portal_var_dir, services):
    env = portal_env(REDIS_URL=redis_db, PORTAL_VAR_DIR=portal_var_dir, HEARTBEAT_INTERVAL_SECONDS="5")
    database = portal_var_dir / "portal.sqlite3"
    worker = services.start(
        "worker",
        celery_argv("worker", "--loglevel=INFO", "--concurrency=1", "--without-gossip", "--without-mingle"),
        cwd=REPO_ROOT, env=env,
    )
    beat = services.start("beat", celery_argv("beat", "--loglevel=INFO"), cwd=REPO_ROOT, env=env)

    def heartbeat_written():
        worker.ensure_alive()
        beat.ensure_alive()
        return sqlite_heartbeat(database)

    wait_for(heartbeat_written, timeout=ROUND_TRIP_TIMEOUT, what=f"beat + worker to record a heartbeat\n{services.logs()}")
    assert (portal_var_dir / "celerybeat-schedule").exists() or any(portal_var_dir.glob("celerybeat-schedule*"))


@pytest.mark.postgres
def test_the_whole_production_stack_postgresql_redis_worker(postgres_server, redis_db, tmp_path, start_worker):
    from tests.support.processes import manage

    url = postgres_server.create_database("portal_celery")
    env = portal_env(DATABASE_URL=url, REDIS_URL=redis_db, PORTAL_VAR_DIR=tmp_path / "var")
    manage("migrate", "--noinput", env=env, timeout=180)
    worker = start_worker(env)

    send_heartbeat(env)

    def heartbeat_written():
        worker.ensure_alive()
        with postgres_server.connect("portal_celery") as conn:
            return conn.execute("SELECT beat_at FROM core_heartbeat WHERE name = 'worker'").fetchone()

    wait_for(heartbeat_written, timeout=ROUND_TRIP_TIMEOUT, what=f"the worker to write to PostgreSQL\n{worker.log()}")


def test_the_production_redis_config_is_what_the_design_asks_for(tmp_path, services):
    """deploy/redis/redis.conf starts, with AOF on and no eviction (a queued letter must never vanish)."""
    from tests.support.processes import free_port

    binary = require_binary("redis-server", hint="install it (Debian: apt-get install redis-server)")
    port = free_port()
    server = services.start(
        "redis-prod-conf",
        [binary, str(REPO_ROOT / "deploy" / "redis" / "redis.conf"),
         "--port", str(port), "--dir", str(tmp_path), "--daemonize", "no", "--supervised", "no",
         "--logfile", "", "--pidfile", str(tmp_path / "redis.pid")],
        cwd=tmp_path,
    )
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=5)

    def ready():
        server.ensure_alive()
        return client.ping()

    wait_for(ready, timeout=20, what=f"redis-server with deploy/redis/redis.conf\n{server.log()}")
    config = client.config_get("*")
    assert config["appendonly"] == "yes"
    assert config["appendfsync"] == "everysec"
    assert config["maxmemory-policy"] == "noeviction"
    assert config["protected-mode"] == "yes"
    assert "127.0.0.1" in config["bind"]
    client.close()
