"""The project's URL patterns, walked once: their "namespace:name", route and URL arguments."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Pattern:
    name: str  # "namespace:name", or "<unnamed> route" for a pattern without a name
    route: str
    kwargs: tuple[str, ...]


def walk(patterns, prefix: str = "", namespaces: tuple[str, ...] = ()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespaces + ((entry.namespace,) if entry.namespace else ())
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            name = ":".join(namespaces + (entry.name or f"<unnamed {route}>",))
            kwargs = tuple(re.findall(r"<(?:\w+:)?(\w+)>", route)) or tuple(entry.pattern.regex.groupindex)
            yield Pattern(name=name, route=route, kwargs=kwargs)


def all_patterns() -> list[Pattern]:
    return list(walk(get_resolver().url_patterns))
