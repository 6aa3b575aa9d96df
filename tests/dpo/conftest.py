"""The employer side's tests use the shared base (tests/support/world.py); here: files under tmp_path, mail
in memory, and an empty cache (the claim throttle counts failures there)."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _media_mail_and_cache(isolated_media):
    cache.clear()
    yield
    cache.clear()
