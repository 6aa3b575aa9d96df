"""Webhooks for employer teams that run their own DSAR tool: register an HTTPS URL, get every event of the
team's cases POSTed to it as signed JSON.

* **Which events.** ``cases.signals.case_changed`` (inside the change's transaction) → one
  :class:`~deletion_portal.dpo.models.WebhookDelivery` per active webhook of every team that may see the
  case (:func:`case_webhook_teams`): a new request (the ``sent`` event) and every later event. Drafts and
  plain recomputes send nothing.
* **Delivery** mirrors the outbox (``core/outbox.py``): the row is the source of truth; the task
  ``dpo.deliver_webhook`` (published after the commit) claims it with a compare-and-swap update, POSTs it,
  and records ``delivered`` (2xx only; redirects are not followed) or ``retrying`` with exponential back-off
  (``core.outbox.retry_delay``) up to :data:`MAX_ATTEMPTS`, then ``failed``. Beat's ``dpo.requeue_webhooks``
  hands due retries, lost tasks and rows abandoned in ``sending`` to a worker again.
* **Signature.** ``X-Portal-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`` and
  ``X-Portal-Event-Id`` (the same for every attempt and every re-send: receivers de-duplicate on it).
  :func:`webhook_signature_valid` is the reference verification (README "Webhooks for the employer's own
  tools").
* **Never logged:** the secret and the payload. ``last_error`` is short (a status or an error type).
* **URLs.** HTTPS only (:func:`webhook_url_clean`); plain http to 127.0.0.1/localhost/[::1] only with
  ``settings.WEBHOOK_ALLOW_LOCAL_HTTP`` (on with DEBUG, refused in production).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from deletion_portal.cases.access import employee_case_shared
from deletion_portal.cases.models import Case, CaseEvent
from deletion_portal.cases.signals import case_changed
from deletion_portal.core.outbox import publish_on_commit, queued_grace, retry_delay, stale_sending_before
from deletion_portal.dpo.models import (
    CaseClaim,
    Webhook,
    WebhookDelivery,
    WebhookDeliveryState,
    new_webhook_secret,
)
from deletion_portal.employers.models import (
    EmployerTeam,
    TeamAuditAction,
    TeamAuditEntry,
    TeamMembership,
    TeamRole,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
EVENT_TYPE = "case.event"
SIGNATURE_HEADER = "X-Portal-Signature"
EVENT_ID_HEADER = "X-Portal-Event-Id"
SIGNATURE_TOLERANCE_SECONDS = 300
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_WEBHOOKS_PER_TEAM = 5
State = WebhookDeliveryState


# --- Registering a URL ----------------------------------------------------------------------------------


def webhook_url_clean(url: str) -> str:
    """The URL if the portal may POST to it, else a ValidationError saying why.

    The rule: ``https://`` with a host name, no credentials in it, and not an IP literal in a private,
    loopback, link-local or reserved range (no requests into the portal's own network). The one exception,
    for development and tests: with ``settings.WEBHOOK_ALLOW_LOCAL_HTTP`` (on with DEBUG; production refuses
    it), ``http://`` or ``https://`` to 127.0.0.1, localhost or [::1].
    """
    url = (url or "").strip()
    if len(url) > 500:
        raise ValidationError({"url": "The URL is too long (500 characters at most)."})
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ValidationError({"url": "This is not a valid URL."}) from None
    if not host or parts.scheme not in ("http", "https"):
        raise ValidationError({"url": "Give a full https:// URL."})
    if parts.username or parts.password:
        raise ValidationError({"url": "A webhook URL may not carry a user name or password; the signature "
                                      "authenticates the portal."})
    if local_allowed(host):
        return url
    if parts.scheme != "https":
        raise ValidationError({"url": "Webhooks are sent over HTTPS only: give an https:// URL."})
    if host in LOCAL_HOSTS or host.endswith(".localhost"):
        raise ValidationError({"url": "The URL must be reachable on the internet, not a local address."})
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return url
    if not address.is_global:
        raise ValidationError({"url": "The URL must be reachable on the internet, not a private address."})
    return url


def local_allowed(host: str) -> bool:
    """The explicit local allowance (development and tests): 127.0.0.1, localhost, ::1 with the setting on."""
    return bool(getattr(settings, "WEBHOOK_ALLOW_LOCAL_HTTP", False)) and host.lower() in LOCAL_HOSTS


def webhook_host_reachable(url: str) -> bool:
    """At delivery time: the host resolves only to public internet addresses (a name registered as public
    that now points into a private network is not posted to). The local allowance is exempt."""
    host = urlsplit(url).hostname or ""
    if local_allowed(host):
        return True
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    addresses = {ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos}
    return bool(addresses) and all(address.is_global for address in addresses)


def webhook_admin_teams(*, user) -> QuerySet[EmployerTeam]:
    """The teams ``user`` administers with a verified membership (the only ones whose webhooks they manage)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return EmployerTeam.objects.none()
    teams = TeamMembership.objects.filter(user=user, role=TeamRole.ADMIN, verified_at__isnull=False).values("team_id")
    return EmployerTeam.objects.filter(pk__in=teams).order_by("name", "pk")


def _audit(*, team: EmployerTeam, actor, change: str, webhook: Webhook) -> None:
    host = urlsplit(webhook.url).hostname or ""
    TeamAuditEntry.objects.create(team=team, action=TeamAuditAction.SETTINGS_CHANGED, actor=actor,
                                  details={"change": change, "webhook": webhook.pk, "host": host})


@transaction.atomic
def webhook_create(*, team: EmployerTeam, url: str, actor) -> Webhook:
    """Register a URL for ``team`` (the caller checked that ``actor`` administers it); returns the webhook
    with its new secret, to be shown once."""
    url = webhook_url_clean(url)
    if Webhook.objects.filter(team=team).count() >= MAX_WEBHOOKS_PER_TEAM:
        raise ValidationError({"url": f"A team has at most {MAX_WEBHOOKS_PER_TEAM} webhooks; remove one first."})
    if Webhook.objects.filter(team=team, url=url).exists():
        raise ValidationError({"url": "This URL is registered already."})
    webhook = Webhook.objects.create(team=team, url=url, created_by=actor)
    _audit(team=team, actor=actor, change="webhook_added", webhook=webhook)
    return webhook


@transaction.atomic
def webhook_remove(*, webhook: Webhook, actor) -> None:
    """Delete the webhook and its deliveries (a queued one is thereby cancelled: no worker finds it)."""
    _audit(team=webhook.team, actor=actor, change="webhook_removed", webhook=webhook)
    webhook.delete()


@transaction.atomic
def webhook_roll_secret(*, webhook: Webhook, actor) -> Webhook:
    """A new secret (the old one stops working at once: every later attempt is signed with the new one)."""
    webhook.secret = new_webhook_secret()
    webhook.secret_rolled_at = timezone.now()
    webhook.save(update_fields=["secret", "secret_rolled_at"])
    _audit(team=webhook.team, actor=actor, change="webhook_secret_rolled", webhook=webhook)
    return webhook


def webhook_get_for_admin(*, user, pk) -> Webhook | None:
    try:
        return Webhook.objects.select_related("team").get(pk=int(pk), team__in=webhook_admin_teams(user=user))
    except (Webhook.DoesNotExist, ValueError, TypeError, OverflowError):
        return None


def webhook_delivery_get_for_admin(*, user, pk) -> WebhookDelivery | None:
    try:
        return WebhookDelivery.objects.select_related("webhook__team").get(
            pk=int(pk), webhook__team__in=webhook_admin_teams(user=user))
    except (WebhookDelivery.DoesNotExist, ValueError, TypeError, OverflowError):
        return None


def webhooks_of(*, teams) -> list[Webhook]:
    return list(Webhook.objects.filter(team__in=teams).select_related("team").order_by("team__name", "created_at", "pk"))


def webhook_deliveries_of(*, teams, state: str = "", limit: int = 50) -> list[WebhookDelivery]:
    """The latest deliveries of these teams' webhooks (state, attempts, last status; never the secret)."""
    deliveries = WebhookDelivery.objects.filter(webhook__team__in=teams)
    if state:
        deliveries = deliveries.filter(state=state)
    return list(
        deliveries
        .select_related("webhook__team", "case")
        .defer("payload", "webhook__secret")
        .order_by("-created_at", "-pk")[:limit]
    )


# --- Which teams hear about a case, and what they hear ----------------------------------------------------


def case_webhook_teams(*, case: Case) -> QuerySet[EmployerTeam]:
    """The teams that may see ``case``, by the access policy's rules: a case a team recorded (no owner) is
    that team's alone; an employee's case, while the employee lets the employer answer online and the request
    was sent (``cases.access.employee_case_shared``), every team covering the case's employer with at least one
    verified member, and every team that claimed it with the case access code."""
    if case.owner_id is None:
        return EmployerTeam.objects.filter(pk=case.recorded_by_team_id) if case.recorded_by_team_id else EmployerTeam.objects.none()
    condition = Q(pk__in=[])
    if employee_case_shared(case):
        if case.employer_id:
            condition |= Q(pk__in=EmployerTeam.objects.filter(
                employers=case.employer_id, memberships__verified_at__isnull=False).values("pk"))
        condition |= Q(pk__in=CaseClaim.objects.filter(case=case).values("team_id"))
    return EmployerTeam.objects.filter(condition)


def webhook_event_id(event: CaseEvent) -> str:
    return f"evt_{event.pk}"


def webhook_payload(*, case: Case, event: CaseEvent) -> dict:
    """What a receiver gets (README): the case's public facts and the event. Never the employee's account
    email, never drafts, notes or letters' text."""
    return {
        "id": webhook_event_id(event),
        "type": EVENT_TYPE,
        "created": (event.recorded_at or timezone.now()).isoformat(),
        "case": {
            "id": case.pk,
            "reference": case.reference,
            "law": case.law_key,
            "rights": list(case.rights or []),
            "received_on": case.received_on.isoformat() if case.received_on else None,
            "respond_by": case.respond_by.isoformat() if case.respond_by else None,
            "status": case.status,
        },
        "event": {
            "kind": event.kind,
            "on": event.on.isoformat(),
            "source": event.source,
            "team": event.team.name if event.team_id else None,
        },
    }


def webhooks_enqueue(*, case: Case, event: CaseEvent) -> list[int]:
    """One delivery per active webhook of every team that may see the case (idempotent per webhook and
    event); the tasks are published after the commit. Returns the new delivery ids."""
    webhooks = list(Webhook.objects.filter(active=True, team__in=case_webhook_teams(case=case)).values_list("pk", flat=True))
    if not webhooks:
        return []
    payload = webhook_payload(case=case, event=event)
    event_id = payload["id"]
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(webhook_id=pk, case=case, event_id=event_id, payload=payload) for pk in webhooks],
        ignore_conflicts=True,
    )
    ids = list(WebhookDelivery.objects.filter(webhook_id__in=webhooks, event_id=event_id, attempts=0,
                                              state=State.QUEUED).values_list("pk", flat=True))
    from deletion_portal.dpo.tasks import deliver_webhook

    for pk in ids:
        publish_on_commit(deliver_webhook, pk)
    return ids


def on_case_changed(sender, *, case, event, events, result, **kwargs) -> None:
    if event is None:  # a plain recompute: nothing happened that a receiver should hear about
        return
    webhooks_enqueue(case=case, event=event)


def connect() -> None:
    """Called from ``DpoConfig.ready``."""
    case_changed.connect(on_case_changed, sender=None, dispatch_uid="dpo.webhooks.on_case_changed")


# --- Signing ----------------------------------------------------------------------------------------------


def webhook_signature(*, secret: str, body: bytes, timestamp: int) -> str:
    """The ``X-Portal-Signature`` value: ``t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``."""
    mac = hmac.new(secret.encode(), f"{int(timestamp)}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={int(timestamp)},v1={mac}"


def webhook_signature_valid(*, secret: str, body: bytes, header: str, now: float | None = None,
                            tolerance: int = SIGNATURE_TOLERANCE_SECONDS) -> bool:
    """What a receiver does (README): parse ``t`` and ``v1``, recompute the HMAC over the raw body,
    compare in constant time, and refuse a timestamp more than ``tolerance`` seconds away (replays)."""
    fields: dict[str, list[str]] = {}
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        fields.setdefault(key, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, IndexError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = webhook_signature(secret=secret, body=body, timestamp=timestamp).split("v1=", 1)[1]
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))


def webhook_body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


# --- Delivering ---------------------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx is an answer, not an instruction: never follow it (it could point anywhere)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: bytes, headers: dict) -> int:
    """POST; the HTTP status (a 3xx, 4xx or 5xx too). Network errors raise."""
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    timeout = int(getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 10))
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read(1024)
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def _claim(delivery_id: int) -> bool:
    """Compare-and-swap: queued, due retrying, or ``sending`` abandoned by a dead worker → sending."""
    now = timezone.now()
    return bool(
        WebhookDelivery.objects.filter(pk=delivery_id, webhook__active=True)
        .filter(Q(state=State.QUEUED)
                | Q(state=State.RETRYING, next_attempt_at__lte=now)
                | Q(state=State.SENDING, claimed_at__lt=stale_sending_before(now)))
        .update(state=State.SENDING, claimed_at=now)
    )


def webhook_deliver(*, delivery_id: int) -> str:
    """Send one delivery if it is ours to send; returns the state it ends in."""
    if not _claim(delivery_id):
        return WebhookDelivery.objects.filter(pk=delivery_id).values_list("state", flat=True).first() or "missing"
    delivery = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)
    attempts = delivery.attempts + 1
    body = webhook_body(delivery.payload)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "DeletionPortal-Webhooks/1",
        EVENT_ID_HEADER: delivery.event_id,
        SIGNATURE_HEADER: webhook_signature(secret=delivery.webhook.secret, body=body, timestamp=int(time.time())),
    }
    status, error = None, ""
    try:
        webhook_url_clean(delivery.webhook.url)  # the rule may have changed since it was registered
        if not webhook_host_reachable(delivery.webhook.url):
            raise ValidationError("private address")
        status = _post(delivery.webhook.url, body, headers)
    except ValidationError:
        error = "address not allowed (HTTPS to a public internet address only)"
    except Exception as exc:  # noqa: BLE001 - any network error is recorded (its type only) and retried
        reason = getattr(exc, "reason", None)
        error = type(exc).__name__ + (f" ({type(reason).__name__})" if isinstance(reason, BaseException) else "")
    if status is not None and 200 <= status < 300:
        WebhookDelivery.objects.filter(pk=delivery_id, state=State.SENDING).update(
            state=State.DELIVERED, attempts=attempts, delivered_at=timezone.now(), last_status_code=status,
            last_error="", next_attempt_at=None)
        return State.DELIVERED
    if status is not None:
        error = f"HTTP {status}" + (" (redirects are not followed)" if 300 <= status < 400 else "")
    state = State.FAILED if attempts >= MAX_ATTEMPTS else State.RETRYING
    WebhookDelivery.objects.filter(pk=delivery_id, state=State.SENDING).update(
        state=state, attempts=attempts, last_status_code=status, last_error=error[:200],
        next_attempt_at=None if state == State.FAILED else timezone.now() + retry_delay(attempts))
    logger.warning("webhook delivery %s attempt %s failed: %s", delivery_id, attempts, error[:200])
    return state


@transaction.atomic
def webhook_delivery_resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (same event id, a fresh retry budget), whatever state it is in, unless a worker
    is sending it right now."""
    changed = (WebhookDelivery.objects.filter(pk=delivery.pk).exclude(state=State.SENDING)
               .update(state=State.QUEUED, attempts=0, next_attempt_at=None, claimed_at=None, last_error=""))
    if not changed:
        raise ValidationError("This delivery is being sent right now; try again in a minute.")
    from deletion_portal.dpo.tasks import deliver_webhook

    publish_on_commit(deliver_webhook, delivery.pk)
    delivery.refresh_from_db()
    return delivery


def webhook_due_ids(*, now=None, limit: int = 2000) -> list[int]:
    """Deliveries a worker should (re)try now: queued and never claimed for a while, retrying and due,
    sending but abandoned."""
    now = now or timezone.now()
    due = (
        Q(state=State.QUEUED, created_at__lt=now - queued_grace(), claimed_at__isnull=True)
        | Q(state=State.RETRYING, next_attempt_at__lte=now)
        | Q(state=State.SENDING, claimed_at__lt=stale_sending_before(now))
    )
    return list(WebhookDelivery.objects.filter(due, webhook__active=True).order_by("pk")
                .values_list("pk", flat=True)[:limit])


def webhooks_requeue_due(*, now=None, limit: int = 2000, chunk: int = 50) -> int:
    """Hand every due delivery to a worker (one task per ``chunk`` ids); returns how many. Each is claimed
    with compare-and-swap, so one handed out twice is still sent once."""
    from deletion_portal.dpo.tasks import deliver_webhook_batch

    ids = webhook_due_ids(now=now, limit=limit)
    for start in range(0, len(ids), chunk):
        publish_on_commit(deliver_webhook_batch, ids[start:start + chunk])
    return len(ids)
