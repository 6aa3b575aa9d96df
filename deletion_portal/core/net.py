"""The one rule for "who is the client": the address the login lockout (django-axes), the API's
anonymous throttle (DRF) and every rate limit key on.

Behind ``TRUSTED_PROXY_COUNT`` reverse proxies (the shipped nginx is one) each proxy appends the address
it saw to ``X-Forwarded-For``; the client is the entry that many places from the right. Anything further
left was written by the client and is ignored. With ``TRUSTED_PROXY_COUNT = 0`` (the default: gunicorn
or runserver facing the network) the header is ignored entirely and ``REMOTE_ADDR`` is the client —
a forged header cannot change who you are.

DRF's ``NUM_PROXIES`` and axes' ``AXES_IPWARE_PROXY_COUNT`` are set from the same setting, and axes
calls :func:`client_ip` itself (``AXES_CLIENT_IP_CALLABLE``), so the three can never disagree.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(address: str) -> str:
    address = (address or "").strip()
    if address.startswith("[") and "]" in address:  # "[::1]:port"
        address = address[1:address.index("]")]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""


def client_ip(request) -> str:
    """The client's address for ``request`` (a Django or DRF request); "" if none can be found."""
    meta = request.META
    remote = _valid(meta.get("REMOTE_ADDR", ""))
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = meta.get("HTTP_X_FORWARDED_FOR", "")
    entries = [part for part in (p.strip() for p in forwarded.split(",")) if part]
    if not entries:
        return remote
    # The last `count` entries were appended by our proxies; the one they saw first is the client.
    return _valid(entries[-min(count, len(entries))]) or remote
