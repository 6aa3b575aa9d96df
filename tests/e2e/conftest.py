"""Browser tests: Debian's Chromium driven by pytest-playwright against Django's live server.

Playwright's own browser download is never used (no network here): the launch points at the
system Chromium, and a missing one skips locally or fails in CI (PORTAL_REQUIRE_SERVICES=1).
"""

import os

import pytest

from tests.support.phone import PHONE
from tests.support.processes import require_binary

# Playwright's sync API keeps an event loop running in the test thread; Django refuses ORM calls
# from such a thread unless told that this is deliberate (the live server runs in its own thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")



@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = require_binary("chromium", hint="apt-get install chromium")
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, **PHONE, "accept_downloads": True}
