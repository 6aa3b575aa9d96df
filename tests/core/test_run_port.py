"""`make run` serves on PORT (default 8000) and SITE_URL follows it unless it is set (issue 12)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.support.processes import REPO_ROOT, portal_env, python_c


def site_url(**env) -> str:
    result = python_c("from django.conf import settings; print(settings.SITE_URL)", env=portal_env(**env))
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8123"}, "http://127.0.0.1:8123"),
        ({"PORT": "8123", "SITE_URL": "https://portal.example.org"}, "https://portal.example.org"),
    ],
)
def test_it_takes_site_url_from_port_unless_set(env, expected):
    assert site_url(**env) == expected


def test_a_bad_port_stops_start_up_naming_it():
    result = python_c("from django.conf import settings; settings.SITE_URL", env=portal_env(PORT="eighty"))
    assert result.returncode != 0 and "PORT" in result.stderr.strip().splitlines()[-1]


def make_run_commands(**env) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    result = subprocess.run(["make", "-n", "run"], cwd=REPO_ROOT, env=portal_env(**env), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_serves_on_port_and_links_follow_it():
    commands = make_run_commands(PORT="8123")
    assert "PORT=8123 SITE_URL=http://127.0.0.1:8123" in commands and "-p 8123" in commands
    assert "-p 8000" in make_run_commands()
    procfile = (REPO_ROOT / "deploy" / "Procfile.dev").read_text()
    assert "runserver 127.0.0.1:$PORT" in procfile


def test_make_run_keeps_a_site_url_that_was_set():
    assert "SITE_URL=https://portal.example.org" in make_run_commands(PORT="8123", SITE_URL="https://portal.example.org")
