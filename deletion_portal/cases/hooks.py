"""What the apps above cases add to it, registered in their ``AppConfig.ready`` (cases imports none of
them; docs/DESIGN: apps depend one way). Changes are announced by ``cases/signals.py``.

* Case page sections: :func:`register_case_page_context` — a provider ``(*, case, today) -> dict``
  whose keys join the case page's template context (tracking's deadline rows, reminders, letters …),
  and the templates the app shows in the page's slots (:data:`CASE_PAGE_SLOTS`); ``cases/detail.html``
  includes them in registration order, with the page's context.
* Case export sections: :func:`register_case_export` — a provider ``(*, cases) -> {case pk: dict}``
  whose keys join each case's entry in the owner's data export (``cases.json``); it gets all the
  owner's cases at once, so that it reads them in a fixed number of queries, however many there are.
* Letter renderers: :func:`register_letter_renderer` — ``renderer(*, case, letter, today)`` returning a
  :class:`LetterRendering` (or None) for a letter kind the app drafts (tracking: follow-up, complaint);
  ``cases.services.letter_finalize`` re-renders a draft of that kind through it before freezing it.
* Reminder recipients on the employer side: :func:`register_reminder_recipients` — a provider
  ``(*, case_ids) -> {case id: [ReminderRecipient, …]}`` saying who on the employer side is reminded of a
  case's respond-by date (dpo: the assignee, or the team's responders and admins). tracking's sweep asks
  once per batch (:func:`reminder_team_recipients`) and queues one email per recipient, keyed per member;
  tracking and dpo sit on the same layer and do not import each other, so they meet here.
* Outcome statistics: :func:`register_statistics_source` — a provider ``(*, cases) -> [StatisticsCount]``
  of grouped yes/no counts per (law, month received) that advocacy's figures add to a release (tracking:
  whether the answers addressed each checklist item); tracking and advocacy sit on the same layer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

#: Where the case page includes the templates of the apps above cases: after the deadline trail, before
#: the timeline, and in each timeline entry (``item``).
CASE_PAGE_SLOTS = ("after_dates", "before_timeline", "event")

_case_page_contexts: list[Callable[..., dict]] = []
_case_page_panels: dict[str, list[str]] = {slot: [] for slot in CASE_PAGE_SLOTS}
_case_exports: list[Callable[..., dict]] = []
_letter_renderers: dict[str, Callable[..., "LetterRendering | None"]] = {}


def register_case_page_context(provider: Callable[..., dict], *, panels: dict[str, list[str]] | None = None) -> None:
    """Add ``provider(*, case, today) -> dict`` to the case page, and ``panels`` (slot → template names)
    to its slots; once, however often it is called."""
    if provider not in _case_page_contexts:
        _case_page_contexts.append(provider)
    for slot, templates in (panels or {}).items():
        if slot not in _case_page_panels:
            raise ValueError(f"The case page has no slot {slot!r}; slots: {', '.join(CASE_PAGE_SLOTS)}.")
        _case_page_panels[slot].extend(t for t in templates if t not in _case_page_panels[slot])


def case_page_context(*, case, today: date) -> dict:
    """The case page's context from every registered provider, in registration order, and the templates
    of each slot (``case_panels``)."""
    context: dict = {}
    for provider in _case_page_contexts:
        context.update(provider(case=case, today=today))
    context["case_panels"] = {slot: list(templates) for slot, templates in _case_page_panels.items()}
    return context


def register_case_export(provider: Callable[..., dict]) -> None:
    """Add ``provider(*, cases) -> {case pk: dict}`` to the cases' entries in the data export (once)."""
    if provider not in _case_exports:
        _case_exports.append(provider)


def case_export_sections(*, cases: list) -> dict[int, dict]:
    """Each case's export entries (by pk) from every registered provider, in registration order."""
    sections: dict[int, dict] = {case.pk: {} for case in cases}
    for provider in _case_exports:
        for pk, entries in provider(cases=cases).items():
            sections[pk].update(entries)
    return sections


@dataclass(frozen=True)
class LetterRendering:
    """A draft re-rendered as of the finalising day: its HTML and language ("" keeps the stored ones), and
    what the ``finalised`` event should record beyond the letter's id, kind and SHA-256."""

    html: str = ""
    language: str = ""
    details: dict = field(default_factory=dict)


def register_letter_renderer(kind: str, renderer: Callable[..., LetterRendering | None]) -> None:
    """The renderer of one letter kind (the last registration wins; one app owns a kind)."""
    _letter_renderers[kind] = renderer


def letter_renderer(kind: str) -> Callable[..., LetterRendering | None] | None:
    return _letter_renderers.get(kind)


@dataclass(frozen=True)
class ReminderRecipient:
    """Someone on the employer side to remind of a case's respond-by date."""

    key: str  # stable per recipient (part of the outbox key), e.g. "u42"
    email: str
    case_url: str  # the page the recipient opens the case on
    team_name: str = ""
    assigned: bool = False  # reminded as the case's assignee (else as a member of an unassigned case's team)


_reminder_recipients: list[Callable[..., dict]] = []


def register_reminder_recipients(provider: Callable[..., dict]) -> None:
    """Add ``provider(*, case_ids) -> {case id: [ReminderRecipient]}`` (once)."""
    if provider not in _reminder_recipients:
        _reminder_recipients.append(provider)


def reminder_team_recipients(*, case_ids: list[int]) -> dict[int, list[ReminderRecipient]]:
    """Every registered provider's recipients per case (an empty dict when none is registered)."""
    found: dict[int, list[ReminderRecipient]] = {}
    for provider in _reminder_recipients:
        for case_id, recipients in provider(case_ids=case_ids).items():
            found.setdefault(case_id, []).extend(recipients)
    return found


# --- Outcome statistics: figures kept by the apps above cases (advocacy counts them) ----------------------


@dataclass(frozen=True)
class StatisticsCount:
    """One grouped count a higher app contributes to the outcome statistics: for the cases of one law
    received in one month (``month``: its first day), how many answer ``yes`` and ``no`` to ``variable``
    (e.g. ``item:art15_1_c`` — "did the answer address the recipients?")."""

    variable: str
    label: str
    law: str
    month: date
    yes: int
    no: int
    employer_id: int | None = None


_statistics_sources: list[Callable[..., list[StatisticsCount]]] = []


def register_statistics_source(provider: Callable[..., list[StatisticsCount]]) -> None:
    """``provider(cases=<Case queryset>)`` → grouped counts per employer, law and month received, in a fixed
    number of queries (never per case)."""
    if provider not in _statistics_sources:
        _statistics_sources.append(provider)


def statistics_counts(*, cases) -> list[StatisticsCount]:
    return [count for provider in _statistics_sources for count in provider(cases=cases)]
