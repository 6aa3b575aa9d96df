"""Helpers for tests that run real processes: external binaries, clean subprocess environments, process groups.

Tests that need a real server (PostgreSQL, Redis, Chromium) start it themselves. When the binary is
missing they skip with a reason, unless ``PORTAL_REQUIRE_SERVICES=1`` (set by ``.ci/run``), in which
case a missing binary is a failure: CI must never be green because it skipped the real servers.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
SETTINGS_FILE = REPO_ROOT / "deletion_portal" / "settings.py"


# --- Missing servers: skip locally, fail in CI ---------------------------------------------------


def services_required() -> bool:
    return os.environ.get("PORTAL_REQUIRE_SERVICES", "").strip().lower() in {"1", "true", "yes", "on"}


def skip_or_fail(reason: str) -> None:
    """Skip the test, or fail it when PORTAL_REQUIRE_SERVICES=1 (CI)."""
    if services_required():
        pytest.fail(f"{reason} (PORTAL_REQUIRE_SERVICES=1, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


def find_binary(name: str, extra_dirs: Iterable[str | Path] = ()) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for directory in extra_dirs:
        candidate = Path(directory) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def require_binary(name: str, *, extra_dirs: Iterable[str | Path] = (), hint: str = "") -> str:
    """The path of executable ``name`` (on PATH or in ``extra_dirs``), or skip / fail saying so."""
    found = find_binary(name, extra_dirs)
    if found:
        return found
    reason = f"`{name}` is not installed (looked on PATH"
    reason += f" and in {', '.join(str(d) for d in extra_dirs)})" if extra_dirs else ")"
    if hint:
        reason += f"; {hint}"
    skip_or_fail(reason)
    raise AssertionError("unreachable")  # pragma: no cover


# --- Subprocess environments ----------------------------------------------------------------------

_ENV_NAME = re.compile(r"""env_\w+\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def settings_env_names() -> list[str]:
    """Every environment variable deletion_portal/settings.py reads through the env helpers."""
    return sorted(set(_ENV_NAME.findall(SETTINGS_FILE.read_text())))


def portal_env(**overrides: str | os.PathLike | None) -> dict[str, str]:
    """os.environ without any of the portal's settings variables, plus ``overrides``.

    A value of None removes the variable. The result is what a subprocess (manage.py, celery) gets,
    so a developer's own DATABASE_URL or REDIS_URL never leaks into a test.
    """
    env = {k: v for k, v in os.environ.items() if k not in set(settings_env_names())}
    env.pop("CELERY_BROKER_URL", None)
    # Set by the browser tests for the live server; `check --deploy` rightly refuses it (async.E001).
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env["DJANGO_SETTINGS_MODULE"] = "deletion_portal.settings"
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = os.fspath(value)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``manage.py <args>`` from the repository root in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "manage.py"), *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"manage.py {' '.join(args)} exited {result.returncode}\n"
            f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}"
        )
    return result


def python_c(code: str, *, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    """Run ``python -c code`` from the repository root (settings are read at import, so a fresh one)."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


# --- Ports, polling, process groups ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], object], *, timeout: float, interval: float = 0.2, what: str = "condition"):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            value = predicate()
        except Exception as error:  # noqa: BLE001 - polling: keep the last error for the message
            value, last_error = None, error
        if value:
            return value
        if time.monotonic() >= deadline:
            suffix = f" (last error: {last_error!r})" if last_error else ""
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}{suffix}")
        time.sleep(interval)


class Service:
    """A subprocess started in its own process group, with its output in a log file.

    ``stop()`` signals the whole group (a Celery worker's pool children, PostgreSQL's backends),
    waits a bounded time, then kills what is left. Safe to call twice.
    """

    def __init__(
        self,
        name: str,
        argv: list[str],
        *,
        log_path: Path,
        stop_signal: int = signal.SIGTERM,
        stop_timeout: float = 10,
        **popen,
    ):
        self.name = name
        self.argv = argv
        self.log_path = Path(log_path)
        self.stop_signal = stop_signal
        self.stop_timeout = stop_timeout
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **popen,
        )
        self.pgid = self.process.pid  # start_new_session: the child leads its own group

    def alive(self) -> bool:
        return self.process.poll() is None

    def log(self, tail: int = 4000) -> str:
        try:
            return self.log_path.read_bytes()[-tail:].decode(errors="replace")
        except OSError:
            return ""

    def ensure_alive(self) -> None:
        if not self.alive():
            raise AssertionError(f"{self.name} exited with {self.process.returncode}:\n{self.log()}")

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.pgid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def stop(self, timeout: float | None = None) -> None:
        if self.alive():
            self._signal_group(self.stop_signal)
            try:
                self.process.wait(timeout=self.stop_timeout if timeout is None else timeout)
            except subprocess.TimeoutExpired:
                pass
        # Whatever is left of the group (the leader may be gone while its children linger).
        self._signal_group(signal.SIGKILL)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - SIGKILL cannot be ignored
            pass
        self._log.close()
