"""``Cache-Control: no-store`` on everything personal (issue 13).

A case page, a letter's PDF, a case in the API must not be kept by a browser's disk cache, a shared
computer's back button or a proxy. Every response to a signed-in user (session or API token: DRF sets the
user on the underlying request) and every response under the private URL namespaces gets
``Cache-Control: private, no-store`` (kept as is when a view said ``no-store`` already). Public pages to
anonymous visitors — the calculator, the laws, the public API — stay cacheable.
"""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers

#: URL namespaces (and api-v1 name prefixes) that are personal whoever asks.
PRIVATE_NAMESPACES = frozenset({"cases", "tracking", "dpo", "accounts", "calendar"})
PRIVATE_API_PREFIXES = ("case-", "employer-")


def is_private(request) -> bool:
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return True
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    if set(match.namespaces) & PRIVATE_NAMESPACES:
        return True
    return "api-v1" in match.namespaces and (match.url_name or "").startswith(PRIVATE_API_PREFIXES)


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_private(request) and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, max-age=0 (+ Expires)
            response["Cache-Control"] += ", private"
        return response
