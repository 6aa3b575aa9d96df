"""Settings profiles: production passes `check --deploy`, bad values stop start-up naming the variable.

Settings are read at import, so every profile is tried in a fresh interpreter (a subprocess) with a
clean environment (tests.conftest.portal_env).
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password

from tests.support.processes import REPO_ROOT, manage, portal_env, python_c, settings_env_names

GOOD_KEY = secrets.token_urlsafe(48)[:64]
assert len(GOOD_KEY) == 64


def production_env(tmp_path, **overrides):
    values = {
        "PORTAL_PROFILE": "production",
        "SECRET_KEY": GOOD_KEY,
        "ALLOWED_HOSTS": "portal.example.org",
        "PORTAL_VAR_DIR": tmp_path / "var",
    }
    return portal_env(**{**values, **overrides})


def read_settings(env: dict[str, str], *names: str) -> dict:
    code = (
        "import json, django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, default=str))\n"
    )
    result = python_c(code, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def startup_error(env: dict[str, str]) -> str:
    """Import the settings in a fresh process, expecting them to refuse; returns the error output."""
    result = python_c("from django.conf import settings; settings.INSTALLED_APPS", env=env)
    assert result.returncode != 0, "the settings should have refused this environment"
    assert "ImproperlyConfigured" in result.stderr
    return result.stderr.strip().splitlines()[-1]


# --- Production profile ----------------------------------------------------------------------------


def test_the_production_profile_passes_check_deploy(tmp_path):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(tmp_path), check=False)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_development_profile_fails_check_deploy(tmp_path):
    """The control: the check is not vacuous, development settings are not deployable."""
    env = portal_env(PORTAL_VAR_DIR=tmp_path / "var")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env, check=False)

    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG on


def test_production_refuses_a_short_secret_key(tmp_path):
    result = manage(
        "check", "--deploy", env=production_env(tmp_path, SECRET_KEY="too-short"), check=False
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set to a random string of at least 50 characters" in result.stderr


def test_production_refuses_a_missing_secret_key(tmp_path):
    message = startup_error(production_env(tmp_path, SECRET_KEY=None))
    assert "SECRET_KEY" in message


def test_production_refuses_missing_allowed_hosts(tmp_path):
    message = startup_error(production_env(tmp_path, ALLOWED_HOSTS=None))
    assert "ALLOWED_HOSTS" in message


def test_production_refuses_debug_on(tmp_path):
    message = startup_error(production_env(tmp_path, DEBUG="1"))
    assert "DEBUG must be off" in message


def test_production_turns_on_https_only_settings(tmp_path):
    values = read_settings(
        production_env(tmp_path),
        "DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_PROXY_SSL_HEADER",
    )
    assert values == {
        "DEBUG": False,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
    }


def test_production_responses_carry_hsts_and_csp(tmp_path):
    """A request as nginx forwards it (X-Forwarded-Proto: https) gets HSTS and CSP from Django."""
    code = (
        "import json, django\n"
        "django.setup()\n"
        "from django.test import Client\n"
        "client = Client(HTTP_HOST='portal.example.org')\n"
        "secure = client.get('/no-such-page/', HTTP_X_FORWARDED_PROTO='https')\n"
        "plain = client.get('/no-such-page/')\n"
        "print(json.dumps({'hsts': secure.headers.get('Strict-Transport-Security'),\n"
        "                  'csp': secure.headers.get('Content-Security-Policy'),\n"
        "                  'plain_status': plain.status_code, 'plain_location': plain.headers.get('Location')}))\n"
    )
    result = python_c(code, env=production_env(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in seen["csp"]
    assert "frame-ancestors 'none'" in seen["csp"]
    assert seen["plain_status"] == 301
    assert seen["plain_location"] == "https://portal.example.org/no-such-page/"


def test_gunicorn_loads_the_app_with_the_production_config(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "-c", "deploy/gunicorn.conf.py"],
        cwd=REPO_ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


# --- Bad values stop start-up, naming the variable ---------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("EMAIL_PORT", "abc"),
        ("EMAIL_PORT", "70000"),
        ("DATABASE_URL", "mysql://x"),
        ("REDIS_URL", "http://127.0.0.1:6379"),
        ("PORTAL_PROFILE", "prod"),
        ("HEARTBEAT_INTERVAL_SECONDS", "1"),
        ("EMAIL_USE_TLS", "sometimes"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(tmp_path, variable, value):
    message = startup_error(portal_env(PORTAL_VAR_DIR=tmp_path / "var", **{variable: value}))
    assert variable in message


def test_tls_and_ssl_together_are_refused(tmp_path):
    message = startup_error(portal_env(PORTAL_VAR_DIR=tmp_path / "var", EMAIL_USE_TLS="1", EMAIL_USE_SSL="1"))
    assert "EMAIL_USE_TLS and EMAIL_USE_SSL" in message


def test_a_bad_database_url_does_not_leak_its_password(tmp_path):
    message = startup_error(portal_env(PORTAL_VAR_DIR=tmp_path / "var", DATABASE_URL="mysql://portal:s3cret@db/portal"))
    assert "DATABASE_URL" in message
    assert "s3cret" not in message


# --- Defaults: one command runs it ---------------------------------------------------------------------


def test_without_anything_set_it_uses_sqlite_and_the_embedded_broker(tmp_path):
    var = tmp_path / "var"
    values = read_settings(portal_env(PORTAL_VAR_DIR=var), "DEBUG", "DATABASES", "CELERY_BROKER_URL", "CACHES")

    assert values["DEBUG"] is True
    assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert values["DATABASES"]["default"]["NAME"] == str(var / "portal.sqlite3")
    assert values["CELERY_BROKER_URL"] == "filesystem://"
    assert values["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")


def test_database_url_and_redis_url_switch_to_real_servers(tmp_path):
    values = read_settings(
        portal_env(
            PORTAL_VAR_DIR=tmp_path / "var",
            DATABASE_URL="postgresql://portal:pw@db.internal:5433/portal",
            REDIS_URL="redis://cache.internal:6379/2",
        ),
        "DATABASES", "CELERY_BROKER_URL", "CACHES",
    )

    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["PORT"], database["NAME"], database["USER"]) == ("db.internal", 5433, "portal", "portal")
    assert values["CELERY_BROKER_URL"] == "redis://cache.internal:6379/2"
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


# --- Mail ------------------------------------------------------------------------------------------------


def test_without_email_host_mail_goes_to_files_under_var_mail(tmp_path):
    var = tmp_path / "var"
    values = read_settings(portal_env(PORTAL_VAR_DIR=var), "EMAIL_BACKEND", "EMAIL_FILE_PATH")

    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(var / "mail"),
    }


def test_email_host_switches_to_smtp_with_djangos_setting_names(tmp_path):
    env = portal_env(
        PORTAL_VAR_DIR=tmp_path / "var",
        EMAIL_HOST="smtp.example.org",
        EMAIL_PORT="2525",
        EMAIL_HOST_USER="portal@example.org",
        EMAIL_HOST_PASSWORD="app-password",
        EMAIL_USE_TLS="true",
        DEFAULT_FROM_EMAIL="Portal <noreply@example.org>",
    )
    code = (
        "import json, django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        "from django.core.mail import get_connection\n"
        "c = get_connection()\n"
        "print(json.dumps({'backend': type(c).__module__ + '.' + type(c).__name__, 'host': c.host, 'port': c.port,\n"
        "                  'user': c.username, 'password': c.password, 'tls': c.use_tls, 'ssl': c.use_ssl,\n"
        "                  'from': settings.DEFAULT_FROM_EMAIL, 'server': settings.SERVER_EMAIL}))\n"
    )
    result = python_c(code, env=env)
    assert result.returncode == 0, result.stderr[-3000:]

    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "backend": "django.core.mail.backends.smtp.EmailBackend",
        "host": "smtp.example.org",
        "port": 2525,
        "user": "portal@example.org",
        "password": "app-password",
        "tls": True,
        "ssl": False,
        "from": "Portal <noreply@example.org>",
        "server": "Portal <noreply@example.org>",
    }


def test_email_host_alone_defaults_to_starttls_on_587(tmp_path):
    values = read_settings(
        portal_env(PORTAL_VAR_DIR=tmp_path / "var", EMAIL_HOST="smtp.example.org"),
        "EMAIL_BACKEND", "EMAIL_PORT", "EMAIL_USE_TLS",
    )
    assert values == {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_PORT": 587, "EMAIL_USE_TLS": True}


# --- Passwords and headers in this (test) process -------------------------------------------------------


def test_argon2_is_the_first_password_hasher():
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert make_password("a long passphrase").startswith("argon2$")


@pytest.mark.django_db
def test_responses_carry_a_content_security_policy(client):
    response = client.get("/healthz")

    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- deploy/ stays in step with the settings --------------------------------------------------------------


def test_env_example_documents_every_variable_the_settings_read():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (REPO_ROOT / "deploy" / "env.example").read_text(), re.M))
    missing = sorted(set(settings_env_names()) - documented)
    assert not missing, f"deploy/env.example does not document: {', '.join(missing)}"


def test_production_runs_exactly_one_beat():
    procfile = (REPO_ROOT / "deploy" / "Procfile").read_text()
    processes = dict(line.split(":", 1) for line in procfile.splitlines() if line and not line.startswith("#"))
    assert "gunicorn" in processes["web"]
    assert sum(" beat" in command for command in processes.values()) == 1
    systemd = REPO_ROOT / "deploy" / "systemd"
    assert (systemd / "deletion-portal-worker@.service").exists()
    assert not list(systemd.glob("deletion-portal-beat@*"))


@pytest.mark.parametrize(("sweep", "refresh"), [(None, 60), ("600", 120), ("10", 5)])
def test_statistics_refresh_runs_five_times_per_sweep_interval(tmp_path, sweep, refresh):
    """Issue 11: an event shows in the figures within one sweep interval — the refresh that picks it up runs every
    fifth of it (leaving room for the refresh itself, ≈ 11 s at 1,000,000 cases), and a refresh still queued when
    the next one is due expires instead of piling up behind the day's full refresh."""
    env = portal_env(PORTAL_VAR_DIR=tmp_path / "var", **({"SWEEP_INTERVAL_SECONDS": sweep} if sweep else {}))
    values = read_settings(env, "STATS_REFRESH_SECONDS", "SWEEP_INTERVAL_SECONDS", "CELERY_BEAT_SCHEDULE")
    assert values["STATS_REFRESH_SECONDS"] == refresh
    entry = values["CELERY_BEAT_SCHEDULE"]["refresh-statistics"]
    assert entry["options"] == {"expires": refresh}
