"""The default `make run` setup: no REDIS_URL, kombu's filesystem transport under PORTAL_VAR_DIR.

The worker and beat are started with the exact command lines of deploy/Procfile.dev.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from tests.support.processes import REPO_ROOT, portal_env, wait_for
from tests.support.servers import send_heartbeat, sqlite_heartbeat

pytestmark = [pytest.mark.celery]

ROUND_TRIP_TIMEOUT = 30


def procfile_command(process: str) -> list[str]:
    """deploy/Procfile.dev's command for ``process``, run with this interpreter's virtualenv."""
    for line in (REPO_ROOT / "deploy" / "Procfile.dev").read_text().splitlines():
        name, sep, command = line.partition(":")
        if sep and name.strip() == process:
            argv = shlex.split(command)
            executable = Path(argv[0]).name
            if executable.startswith("python"):
                return [sys.executable, *argv[1:]]
            return [str(Path(sys.executable).parent / executable), *argv[1:]]
    raise AssertionError(f"deploy/Procfile.dev has no {process!r} process")


def test_the_procfile_runs_web_worker_and_beat():
    assert procfile_command("worker")[1:3] == ["-A", "deletion_portal"]
    assert "worker" in procfile_command("worker")
    assert "beat" in procfile_command("beat")
    assert "runserver" in procfile_command("web")


def test_it_runs_a_task_through_the_filesystem_broker(portal_var_dir, services):
    env = portal_env(PORTAL_VAR_DIR=portal_var_dir)  # no REDIS_URL: the embedded broker
    database = portal_var_dir / "portal.sqlite3"
    worker = services.start("worker", procfile_command("worker"), cwd=REPO_ROOT, env=env)

    send_heartbeat(env)

    def heartbeat_written():
        worker.ensure_alive()
        return sqlite_heartbeat(database)

    wait_for(heartbeat_written, timeout=ROUND_TRIP_TIMEOUT, what=f"the worker to run core.heartbeat\n{worker.log()}")
    assert (portal_var_dir / "celery" / "queue").is_dir(), "the message should have gone through var/celery/queue"


def test_beat_and_worker_from_the_procfile_record_heartbeats(portal_var_dir, services):
    env = portal_env(PORTAL_VAR_DIR=portal_var_dir, HEARTBEAT_INTERVAL_SECONDS="5")
    database = portal_var_dir / "portal.sqlite3"
    worker = services.start("worker", procfile_command("worker"), cwd=REPO_ROOT, env=env)
    beat = services.start("beat", procfile_command("beat"), cwd=REPO_ROOT, env=env)

    def heartbeat_written():
        worker.ensure_alive()
        beat.ensure_alive()
        return sqlite_heartbeat(database)

    wait_for(heartbeat_written, timeout=ROUND_TRIP_TIMEOUT, what=f"beat + worker to record a heartbeat\n{services.logs()}")
