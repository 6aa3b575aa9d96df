"""The portal on a real PostgreSQL server (started by the test; see conftest.postgres_server)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.support.processes import REPO_ROOT, manage, portal_env

pytestmark = [pytest.mark.postgres]


@pytest.fixture(scope="module")
def pg_env(postgres_server):
    """Environment of a portal process on a freshly migrated PostgreSQL database."""
    url = postgres_server.create_database("portal_migrations")
    env = portal_env(DATABASE_URL=url)
    manage("migrate", "--noinput", env=env, timeout=180)
    return env


def test_it_migrates_and_passes_the_checks_on_postgresql(pg_env, postgres_server):
    manage("check", "--database", "default", env=pg_env)

    unapplied = manage("showmigrations", "--plan", env=pg_env).stdout
    assert "[ ]" not in unapplied, unapplied
    with postgres_server.connect("portal_migrations") as conn:
        tables = {row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert {"core_heartbeat", "django_migrations"} <= tables


def test_it_creates_a_user_with_the_orm_and_reads_it_back(pg_env):
    code = (
        "import json\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.db import connection\n"
        "User = get_user_model()\n"
        "User.objects.filter(email='pg-probe@example.org').delete()\n"
        "User.objects.create_user(email='PG-Probe@Example.org', password='a long passphrase 42')\n"
        "user = User.objects.get(email='pg-probe@example.org')\n"
        "print(json.dumps({'vendor': connection.vendor, 'email': user.email,\n"
        "                  'hasher': user.password.split('$')[0], 'checks': user.check_password('a long passphrase 42')}))\n"
    )
    out = manage("shell", "-c", code, env=pg_env).stdout
    result = json.loads(out.strip().splitlines()[-1])
    assert result == {"vendor": "postgresql", "email": "pg-probe@example.org", "hasher": "argon2", "checks": True}


def test_it_records_a_heartbeat_through_the_service(pg_env, postgres_server):
    code = (
        "from deletion_portal.core.services import heartbeat_record\n"
        "from deletion_portal.core.selectors import health_status\n"
        "first = heartbeat_record(name='worker')\n"
        "second = heartbeat_record(name='worker')\n"
        "assert first.pk == second.pk and second.beat_at >= first.beat_at\n"
        "print(health_status()['worker'])\n"
    )
    out = manage("shell", "-c", code, env=pg_env).stdout
    assert out.strip().splitlines()[-1] == "ok"
    with postgres_server.connect("portal_migrations") as conn:
        assert conn.execute("SELECT count(*) FROM core_heartbeat WHERE name = 'worker'").fetchone() == (1,)


def test_it_runs_part_of_the_suite_on_postgresql(postgres_server):
    """pytest-django creates its own test database on the server and runs the health tests there."""
    url = postgres_server.create_database("portal_suite")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--reuse-db", "tests/core/test_health.py"],
        cwd=REPO_ROOT,
        env=portal_env(DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
    # --reuse-db keeps pytest-django's test database, which proves the tests ran on this server.
    with postgres_server.connect() as conn:
        names = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
    assert "test_portal_suite" in names
