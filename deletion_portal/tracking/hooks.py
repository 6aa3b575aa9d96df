"""What the apps above tracking add to it, registered in their ``AppConfig.ready`` (tracking imports none
of them; apps depend one way).

* Team reminder recipients: :func:`register_reminder_recipients` — a provider ``(*, case_ids) -> {case id:
  [ReminderRecipient, …]}`` saying who on the employer side is reminded of a case's respond-by date (the
  dpo app: the assignee, or the team's responders and admins). The sweep asks once per batch, for the
  cases of the batch's answer-deadline reminders, and queues one email per recipient (keyed per member,
  so a retried sweep never sends twice).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ReminderRecipient:
    key: str  # stable per recipient (part of the outbox key), e.g. "u42"
    email: str
    case_url: str  # the page the recipient opens the case on
    team_name: str = ""
    assigned: bool = False  # reminded as the case's assignee (else as a member of an unassigned case's team)


_recipient_providers: list[Callable[..., dict]] = []


def register_reminder_recipients(provider: Callable[..., dict]) -> None:
    """Add ``provider(*, case_ids) -> {case id: [ReminderRecipient]}`` (once)."""
    if provider not in _recipient_providers:
        _recipient_providers.append(provider)


def reminder_team_recipients(*, case_ids: list[int]) -> dict[int, list[ReminderRecipient]]:
    """Every registered provider's recipients per case (an empty dict when none is registered)."""
    found: dict[int, list[ReminderRecipient]] = {}
    for provider in _recipient_providers:
        for case_id, recipients in provider(case_ids=case_ids).items():
            found.setdefault(case_id, []).extend(recipients)
    return found
