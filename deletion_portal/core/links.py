"""Links a lower app's page shows to a higher app's pages, without naming them (apps depend one way;
tests/test_architecture.py checks templates too): the higher app registers a named link in its
``AppConfig.ready``, the page asks for it by name with ``{% load portal_links %}{% link "name" … as url %}``
and shows nothing when no app offers it.

Registered today: ``start-request`` and ``my-cases`` (cases), ``use-employer`` (cases; takes the employer's
id), ``calendar`` (tracking).
"""

from __future__ import annotations

from collections.abc import Callable

_links: dict[str, Callable[..., str]] = {}


def register_link(name: str, url_for: Callable[..., str]) -> None:
    """Offer ``url_for(*args) -> str`` under ``name`` (the last registration wins)."""
    _links[name] = url_for


def link_url(name: str, *args) -> str:
    """The URL registered under ``name`` for ``args``, or "" when no app offers it."""
    url_for = _links.get(name)
    return url_for(*args) if url_for is not None else ""
