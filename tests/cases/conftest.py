"""The case tests use the shared base (tests/support/world.py: users per role, employers, teams, cases);
here only what every case test needs: files under tmp_path, mail in memory, a fast hasher."""

import pytest


@pytest.fixture(autouse=True)
def _media_and_mail(isolated_media):
    pass
