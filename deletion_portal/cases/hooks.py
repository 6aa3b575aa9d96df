"""What the apps above cases add to it, registered in their ``AppConfig.ready`` (cases imports none of
them; docs/DESIGN: apps depend one way). Changes are announced by ``cases/signals.py``.

* Case page sections: :func:`register_case_page_context` — a provider ``(*, case, today) -> dict``
  whose keys join the case page's template context (tracking's deadline rows, reminders, letters …),
  and the templates the app shows in the page's slots (:data:`CASE_PAGE_SLOTS`); ``cases/detail.html``
  includes them in registration order, with the page's context.
  A provider may also return ``next_action`` (a :class:`NextAction`, or None): the one action the page
  shows at its top instead of the cases app's own (tracking: send a follow-up when the deadline passed,
  complain when the follow-up went unanswered, check an answer); the last provider that gives one wins.
* Case export sections: :func:`register_case_export` — a provider ``(*, cases) -> {case pk: dict}``
  whose keys join each case's entry in the owner's data export (``cases.json``); it gets all the
  owner's cases at once, so that it reads them in a fixed number of queries, however many there are.
* Letter renderers: :func:`register_letter_renderer` — ``renderer(*, case, letter, today)`` returning a
  :class:`LetterRendering` (or None) for a letter kind the app drafts (tracking: follow-up, complaint);
  ``cases.services.letter_finalize`` re-renders a draft of that kind through it before freezing it.
* Case API sections: :func:`register_case_api_section` — a provider ``(*, case) -> dict`` whose keys join
  the employee's ``GET /api/v1/cases/<id>`` (dpo: the employer's structured ``response``).
* Letter benchmarks: :func:`register_letter_bench` — ``bench(*, cases, today) -> list[str]`` run by
  ``bench letters`` after the request letters, inside the same rolled-back transaction (dpo: the response
  letter); the lines it returns print beside the request letter's median.
* Reminder recipients on the employer side: :func:`register_reminder_recipients` — a provider
  ``(*, case_ids) -> {case id: [ReminderRecipient, …]}`` saying who on the employer side is reminded of a
  case's respond-by date (dpo: the assignee, or the team's responders and admins). tracking's sweep asks
  once per batch (:func:`reminder_team_recipients`) and queues one email per recipient, keyed per member;
  tracking and dpo sit on the same layer and do not import each other, so they meet here.
* Outcome statistics: :func:`register_statistics_source` — a provider ``(*, cases) -> [StatisticsCount]``
  of grouped yes/no counts per (law, month received) that advocacy's figures add to a release (tracking:
  whether the answers addressed each checklist item); tracking and advocacy sit on the same layer.
  :func:`register_statistics_labeller` — ``(variable, language) -> str | None``: the label of a variable the
  app contributes, in an interface language (a count carries its English label; the pages show the reader's).
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


@dataclass(frozen=True)
class NextAction:
    """The one thing the case page asks its owner to do next, shown at its top: what, why, by when, and a
    link (``url``, with the ``button`` text) to where it is done."""

    title: str
    why: str
    url: str = ""
    button: str = ""
    on: date | None = None  # the date it is due by, if any


def case_page_context(*, case, today: date) -> dict:
    """The case page's context from every registered provider, in registration order, and the templates
    of each slot (``case_panels``). A provider's ``next_action`` is kept only when it is set."""
    context: dict = {}
    for provider in _case_page_contexts:
        given = provider(case=case, today=today)
        if given.get("next_action") is None:
            given = {k: v for k, v in given.items() if k != "next_action"}
        context.update(given)
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


# --- Wizard pre-fill locks, letter additions, letter envelopes (campaigns) -------------------------------


@dataclass(frozen=True)
class FieldLock:
    """A case field an app above cases fixed (a campaign): ``allowed`` are the values it may take (foreign
    keys as pks, lists as sorted tuples); ``reason`` is shown on the wizard and in the error."""

    field: str
    allowed: tuple
    reason: str


_case_locks: list[Callable[..., list]] = []


def register_case_locks(provider: Callable[..., list]) -> None:
    """Add ``provider(*, case) -> [FieldLock]`` (once). ``cases.services.case_update`` refuses a value a lock
    does not allow (a ``ValidationError`` naming the field); the wizard shows the locks."""
    if provider not in _case_locks:
        _case_locks.append(provider)


def case_locks(*, case) -> dict[str, FieldLock]:
    found: dict[str, FieldLock] = {}
    if case is None or case.pk is None:
        return found
    for provider in _case_locks:
        for lock in provider(case=case):
            found.setdefault(lock.field, lock)
    return found


def lock_value(value):
    """A field's value as a lock compares it (a model → its pk; a list → a sorted tuple)."""
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, (list, tuple)):
        return tuple(sorted(value))
    return value


_letter_contexts: list[Callable[..., dict]] = []


def register_letter_context(provider: Callable[..., dict]) -> None:
    """Add ``provider(*, case, kind, language) -> dict`` to every letter's template context (once). The base
    letter layout reads ``letter_extras`` (a list of ``{"heading", "lines"}``, plain text, autoescaped)
    and ``agent`` (``{"line"}``: who sends the letter on the requester's behalf). Either may instead carry
    ``templates`` (partial template names, the first that exists is included with the item as ``extra`` /
    ``agent``): the words then come from a partial per letter language, e.g. ``letters/<lang>/_x.html``."""
    if provider not in _letter_contexts:
        _letter_contexts.append(provider)


def letter_context_additions(*, case, kind: str, language: str) -> dict:
    context: dict = {"letter_extras": [], "agent": None}
    for provider in _letter_contexts:
        added = provider(case=case, kind=kind, language=language)
        extras = added.pop("letter_extras", [])
        context.update(added)
        context["letter_extras"] = context["letter_extras"] + list(extras)
    return context


@dataclass(frozen=True)
class LetterEnvelope:
    """What an app changes on a letter's email: the Reply-To (replacing the requester's), more CC and more
    attachments (outbox attachment dicts: filename, content_type, storage_name)."""

    reply_to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    attachments: tuple[dict, ...] = ()


_letter_envelopes: list[Callable[..., LetterEnvelope | None]] = []


def register_letter_envelope(provider: Callable[..., LetterEnvelope | None]) -> None:
    """Add ``provider(*, case, letter) -> LetterEnvelope | None`` to ``letter_send_email`` (once)."""
    if provider not in _letter_envelopes:
        _letter_envelopes.append(provider)


def letter_envelopes(*, case, letter) -> list[LetterEnvelope]:
    return [e for e in (provider(case=case, letter=letter) for provider in _letter_envelopes) if e is not None]


# --- The employee's case API sections and letter benches (the DPO's answer) ---

_case_api_sections: list[Callable[..., dict]] = []
_letter_benches: list[Callable[..., list[str]]] = []


def register_case_api_section(provider: Callable[..., dict]) -> None:
    """Add ``provider(*, case) -> dict`` to the employee's case detail in the API (once)."""
    if provider not in _case_api_sections:
        _case_api_sections.append(provider)


def case_api_sections(*, case) -> dict:
    sections: dict = {}
    for provider in _case_api_sections:
        sections.update(provider(case=case))
    return sections


def register_letter_bench(bench: Callable[..., list[str]]) -> None:
    """Add ``bench(*, cases, today) -> lines`` to ``bench letters`` (once)."""
    if bench not in _letter_benches:
        _letter_benches.append(bench)


def letter_benches() -> list[Callable[..., list[str]]]:
    return list(_letter_benches)
# --- Letters that are due (bulk letters) -------------------------------------------------------------------
# ``drafter(*, case, today) -> Letter | None``: the draft (or final letter) of a kind the app drafts when one
# is due for the case today, drafting it if needed (a write: call it from a task or a POST, never a GET);
# None when none is due. tracking registers the follow-up and the complaint; advocacy's bulk letters ask
# every drafter (advocacy and tracking sit on the same layer and do not import each other).
_due_letter_drafters: dict[str, Callable] = {}


def register_due_letter_drafter(kind: str, drafter: Callable) -> None:
    """The drafter of one letter kind's due letters (the last registration wins; one app owns a kind)."""
    _due_letter_drafters[kind] = drafter


def due_letter_drafters() -> dict[str, Callable]:
    """Kind → drafter, in registration order."""
    return dict(_due_letter_drafters)
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


_statistics_labellers: list[Callable[[str, str], str | None]] = []


def register_statistics_labeller(labeller: Callable[[str, str], str | None]) -> None:
    """``labeller(variable, language)`` → the label of a variable its app contributes (``item:…``,
    ``artefact:…``) in ``language``, or None when the variable is not its own or the language not known."""
    if labeller not in _statistics_labellers:
        _statistics_labellers.append(labeller)


def statistics_label(variable: str, language: str) -> str | None:
    """A contributed variable's label in ``language`` (the first labeller that knows it), or None."""
    for labeller in _statistics_labellers:
        label = labeller(variable, language)
        if label:
            return label
    return None
