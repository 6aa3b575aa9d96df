"""System check: ``STATS_MIN_CELL`` (the smallest published cell, advocacy/disclosure.py) is at least 3.

The environment reader already refuses a smaller value at start-up; this check also catches a value set
any other way (a settings override, a local settings module) before a page can publish with it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from deletion_portal.advocacy.disclosure import MIN_ALLOWED_K


@register()
def stats_min_cell_check(app_configs=None, **kwargs) -> list[Error]:
    value = getattr(settings, "STATS_MIN_CELL", None)
    if isinstance(value, int) and not isinstance(value, bool) and value >= MIN_ALLOWED_K:
        return []
    return [Error(f"STATS_MIN_CELL={value!r}: published statistics need at least {MIN_ALLOWED_K} people per cell.",
                  hint="Set STATS_MIN_CELL to 5 (the default) or more.", id="advocacy.E001")]
