"""Writes of the employer side. Keyword-only services named ``<entity>_<action>``; each state change writes
its timeline event in the same transaction."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from deletion_portal.cases.models import Case, CaseEvent, CaseStatus, EventKind, EventSource
from deletion_portal.core import ratelimit
from deletion_portal.core.outbox import outbox_enqueue
from deletion_portal.dpo.models import CaseClaim
from deletion_portal.employers.models import EmployerTeam, TeamMembership, TeamRole

logger = logging.getLogger(__name__)


# --- Claims -----------------------------------------------------------------------------------------------
#
# Whoever holds a request letter (or its email) may claim the case for a verified team with the case access
# code printed on it: the reference plus ``Case.access_secret``. The secret is compared in constant time,
# failures are throttled per IP and per reference (the cache), and neither the code nor the secret is ever
# logged or put in a URL. A wrong code and an unknown reference give the same answer.
#
# A claim is a timeline event the employee sees ("claimed by <team>", source employer, with the team) and
# an email to the employee through the outbox: the employee should know who now reads their request.

CLAIM_ROLES = (TeamRole.ADMIN, TeamRole.RESPONDER)
CLAIM_FAILURES_ALLOWED = 10  # failed attempts per IP and per reference …
CLAIM_FAILURE_WINDOW = 3600  # … per hour; then every attempt is refused (HTTP 429) until the window ends
CLAIMABLE_STATUSES = (CaseStatus.FINALISED, CaseStatus.SENT, CaseStatus.ANSWERED, CaseStatus.CLOSED)
_DUMMY_SECRET = "X" * 16  # compared against when the reference is unknown, so both cost the same


class ClaimRefused(Exception):
    """The claim cannot be made; ``message`` says why in words for the DPO."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ClaimThrottled(ClaimRefused):
    """Too many failed attempts from this IP or for this reference: try again later (HTTP 429)."""


WRONG_CODE = "That reference and case access code do not match a request. Check both against the letter."


def _compact(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", str(value or "").upper())[:64]


def claim_reference(value: str) -> str:
    """A reference as typed (any case, spaces, dashes or not) in its stored form ``DP-XXXX-XXXX``."""
    compact = _compact(value)
    if len(compact) != 10 or not compact.startswith("DP"):
        return ""
    return f"DP-{compact[2:6]}-{compact[6:10]}"


def _secret_part(code: str, reference: str) -> str:
    """The secret typed in ``code``, which may be the whole printed code or only its secret half."""
    compact, ref = _compact(code), _compact(reference)
    return compact[len(ref):] if ref and compact.startswith(ref) else compact


def _throttle_keys(ip: str, reference: str) -> list[str]:
    # Hashed: the cache holds no reference or address in clear (and no code at all).
    def digest(value: str) -> str:
        return hashlib.sha256(value.encode()).hexdigest()[:32]

    keys = [f"dpo:claim-fail:ref:{digest(reference or '?')}"]
    if ip:
        keys.append(f"dpo:claim-fail:ip:{digest(ip)}")
    return keys


def claim_throttled(*, ip: str, reference: str) -> bool:
    # Counted in the shared cache (core.ratelimit: every worker together; a down Redis degrades, never a 500).
    return any(ratelimit.count(key) >= CLAIM_FAILURES_ALLOWED for key in _throttle_keys(ip, claim_reference(reference)))


def _count_failure(ip: str, reference: str) -> None:
    for key in _throttle_keys(ip, reference):
        ratelimit.hit(key, window=CLAIM_FAILURE_WINDOW)


def claim_teams_for(user):
    """The teams ``user`` may claim cases for: verified membership with the role responder or admin."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return EmployerTeam.objects.none()
    return EmployerTeam.objects.filter(
        pk__in=TeamMembership.objects.filter(user=user, verified_at__isnull=False, role__in=CLAIM_ROLES).values("team_id")
    ).order_by("name", "pk")


def case_claim(*, user, team: EmployerTeam, reference: str, code: str, ip: str = "") -> CaseClaim:
    """Claim the case ``reference`` for ``team`` with its case access ``code``.

    Raises :class:`ClaimThrottled` after too many failures (per IP, per reference), :class:`ClaimRefused`
    when ``user`` is not a verified responder/admin of ``team``, and the same :class:`ClaimRefused`
    (``WRONG_CODE``) for a wrong code and an unknown reference. Claiming a case the team already claimed
    returns the existing claim and records nothing new."""
    ref = claim_reference(reference)
    if claim_throttled(ip=ip, reference=ref):
        raise ClaimThrottled("Too many attempts. Try again in an hour.")
    try:
        return _claim_locked(user=user, team=team, ref=ref, code=code)
    except _WrongCode:
        # Counted after the transaction was rolled back, so a database cache (no Redis) keeps the count.
        _count_failure(ip, ref)
        logger.info("Case claim refused for team %s (user %s)", team.pk, user.pk)  # never the code or reference
        raise ClaimRefused(WRONG_CODE) from None


class _WrongCode(Exception):
    """A wrong code or an unknown reference (counted as a failure by case_claim)."""


@transaction.atomic
def _claim_locked(*, user, team: EmployerTeam, ref: str, code: str) -> CaseClaim:
    if team is None or not claim_teams_for(user).filter(pk=team.pk).exists():
        raise ClaimRefused("Only a verified responder or admin of the team can claim a case for it.")
    case = Case.objects.select_for_update().filter(reference=ref).first() if ref else None
    given = _secret_part(code, ref).encode()
    expected = (case.access_secret if case is not None else _DUMMY_SECRET).encode()
    matches = hmac.compare_digest(given, expected)
    if case is None or not matches or case.owner_id is None or case.status not in CLAIMABLE_STATUSES:
        raise _WrongCode
    if not case.employer_may_answer:
        raise ClaimRefused("The employee has not allowed the employer to answer this request in the portal. "
                           "Answer through the contact details in the letter.")
    existing = CaseClaim.objects.filter(case=case, team=team).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            claim = CaseClaim.objects.create(case=case, team=team, claimed_by=user)
    except IntegrityError:  # claimed at the same moment by a colleague
        return CaseClaim.objects.get(case=case, team=team)
    role = TeamMembership.objects.filter(user=user, team=team).values_list("role", flat=True).first() or ""
    CaseEvent.objects.create(case=case, kind=EventKind.CLAIMED, on=timezone.localdate(), actor=user,
                             source=EventSource.EMPLOYER, team=team, details={"team": team.name, "role": role})
    if case.owner is not None and case.owner.email:
        outbox_enqueue(
            key=f"case-claimed:{claim.pk}", topic="case_claimed", to=[case.owner.email],
            subject=f"{case.reference}: the employer's privacy team opened your request in the portal",
            body=(f"{team.name} claimed your request {case.reference} in the deletion portal with the case access "
                  f"code from your letter. Their privacy team can now read the request and answer it there; "
                  f"you will see every step on your case page.\n\nIf you do not want the employer to answer "
                  f"online, withdraw that on your case page: their access ends at once.\n"),
        )
    logger.info("Case %s claimed by team %s", case.pk, team.pk)
    return claim
