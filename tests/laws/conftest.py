import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """The API's anonymous throttle counts in the cache; each test starts from zero."""
    cache.clear()
    yield
    cache.clear()
