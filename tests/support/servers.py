"""Real servers for the integration tests, each started by the tests in a throwaway directory.

* ``postgres_server`` (session): ``initdb`` + ``postgres`` on a free port on 127.0.0.1, trust auth,
  fsync off. PostgreSQL refuses to run as root, so under root the data directory is handed to the
  unprivileged ``postgres`` system user and the server runs as that user (``Popen(user=...)``).
* ``redis_server`` (session): ``redis-server --port N --dir tmp --appendonly yes --save ""``.
* ``migrated_sqlite`` (session): a SQLite database migrated once; ``portal_var_dir`` copies it into a
  fresh PORTAL_VAR_DIR per test so every Celery test starts from a migrated database in seconds.

Missing binaries skip (or fail under PORTAL_REQUIRE_SERVICES=1) through ``require_binary``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.processes import REPO_ROOT, Service, free_port, manage, portal_env, require_binary, skip_or_fail, wait_for

PG_USER = "postgres"


def _postgres_bindirs() -> list[str]:
    dirs: list[str] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            dirs.append(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=10).stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass

    def version(path: str) -> float:
        try:
            return float(Path(path).parent.name)
        except ValueError:
            return 0.0

    dirs += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    return [d for d in dirs if d]


@dataclass
class PostgresServer:
    host: str
    port: int
    user: str

    def url(self, dbname: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres"):
        import psycopg

        return psycopg.connect(host=self.host, port=self.port, user=self.user, dbname=dbname, autocommit=True, connect_timeout=5)

    def create_database(self, name: str) -> str:
        """A fresh, empty database; returns its DATABASE_URL."""
        with self.connect() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@pytest.fixture(scope="session")
def postgres_server():
    hint = "install PostgreSQL (Debian: apt-get install postgresql)"
    initdb = require_binary("initdb", extra_dirs=_postgres_bindirs(), hint=hint)
    postgres = require_binary("postgres", extra_dirs=[str(Path(initdb).parent)], hint=hint)

    run_as: dict = {}
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam(PG_USER)
        except KeyError:
            skip_or_fail(
                f"running as root and there is no `{PG_USER}` user to run PostgreSQL as "
                f"(PostgreSQL refuses root): useradd --system {PG_USER}"
            )
        run_as = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}

    # Directly under /tmp (world-traversable), not pytest's 0700 per-user tmp dir, so the
    # unprivileged server user can reach it.
    base = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    data = base / "data"
    if run_as:
        os.chown(base, run_as["user"], run_as["group"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env.update(LC_ALL="C", LANG="C")
    server = None
    try:
        result = subprocess.run(
            [initdb, "-D", str(data), "-U", PG_USER, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
            capture_output=True, text=True, timeout=120, env=env, cwd=base, stdin=subprocess.DEVNULL, **run_as,
        )
        if result.returncode != 0:
            pytest.fail(f"initdb failed ({result.returncode}):\n{result.stdout}\n{result.stderr}", pytrace=False)
        port = free_port()
        log = base / "postgres.log"
        if run_as:
            log.touch()
            os.chown(log, run_as["user"], run_as["group"])
        server = Service(
            "postgres",
            [
                postgres, "-D", str(data), "-p", str(port),
                "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={base}",
                "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
                "-c", "max_connections=50",
            ],
            log_path=log, stop_signal=signal.SIGINT, env=env, cwd=base, **run_as,  # SIGINT: fast shutdown
        )
        pg = PostgresServer(host="127.0.0.1", port=port, user=PG_USER)

        def ready():
            server.ensure_alive()
            with pg.connect() as conn:
                return conn.execute("SELECT 1").fetchone()

        wait_for(ready, timeout=30, what=f"PostgreSQL on port {port}")
        yield pg
    finally:
        if server is not None:
            server.stop(timeout=15)
        shutil.rmtree(base, ignore_errors=True)


@dataclass
class RedisServer:
    host: str
    port: int

    def url(self, db: int = 0) -> str:
        return f"redis://{self.host}:{self.port}/{db}"

    def client(self, db: int = 0):
        import redis

        return redis.Redis(host=self.host, port=self.port, db=db, socket_timeout=5)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    binary = require_binary("redis-server", hint="install it (Debian: apt-get install redis-server)")
    workdir = tmp_path_factory.mktemp("redis")
    port = free_port()
    server = Service(
        "redis",
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir),
         "--appendonly", "yes", "--save", "", "--daemonize", "no", "--logfile", ""],
        log_path=workdir / "redis.log", cwd=workdir,
    )
    redis_ = RedisServer(host="127.0.0.1", port=port)
    try:
        def ready():
            server.ensure_alive()
            return redis_.client().ping()

        wait_for(ready, timeout=20, what=f"redis-server on port {port}")
        yield redis_
    finally:
        server.stop()


@pytest.fixture
def redis_db(redis_server):
    """A Redis URL on an emptied database, for one test."""
    redis_server.client(0).flushall()
    return redis_server.url(0)


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """A portal SQLite database with every migration applied, made once per session."""
    var_dir = tmp_path_factory.mktemp("migrated-var")
    manage("migrate", "--noinput", env=portal_env(PORTAL_VAR_DIR=var_dir), timeout=180)
    database = var_dir / "portal.sqlite3"
    assert database.exists(), f"migrate did not create {database}"
    return database


@pytest.fixture
def portal_var_dir(tmp_path, migrated_sqlite) -> Path:
    """A fresh PORTAL_VAR_DIR holding a copy of the migrated database."""
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    shutil.copy2(migrated_sqlite, var_dir / "portal.sqlite3")
    return var_dir


def sqlite_heartbeat(database: Path, name: str = "worker"):
    """The beat_at of heartbeat ``name`` in a SQLite file, read without Django (None if absent)."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    try:
        row = conn.execute("SELECT beat_at FROM core_heartbeat WHERE name = ?", (name,)).fetchone()
    finally:
        conn.close()
    return row[0] if row else None


def celery_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "deletion_portal", *args]


WORKER_ARGS = ("worker", "--loglevel=INFO", "--concurrency=1", "--without-gossip", "--without-mingle", "--without-heartbeat")


@pytest.fixture
def start_worker(services):
    """Start a real ``celery -A deletion_portal worker`` (stopped, with its pool, at teardown)."""

    def start(env: dict[str, str], name: str = "worker") -> Service:
        return services.start(name, celery_argv(*WORKER_ARGS), cwd=REPO_ROOT, env=env)

    return start


def send_heartbeat(env: dict[str, str]) -> None:
    """Enqueue core.heartbeat the way the web process would: through settings' broker, in a subprocess."""
    manage("shell", "-c", "from deletion_portal.core.tasks import heartbeat; heartbeat.delay()", env=env, timeout=60)
