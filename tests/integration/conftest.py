"""Fixtures of the integration tests (the servers themselves are in tests/support/servers.py): a migrated
PostgreSQL template, a database per test copied from it, and a local SMTP server."""

from __future__ import annotations

import re
import secrets

import pytest

from tests.integration.smtp import SMTPServer
from tests.integration.stack import TEMPLATE_DB, Database
from tests.support.processes import manage, portal_env


@pytest.fixture(scope="session")
def pg_template(postgres_server, tmp_path_factory) -> str:
    """A migrated PostgreSQL database to copy per test (``CREATE DATABASE … TEMPLATE``: well under a
    second, where ``migrate`` takes many). Built once per server, whichever module asks first."""
    with postgres_server.connect() as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (TEMPLATE_DB,)).fetchone():
            return TEMPLATE_DB
    building = TEMPLATE_DB + "_building"
    url = postgres_server.create_database(building)
    manage("migrate", "--noinput", env=portal_env(DATABASE_URL=url, PORTAL_VAR_DIR=tmp_path_factory.mktemp("template-var")),
           timeout=300)
    with postgres_server.connect() as conn:
        conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{TEMPLATE_DB}"')
    return TEMPLATE_DB


@pytest.fixture
def pg_database(postgres_server, pg_template, request):
    name = "rel_" + re.sub(r"\W+", "_", request.node.name.lower())[:40] + "_" + secrets.token_hex(3)
    with postgres_server.connect() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"')
    yield Database(url=postgres_server.url(name), connect=lambda: postgres_server.connect(name))
    with postgres_server.connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def smtp(tmp_path):
    with SMTPServer(directory=tmp_path / "smtp") as server:
        yield server
