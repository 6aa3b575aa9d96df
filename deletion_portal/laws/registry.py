"""The law records: one JSON file per regime in ``laws/data/``, loaded into the dataclasses of types.py.

Rules as data: adding a regime means adding ``data/<key>.json`` (and tests), never a branch in code.
Only the standard library is used: ``json`` reads the file and a small converter driven by the
dataclass field types builds the frozen dataclasses.

Validation is strict; any problem raises :class:`RecordError` naming the file and the JSON path of the
bad field (e.g. ``eu-gdpr.json: rights[2].code: ...``):

- Shape: every JSON object has exactly the fields of its dataclass (a field with a default, such as
  ``notes`` or ``Period.roll_forward``, may be left out); no unknown or duplicate keys; strings,
  integers, booleans, lists and nulls where the types say so; ``reviewed`` is a ``YYYY-MM-DD`` date;
  literal fields (verification marks, coverage statuses, ``CountingMethod``, event kinds, units) take
  only their listed values.
- The file is named ``<key>.json``.
- Every citation, reason and text is non-empty (only ``Authority.note``, ``Period.roll_forward_citation``
  when ``roll_forward`` is false, and ``extension_none_reason`` may be empty).
- Right codes (in ``rights`` and in ``pauses[].rights``) are in ``RIGHT_CODES``; a regime lists each
  right once.
- Country codes are two upper-case letters, region codes look like ``US-CA``.
- A period's ``non_working_days`` names the days an end moves off (``laws.regions.NON_WORKING_DAYS``).
- A period's ``other_reading`` (a second way to count it, the later date being used) has a counting
  method that fits the period's unit and cites its roll-forward rule when it rolls.
- A period's ``unit`` fits its ``counting`` (months ↔ calendar_months, business_days ↔ business_days,
  days ↔ the two day methods); counts are positive.
- **Response rule**: exactly one of ``response`` / ``no_fixed_period`` is set, *unless*
  ``coverage.status`` is ``"excluded"``: then both are null, ``rights`` is empty and ``extension`` is
  null (a law whose "consumer" excludes employees gives an employee no rights, so no period applies).
- A regime with a fixed response period either has an ``extension`` (and ``extension_none_reason`` is
  ``""``) or says in ``extension_none_reason`` why there is none.
- Every applicability clause sets at least one positive condition.
- ``letters`` (what the letters need): ``languages`` lists two-letter lower-case codes, English first,
  each once; ``local_language`` is null or one of ``languages``; the ``gdpr`` family says which
  ``gdpr_text`` it cites (``eu`` / ``uk``) and no other family sets one; ``local_right_names`` need a
  ``local_language`` and name only rights the regime lists, each once. ``complaint_routing`` is
  ``eu_art77`` or ``single_authority``. Code reads these fields; it never compares a law key.
- ``employer_actions`` (what an employer's team may do, ``dpo.services``): null exactly for an excluded
  regime; ``actions`` lists each action once and ``extend`` exactly when there is an ``extension``; a
  regime that allows ``refuse`` lists its grounds; identity questions and grounds have unique codes;
  ``answer`` (optional: what a complete answer contains) lists at least one access item, codes unique.
- ``verification`` is the weakest mark anywhere in the record (checked < secondary < verify). The file
  states it, so a reader of the JSON sees it; the registry computes it and rejects a file whose stated
  value disagrees, so it cannot drift when a rule's mark changes.

Order: the regimes in ``PRIMARY_ORDER`` first, then every other record (the US state laws that
exclude employees) alphabetically by key.
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from deletion_portal.laws.types import (
    RIGHT_CODES,
    ApplicabilityClause,
    Extension,
    NoFixedPeriod,
    OtherReading,
    Pause,
    Period,
    Regime,
)

DATA_DIR = Path(__file__).resolve().parent / "data"

PRIMARY_ORDER: tuple[str, ...] = (
    "eu-gdpr",
    "uk-gdpr",
    "us-ca-ccpa",
    "ca-pipeda",
    "ca-qc-law25",
    "br-lgpd",
    "ch-fadp",
    "kr-pipa",
    "jp-appi",
    "cn-pipl",
    "in-dpdp",
    "au-privacy",
    "us-il-bipa",
)

#: Weakest last.
VERIFICATION_ORDER: tuple[str, ...] = ("checked", "secondary", "verify")

_COUNTRY = re.compile(r"^[A-Z]{2}$")
_REGION = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
_KEY = re.compile(r"^[a-z]{2}(-[a-z0-9]+)+$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_MAY_BE_EMPTY = {"note", "roll_forward_citation", "extension_none_reason", "warning"}
_UNIT_FOR_COUNTING = {
    "calendar_months": "months",
    "days_excluding_start": "days",
    "days_including_start": "days",
    "business_days": "business_days",
}


class UnknownRegime(LookupError):
    """No record has this key; the message lists the valid keys."""


class RecordError(ValueError):
    """A law record is broken; the message names the file and the JSON path of the bad field."""

    def __init__(self, path: Path, where: str, problem: str) -> None:
        self.path = path
        self.where = where
        self.problem = problem
        super().__init__(f"{path}: {where or '(top level)'}: {problem}")


class _Bad(Exception):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(where, problem)
        self.where = where
        self.problem = problem


# --- Loading --------------------------------------------------------------------------------------


def load_record(path: Path) -> Regime:
    """Read and strictly validate one ``<key>.json`` file (see the module docstring)."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_no_duplicate_keys)
    except OSError as exc:
        raise RecordError(path, "", f"cannot read the file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise RecordError(path, "", "the file is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise RecordError(path, "", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except _Bad as bad:
        raise RecordError(path, bad.where, bad.problem) from None
    try:
        regime = _convert(raw, Regime, "")
        _check(regime, path)
    except _Bad as bad:
        raise RecordError(path, bad.where, bad.problem) from None
    return regime


def regimes_load(*, data_dir: Path | None = None) -> tuple[Regime, ...]:
    """Load and validate every ``*.json`` record in ``data_dir`` (default: ``laws/data/``), in registry
    order. Not cached: the management command and tests call it; the site uses :func:`all_regimes`."""
    directory = Path(data_dir) if data_dir is not None else DATA_DIR
    if not directory.is_dir():
        raise RecordError(directory, "", "the law data directory does not exist")
    regimes = [load_record(path) for path in sorted(directory.glob("*.json"))]
    if not regimes:
        raise RecordError(directory, "", "the law data directory holds no <key>.json records")
    return tuple(sorted(regimes, key=_order))


@cache
def all_regimes() -> tuple[Regime, ...]:
    """Every law record, validated once per process."""
    return regimes_load()


@cache
def _by_key() -> dict[str, Regime]:
    return {regime.key: regime for regime in all_regimes()}


def regime_keys() -> tuple[str, ...]:
    return tuple(regime.key for regime in all_regimes())


def get_regime(key: str) -> Regime:
    try:
        return _by_key()[key]
    except (KeyError, TypeError):
        raise UnknownRegime(f"Unknown law {key!r}. Valid keys: {', '.join(regime_keys())}.") from None


def reference_data_summary(*, data_dir: Path | None = None) -> list[str]:
    """Load and validate every record (raising :class:`RecordError` on the first broken one) and
    describe each in one line: key, employee coverage, verification mark; then a count."""
    regimes = regimes_load(data_dir=data_dir)
    width = max(len(regime.key) for regime in regimes)
    lines = [
        f"{regime.key:<{width}}  employees: {regime.coverage.status:<8}  verification: {regime.verification}"
        for regime in regimes
    ]
    lines.append(f"{len(regimes)} law records loaded and valid.")
    return lines


def weakest_verification(regime: Regime) -> str:
    """The weakest verification mark anywhere in the record (ignoring its own ``verification``)."""
    marks = [obj.verification for where, obj in _walk(regime, "") if where and hasattr(obj, "verification")]
    return max(marks, key=VERIFICATION_ORDER.index, default="verify")


def _order(regime: Regime) -> tuple[int, str]:
    if regime.key in PRIMARY_ORDER:
        return (PRIMARY_ORDER.index(regime.key), regime.key)
    return (len(PRIMARY_ORDER), regime.key)


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _Bad(key, "this key appears twice in the same object")
        result[key] = value
    return result


# --- The generic converter --------------------------------------------------------------------------


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _describe(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "an integer",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _convert(value: Any, tp: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        if value is None and len(options) < len(typing.get_args(tp)):
            return None
        if len(options) != 1:  # pragma: no cover - the contract has no such unions
            raise TypeError(f"unsupported union {tp!r}")
        return _convert(value, options[0], where)
    if value is None:
        raise _Bad(where, "must not be null")
    if origin is Literal:
        allowed = typing.get_args(tp)
        if not isinstance(value, str) or value not in allowed:
            raise _Bad(where, f"must be one of {', '.join(repr(a) for a in allowed)}, got {value!r}")
        return value
    if origin is tuple:
        if not isinstance(value, list):
            raise _Bad(where, f"must be a list, got {_describe(value)}")
        (item_type, _ellipsis) = typing.get_args(tp)
        return tuple(_convert(item, item_type, f"{where}[{i}]") for i, item in enumerate(value))
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, where)
    if tp is date:
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise _Bad(where, f"must be a date written YYYY-MM-DD, got {value!r}")
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise _Bad(where, f"is not a real date: {value!r}") from None
    if tp is bool:
        if not isinstance(value, bool):
            raise _Bad(where, f"must be true or false, got {_describe(value)}")
        return value
    if tp is int:
        if not isinstance(value, int) or isinstance(value, bool):
            raise _Bad(where, f"must be an integer, got {_describe(value)}")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise _Bad(where, f"must be a string, got {_describe(value)}")
        return value
    raise TypeError(f"unsupported field type {tp!r}")  # pragma: no cover


def _build(cls: type, value: Any, where: str) -> Any:
    if not isinstance(value, dict):
        raise _Bad(where, f"must be an object ({cls.__name__}), got {_describe(value)}")
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise _Bad(_join(where, unknown[0]), f"unknown field for {cls.__name__} (known: {', '.join(fields)})")
    hints = _hints(cls)
    kwargs = {}
    for name, f in fields.items():
        if name not in value:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise _Bad(_join(where, name), f"missing required field of {cls.__name__}")
            continue
        kwargs[name] = _convert(value[name], hints[name], _join(where, name))
    return cls(**kwargs)


def _walk(obj: Any, where: str):
    """Yield ``(json_path, dataclass_instance)`` for ``obj`` and every dataclass inside it."""
    if dataclasses.is_dataclass(obj):
        yield where, obj
        for f in dataclasses.fields(obj):
            yield from _walk(getattr(obj, f.name), _join(where, f.name))
    elif isinstance(obj, tuple):
        for i, item in enumerate(obj):
            yield from _walk(item, f"{where}[{i}]")


# --- Rules beyond the shape -------------------------------------------------------------------------


def _check(regime: Regime, path: Path) -> None:
    if path.name != f"{regime.key}.json":
        raise _Bad("key", f"the file must be named {regime.key}.json (the key), not {path.name}")
    if not _KEY.match(regime.key):
        raise _Bad("key", f"must look like 'eu-gdpr' or 'us-ca-ccpa', got {regime.key!r}")

    for where, obj in _walk(regime, ""):
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if isinstance(value, str) and not value.strip() and f.name not in _MAY_BE_EMPTY:
                raise _Bad(_join(where, f.name), "must not be empty")
        if isinstance(obj, Period):
            _check_period(obj, where)
            if obj.other_reading is not None:
                _check_other_reading(obj.other_reading, obj, f"{where}.other_reading")
        elif isinstance(obj, Pause):
            for i, code in enumerate(obj.rights):
                _check_right_code(code, f"{where}.rights[{i}]")
        elif isinstance(obj, ApplicabilityClause):
            _check_clause(obj, where)
        elif isinstance(obj, NoFixedPeriod) and obj.suggested_follow_up_days < 1:
            raise _Bad(f"{where}.suggested_follow_up_days", "must be at least 1")

    if not regime.countries and not regime.regions:
        raise _Bad("countries", "a regime needs at least one country or region")
    _check_codes(regime.countries, "countries", _COUNTRY, "a two-letter upper-case country code like DE")
    _check_codes(regime.regions, "regions", _REGION, "a region code like US-CA")

    seen: set[str] = set()
    for i, right in enumerate(regime.rights):
        _check_right_code(right.code, f"rights[{i}].code")
        if right.code in seen:
            raise _Bad(f"rights[{i}].code", f"the right {right.code!r} is listed twice")
        seen.add(right.code)

    _check_periods(regime)
    _check_letters(regime)
    _check_employer_actions(regime)

    if not regime.applicability:
        raise _Bad("applicability", "a regime needs at least one applicability clause")

    computed = weakest_verification(regime)
    if regime.verification != computed:
        raise _Bad(
            "verification",
            f"states {regime.verification!r} but the weakest mark among its rules is {computed!r}",
        )


def _check_periods(regime: Regime) -> None:
    if regime.coverage.status == "excluded":
        if regime.response is not None or regime.no_fixed_period is not None:
            raise _Bad("response", "an excluded regime gives an employee no rights: response and no_fixed_period must both be null")
        if regime.rights:
            raise _Bad("rights", "an excluded regime gives an employee no rights: rights must be []")
        if regime.extension is not None:
            raise _Bad("extension", "an excluded regime has no extension: it must be null")
        return
    if (regime.response is None) == (regime.no_fixed_period is None):
        raise _Bad("response", "exactly one of response / no_fixed_period must be set")
    if regime.response is not None:
        if regime.extension is None and not regime.extension_none_reason.strip():
            raise _Bad("extension_none_reason", "say why there is no extension (or give an extension)")
    if regime.extension is not None:
        if regime.extension_none_reason:
            raise _Bad("extension_none_reason", "must be empty when there is an extension")
        if regime.response is None:
            raise _Bad("extension", "an extension needs a fixed response period to extend")
        _check_extension(regime.extension, regime.response)


def _check_letters(regime: Regime) -> None:
    letters = regime.letters
    _check_codes(letters.languages, "letters.languages", _LANGUAGE, "a two-letter lower-case language code like de")
    if not letters.languages or letters.languages[0] != "en":
        raise _Bad("letters.languages", "must list English (\"en\") first: every regime's letter exists in English")
    if letters.local_language is not None and letters.local_language not in letters.languages:
        raise _Bad("letters.local_language", f"must be null or one of letters.languages ({', '.join(letters.languages)}), "
                                              f"got {letters.local_language!r}")
    if (letters.family == "gdpr") != (letters.gdpr_text is not None):
        raise _Bad("letters.gdpr_text", "the gdpr family must say which GDPR text it cites (\"eu\" or \"uk\"); "
                                        f"the {letters.family!r} family must set null")
    if letters.local_right_names and letters.local_language is None:
        raise _Bad("letters.local_right_names", "local right names need a letters.local_language to be written in")
    listed = {right.code for right in regime.rights}
    for i, bundle in enumerate(letters.bundles):
        if not re.fullmatch(r"[a-z][a-z_]*", bundle.bundle):
            raise _Bad(f"letters.bundles[{i}].bundle", f"must be a bundle code like erase_training, got {bundle.bundle!r}")
        if [b.bundle for b in letters.bundles].count(bundle.bundle) > 1:
            raise _Bad(f"letters.bundles[{i}].bundle", f"the bundle {bundle.bundle!r} is listed twice")
        if not bundle.rights or len(set(bundle.rights)) != len(bundle.rights):
            raise _Bad(f"letters.bundles[{i}].rights", "list at least one right, each once")
        for j, code in enumerate(bundle.rights):
            _check_right_code(code, f"letters.bundles[{i}].rights[{j}]")
            if code not in listed:
                raise _Bad(f"letters.bundles[{i}].rights[{j}]", f"the regime does not list the right {code!r} in rights")
    for i, words in enumerate(letters.words):
        if words.language not in letters.languages:
            raise _Bad(f"letters.words[{i}].language", f"must be one of letters.languages ({', '.join(letters.languages)})")
        if [w.language for w in letters.words].count(words.language) > 1:
            raise _Bad(f"letters.words[{i}].language", f"the language {words.language!r} is listed twice")
        for j, local in enumerate(words.right_names):
            _check_right_code(local.code, f"letters.words[{i}].right_names[{j}].code")
            if local.code not in listed:
                raise _Bad(f"letters.words[{i}].right_names[{j}].code",
                           f"the regime does not list the right {local.code!r} in rights")
    seen: set[str] = set()
    for i, local in enumerate(letters.local_right_names):
        where = f"letters.local_right_names[{i}].code"
        _check_right_code(local.code, where)
        if local.code not in listed:
            raise _Bad(where, f"the regime does not list the right {local.code!r} in rights")
        if local.code in seen:
            raise _Bad(where, f"the right {local.code!r} is named twice")
        seen.add(local.code)


def _check_employer_actions(regime: Regime) -> None:
    actions = regime.employer_actions
    if regime.coverage.status == "excluded":
        if actions is not None:
            raise _Bad("employer_actions", "an excluded regime gives an employee no rights: employer_actions must be null")
        return
    if actions is None:
        raise _Bad("employer_actions", "say which actions the law knows for an employer's answer")
    if len(set(actions.actions)) != len(actions.actions):
        raise _Bad("employer_actions.actions", "list each action once")
    if ("extend" in actions.actions) != (regime.extension is not None):
        raise _Bad("employer_actions.actions", "list \"extend\" exactly when the regime has an extension")
    if "refuse" in actions.actions and not actions.refusal_grounds:
        raise _Bad("employer_actions.refusal_grounds", "a regime that allows a refusal lists its grounds")
    if not actions.identity.questions:
        raise _Bad("employer_actions.identity.questions", "offer at least one proportionate question")
    lists = [("identity.questions", actions.identity.questions), ("refusal_grounds", actions.refusal_grounds)]
    if actions.answer is not None:
        if not actions.answer.access_items:
            raise _Bad("employer_actions.answer.access_items", "list the items a complete access answer gives")
        lists += [("answer.access_items", actions.answer.access_items),
                  ("answer.retention_grounds", actions.answer.retention_grounds)]
    for name, items in lists:
        codes = [item.code for item in items]
        if len(set(codes)) != len(codes):
            raise _Bad(f"employer_actions.{name}", "each code once")
    _check_answer_words(regime)


_ANSWER_RULE_NAMES = ("recipients_notification", "objection", "restriction_while_assessed", "anonymity")


def _check_answer_words(regime: Regime) -> None:
    """Every letter language but English has the answer's law words, each item of the English record once."""
    actions = regime.employer_actions
    wanted = [lang for lang in regime.letters.languages if lang != "en"]
    given = [w.language for w in actions.words]
    for i, lang in enumerate(given):
        if lang not in wanted:
            raise _Bad(f"employer_actions.words[{i}].language",
                       f"{lang!r} is not a further letter language of the regime (those: {', '.join(wanted) or 'none'})")
        if given.count(lang) > 1:
            raise _Bad(f"employer_actions.words[{i}].language", f"{lang!r} is given twice")
    for lang in wanted:
        if lang not in given:
            raise _Bad("employer_actions.words", f"the letters exist in {lang!r}: give the answer's words in {lang!r}")
    for i, words in enumerate(actions.words):
        where = f"employer_actions.words[{i}]"
        lists = [("refusal_grounds", actions.refusal_grounds, words.refusal_grounds)]
        if actions.answer is not None:
            lists += [("access_items", actions.answer.access_items, words.access_items),
                      ("retention_grounds", actions.answer.retention_grounds, words.retention_grounds)]
            for name in _ANSWER_RULE_NAMES:
                if getattr(words, name) is None:
                    raise _Bad(f"{where}.{name}", f"the record's answer has this rule: give it in {words.language!r}")
        for name, english, local in lists:
            codes, local_codes = [item.code for item in english], [item.code for item in local]
            if sorted(codes) != sorted(local_codes) or len(set(local_codes)) != len(local_codes):
                raise _Bad(f"{where}.{name}", f"give each code of employer_actions's {name} once: {', '.join(codes)}")


def _check_extension(extension: Extension, response: Period) -> None:
    if extension.measured_from == "start" and extension.period.unit == response.unit:
        if extension.period.count <= response.count:
            raise _Bad("extension.period.count", "an extension measured from the start must be longer than the response period")


def _check_period(period: Period, where: str) -> None:
    if period.count < 1:
        raise _Bad(f"{where}.count", "must be at least 1")
    expected = _UNIT_FOR_COUNTING[period.counting]
    if period.unit != expected:
        raise _Bad(f"{where}.unit", f"counting {period.counting!r} needs unit {expected!r}, got {period.unit!r}")
    if period.roll_forward and not period.roll_forward_citation.strip():
        raise _Bad(f"{where}.roll_forward_citation", "cite the rule that moves an end off a non-working day")


def _check_other_reading(reading: OtherReading, period: Period, where: str) -> None:
    expected = _UNIT_FOR_COUNTING[reading.counting]
    if period.unit != expected:
        raise _Bad(f"{where}.counting", f"counting {reading.counting!r} does not fit the period's unit {period.unit!r}")
    if reading.roll_forward and not reading.roll_forward_citation.strip():
        raise _Bad(f"{where}.roll_forward_citation", "cite the rule that moves an end off a non-working day")


def _check_clause(clause: ApplicabilityClause, where: str) -> None:
    positive = (clause.work_countries, clause.work_regions, clause.residence_countries,
                clause.residence_regions, clause.employer_countries)
    if not any(positive):
        raise _Bad(where, "an applicability clause must set at least one country or region condition")
    for name in ("work_countries", "residence_countries", "employer_countries"):
        _check_codes(getattr(clause, name), f"{where}.{name}", _COUNTRY, "a two-letter upper-case country code")
    for name in ("work_regions", "residence_regions", "not_work_regions"):
        _check_codes(getattr(clause, name), f"{where}.{name}", _REGION, "a region code like US-CA")


def _check_codes(codes: tuple[str, ...], where: str, pattern: re.Pattern[str], what: str) -> None:
    for i, code in enumerate(codes):
        if not pattern.match(code):
            raise _Bad(f"{where}[{i}]", f"must be {what}, got {code!r}")
    if len(set(codes)) != len(codes):
        raise _Bad(where, "lists a code twice")


def _check_right_code(code: str, where: str) -> None:
    if code not in RIGHT_CODES:
        raise _Bad(where, f"unknown right code {code!r} (known: {', '.join(RIGHT_CODES)})")


__all__ = [
    "DATA_DIR",
    "PRIMARY_ORDER",
    "RecordError",
    "UnknownRegime",
    "all_regimes",
    "get_regime",
    "load_record",
    "reference_data_summary",
    "regime_keys",
    "regimes_load",
    "weakest_verification",
]
