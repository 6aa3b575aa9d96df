"""The employer-side tests use the shared base (tests/support/world.py); here only files under tmp_path,
mail in memory and a fast hasher for every test."""

import pytest


@pytest.fixture(autouse=True)
def _media_and_mail(isolated_media):
    pass
