"""What cases announces, so the apps above it (tracking, and the coming DPO and advocacy apps) can act
on it without cases importing them (docs/DESIGN: apps depend one way).

* :data:`case_changed` — sent by ``case_recompute`` inside the transaction that changed the case, after
  its receipt and deadline fields are saved. Keyword arguments: ``case``; ``event`` (the ``CaseEvent``
  just recorded, or None for a plain recompute); ``events`` (the case's whole timeline, oldest first);
  ``result`` (the ``laws.types.DeadlineResult``, or None when the case has no deadline yet). A receiver
  that raises rolls the change back. Connect receivers in the subscribing app's ``AppConfig.ready``.
* Case page sections: :func:`register_case_page_context` — a provider ``(*, case, today) -> dict``
  whose keys join the case page's template context (tracking's deadline rows, reminders, letters …).
* Case export sections: :func:`register_case_export` — a provider ``(*, case) -> dict`` whose keys
  join the case's entry in the owner's data export (``cases.json``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.dispatch import Signal

case_changed = Signal()

_case_page_contexts: list[Callable[..., dict]] = []
_case_exports: list[Callable[..., dict]] = []


def register_case_page_context(provider: Callable[..., dict]) -> None:
    """Add ``provider(*, case, today) -> dict`` to the case page (once, however often it is called)."""
    if provider not in _case_page_contexts:
        _case_page_contexts.append(provider)


def case_page_context(*, case, today: date) -> dict:
    """The case page's context from every registered provider, in registration order."""
    context: dict = {}
    for provider in _case_page_contexts:
        context.update(provider(case=case, today=today))
    return context


def register_case_export(provider: Callable[..., dict]) -> None:
    """Add ``provider(*, case) -> dict`` to each case's entry in the data export (once)."""
    if provider not in _case_exports:
        _case_exports.append(provider)


def case_export_sections(*, case) -> dict:
    """A case's export entries from every registered provider, in registration order."""
    sections: dict = {}
    for provider in _case_exports:
        sections.update(provider(case=case))
    return sections
