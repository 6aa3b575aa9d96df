"""Writes for the employer directory: a person adds a missing employer; staff import a file.

Every write goes through :func:`employer_clean`, so the form, the importer and the demo loader
apply the same rules: names of at most 300 characters, a country the holiday tables know (ISO 3166
alpha-2), an email address Django accepts, a web form URL on http or https only, a language tag.

Contact details are only as good as their source: each one keeps the public source it came from in
``Employer.sources`` (field name -> source), so a person can judge them. An imported detail without a
cited source is refused ("ship no invented contact details"); a user's submission without a source is
kept, marked as such, with quality "submitted".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction

from deletion_portal.core.text import strip_bidi
from deletion_portal.employers.models import LEGAL_NAME_MAX, Employer, Quality
from deletion_portal.laws.regions import UnknownRegion, parse_region

NAME_MAX = LEGAL_NAME_MAX  # 300
OTHER_NAMES_MAX = 20
ADDRESS_MAX = 1000
EMAIL_MAX = 254
URL_MAX = 200  # Employer.web_form_url is a URLField(max_length=200)
SOURCE_MAX = 500
LANGUAGE_MAX = 8

#: The details that say how to reach an employer; each needs a source when imported.
CONTACT_FIELDS = ("postal_address", "privacy_email", "web_form_url")
#: Everything the directory claims about an employer beyond its names: each gets its source recorded.
DETAIL_FIELDS = (*CONTACT_FIELDS, "preferred_language", "demands_id")

NO_SOURCE = "Submitted by a user without a source"

#: The columns of an import file (CSV header / JSON keys).
IMPORT_COLUMNS = (
    "legal_name",
    "other_names",
    "country",
    "postal_address",
    "privacy_email",
    "web_form_url",
    "preferred_language",
    "demands_id",
    "quality",
    "source",
)

_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_http_url = URLValidator(schemes=["http", "https"], message="Enter a web address starting with https:// or http://.")


class DuplicateEmployer(ValidationError):
    """An employer with this legal name is already in the directory for this country."""


# --- cleaning ------------------------------------------------------------------------------------


def _one_line(value: str) -> str:
    """One line of text, without bidirectional controls (``core.text.strip_bidi``)."""
    return " ".join(strip_bidi(value).split())


def _text(errors: dict, name: str, value: Any, *, max_length: int, multiline: bool = False) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.setdefault(name, []).append("Expected text.")
        return ""
    if multiline:
        lines = [_one_line(line) for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
        value = "\n".join(line for line in lines if line)
    else:
        value = _one_line(value)
    if _CONTROL.search(value):
        errors.setdefault(name, []).append("Remove the control characters.")
    if len(value) > max_length:
        errors.setdefault(name, []).append(f"Use at most {max_length} characters (this has {len(value)}).")
    return value


def _other_names(errors: dict, value: Any, legal_name: str) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        errors.setdefault("other_names", []).append("Expected a list of names.")
        return []
    names: list[str] = []
    seen = {legal_name.casefold()}
    for raw in value:
        if not isinstance(raw, str):
            errors.setdefault("other_names", []).append("Every other name must be text.")
            continue
        name = _one_line(raw)
        if not name or name.casefold() in seen:
            continue
        if _CONTROL.search(name):
            errors.setdefault("other_names", []).append("Remove the control characters.")
        if len(name) > NAME_MAX:
            errors.setdefault("other_names", []).append(
                f"Each other name may have at most {NAME_MAX} characters ({name[:30]}… has {len(name)})."
            )
        seen.add(name.casefold())
        names.append(name)
    if len(names) > OTHER_NAMES_MAX:
        errors.setdefault("other_names", []).append(f"Give at most {OTHER_NAMES_MAX} other names.")
    return names


def _country(errors: dict, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        errors.setdefault("country", []).append("Choose the country where the employer is established.")
        return ""
    try:
        region = parse_region(value)
    except UnknownRegion:
        errors.setdefault("country", []).append(
            f"Unknown country {value.strip()[:20]!r}: use an ISO 3166 two-letter code such as DE, FR, GB, US."
        )
        return ""
    if region.subdivision:
        errors.setdefault("country", []).append(
            f"Use the country code alone ({region.country}), not a state or province ({region.code})."
        )
        return ""
    return region.country


def _email(errors: dict, value: Any) -> str:
    email = _text(errors, "privacy_email", value, max_length=EMAIL_MAX)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.setdefault("privacy_email", []).append("Enter a valid email address, such as privacy@example.com.")
    return email


def _url(errors: dict, value: Any) -> str:
    url = _text(errors, "web_form_url", value, max_length=URL_MAX)
    if url:
        try:
            _http_url(url)
        except ValidationError as exc:
            errors.setdefault("web_form_url", []).extend(exc.messages)
    return url


def _language(errors: dict, value: Any) -> str:
    language = _text(errors, "preferred_language", value, max_length=LANGUAGE_MAX).lower().replace("_", "-")
    if language and not _LANGUAGE.match(language):
        errors.setdefault("preferred_language", []).append("Use a language code such as de, fr, pt-br.")
    return language


def _demands_id(errors: dict, value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    errors.setdefault("demands_id", []).append("Expected true, false or nothing (unknown).")
    return None


def _quality(errors: dict, value: Any) -> str:
    quality = value.strip().lower() if isinstance(value, str) else value
    if quality not in Quality.values:
        errors.setdefault("quality", []).append(
            f"Unknown quality {str(value)[:20]!r}: use one of {', '.join(Quality.values)}."
        )
        return Quality.UNVERIFIED
    return quality


def employer_clean(
    *,
    legal_name: Any,
    country: Any,
    other_names: Any = (),
    postal_address: Any = "",
    privacy_email: Any = "",
    web_form_url: Any = "",
    preferred_language: Any = "",
    demands_id: Any = None,
    source: Any = "",
) -> dict[str, Any]:
    """The normalised values, or ``ValidationError`` with a message list per field."""
    errors: dict[str, list[str]] = {}
    name = _text(errors, "legal_name", legal_name, max_length=NAME_MAX)
    if not name and "legal_name" not in errors:
        errors["legal_name"] = ["Enter the employer's legal name."]
    cleaned = {
        "legal_name": name,
        "other_names": _other_names(errors, other_names, name),
        "country": _country(errors, country),
        "postal_address": _text(errors, "postal_address", postal_address, max_length=ADDRESS_MAX, multiline=True),
        "privacy_email": _email(errors, privacy_email),
        "web_form_url": _url(errors, web_form_url),
        "preferred_language": _language(errors, preferred_language),
        "demands_id": _demands_id(errors, demands_id),
        "source": _text(errors, "source", source, max_length=SOURCE_MAX),
    }
    if errors:
        raise ValidationError({key: [ValidationError(m) for m in messages] for key, messages in errors.items()})
    return cleaned


def _given_details(cleaned: Mapping[str, Any]) -> list[str]:
    return [name for name in DETAIL_FIELDS if cleaned.get(name) not in ("", None)]


def employer_find(*, legal_name: str, country: str) -> list[Employer]:
    """Employers whose legal name equals ``legal_name`` ignoring case (casefold) in ``country``."""
    key = _one_line(legal_name).casefold()
    candidates = Employer.objects.filter(country=country, search_text__startswith=key)
    return [employer for employer in candidates if employer.legal_name.casefold() == key]


# --- a person adds a missing employer ------------------------------------------------------------


@transaction.atomic
def employer_submit(
    *,
    added_by,
    legal_name: str,
    country: str,
    other_names: Iterable[str] = (),
    postal_address: str = "",
    privacy_email: str = "",
    web_form_url: str = "",
    preferred_language: str = "",
    source: str = "",
) -> Employer:
    """Add an employer a person could not find. Quality "submitted"; each given detail's source is
    the person's ``source``, or :data:`NO_SOURCE`. Raises ``ValidationError`` (``DuplicateEmployer``
    when the legal name is already listed for that country)."""
    cleaned = employer_clean(
        legal_name=legal_name,
        country=country,
        other_names=list(other_names),
        postal_address=postal_address,
        privacy_email=privacy_email,
        web_form_url=web_form_url,
        preferred_language=preferred_language,
        source=source,
    )
    if employer_find(legal_name=cleaned["legal_name"], country=cleaned["country"]):
        raise DuplicateEmployer(
            {"legal_name": ["This employer is already in the directory for this country: search for it by name."]}
        )
    source_text = cleaned.pop("source") or NO_SOURCE
    employer = Employer(
        **cleaned,
        sources={name: source_text for name in _given_details(cleaned)},
        quality=Quality.SUBMITTED,
        added_by=added_by if getattr(added_by, "is_authenticated", False) else None,
    )
    employer.save()
    return employer


# --- staff import a file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    field: str  # a column name, or "" for the row as a whole
    message: str

    def __str__(self) -> str:
        where = f"{self.field}: " if self.field else ""
        return f"row {self.row}: {where}{self.message}"


@dataclass
class RowResult:
    row: int
    legal_name: str
    country: str
    action: str  # "created", "updated", "unchanged" or "error"
    errors: list[RowError] = field(default_factory=list)

    def __str__(self) -> str:
        label = f"{self.legal_name or '(no name)'}" + (f" ({self.country})" if self.country else "")
        if self.errors:
            return "\n".join(
                f"row {self.row}: error in {label}: " + (f"{e.field}: {e.message}" if e.field else e.message)
                for e in self.errors
            )
        return f"row {self.row}: {self.action} {label}"


@dataclass
class ImportReport:
    dry_run: bool
    rows: list[RowResult] = field(default_factory=list)

    def _count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def created(self) -> int:
        return self._count("created")

    @property
    def updated(self) -> int:
        return self._count("updated")

    @property
    def unchanged(self) -> int:
        return self._count("unchanged")

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def saved(self) -> bool:
        """Whether the rows were written: never on a dry run, never when any row has an error."""
        return self.ok and not self.dry_run

    def summary(self) -> str:
        counts = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if not self.ok:
            bad = len({error.row for error in self.errors})
            return f"{bad} row(s) with errors; nothing was imported. Valid rows would give: {counts}."
        if self.dry_run:
            return f"Dry run, nothing was saved. The import would give: {counts}."
        return f"Imported {len(self.rows)} row(s): {counts}."


def _row_value(row: Mapping[str, Any], key: str, default: Any = "") -> Any:
    value = row.get(key, default)
    return default if value is None else value


def _import_row(row_number: int, row: Any, seen: dict[tuple[str, str], int]) -> RowResult:
    if not isinstance(row, Mapping):
        return RowResult(row_number, "", "", "error", [RowError(row_number, "", "Expected an object with named fields.")])
    name_hint = row.get("legal_name") if isinstance(row.get("legal_name"), str) else ""
    result = RowResult(row_number, _one_line(name_hint)[:NAME_MAX], _country({}, row.get("country")), "error")
    unknown = sorted(str(key) for key in row if key not in IMPORT_COLUMNS)
    if unknown:
        result.errors.append(
            RowError(row_number, "", f"Unknown field(s) {', '.join(unknown)}; expected {', '.join(IMPORT_COLUMNS)}.")
        )
    errors: dict[str, list[str]] = {}
    raw_quality = _row_value(row, "quality")
    quality = _quality(errors, raw_quality) if raw_quality != "" else None
    try:
        cleaned = employer_clean(
            legal_name=_row_value(row, "legal_name"),
            country=_row_value(row, "country"),
            other_names=_row_value(row, "other_names", []),
            postal_address=_row_value(row, "postal_address"),
            privacy_email=_row_value(row, "privacy_email"),
            web_form_url=_row_value(row, "web_form_url"),
            preferred_language=_row_value(row, "preferred_language"),
            demands_id=row.get("demands_id"),
            source=_row_value(row, "source"),
        )
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, []).extend(messages)
        cleaned = None
    # Checked even when other cells are wrong, so one run shows every problem of the row.
    basis = cleaned if cleaned is not None else {
        key: value.strip() if isinstance(value, str) else value for key, value in row.items()
    }
    details = _given_details(basis)
    if details and not basis.get("source") and "source" not in errors:
        errors["source"] = [
            f"Cite the public source of {', '.join(details)}: the directory ships no invented contact details."
        ]
    for key, messages in errors.items():
        result.errors.extend(RowError(row_number, key, message) for message in messages)
    if result.errors or cleaned is None:
        return result

    key = (cleaned["legal_name"].casefold(), cleaned["country"])
    if key in seen:
        result.errors.append(RowError(row_number, "legal_name", f"The same employer as row {seen[key]}."))
        return result
    seen[key] = row_number

    matches = employer_find(legal_name=cleaned["legal_name"], country=cleaned["country"])
    if len(matches) > 1:
        ids = ", ".join(str(employer.pk) for employer in matches)
        result.errors.append(
            RowError(row_number, "legal_name", f"Matches {len(matches)} employers (ids {ids}); merge them in the admin first.")
        )
        return result

    source = cleaned.pop("source")
    details = _given_details(cleaned)
    if not matches:
        employer = Employer(
            **cleaned,
            sources={name: source for name in details},
            quality=quality or Quality.UNVERIFIED,
        )
        employer.save()
        result.action = "created"
        return result

    # An update: the given values replace the stored ones; empty cells keep what is stored.
    employer = matches[0]
    changed: list[str] = []
    for name, value in cleaned.items():
        if name in ("country",):
            continue
        if name != "legal_name" and value in ("", None, []):
            continue
        if getattr(employer, name) != value:
            setattr(employer, name, value)
            changed.append(name)
    sources = dict(employer.sources or {})
    for name in details:
        sources[name] = source
    if sources != (employer.sources or {}):
        employer.sources = sources
        changed.append("sources")
    if quality and quality != employer.quality:
        employer.quality = quality
        changed.append("quality")
    if changed:
        employer.save(update_fields=[*changed, "updated_at"])
        result.action = "updated"
    else:
        result.action = "unchanged"
    return result


def employer_import(
    *, rows: Iterable[Mapping[str, Any]], dry_run: bool, row_numbers: Sequence[int] | None = None
) -> ImportReport:
    """Create or update employers from ``rows`` (mappings with :data:`IMPORT_COLUMNS` keys).

    All or nothing: when any row has an error, or on a dry run, every write is rolled back and the
    report says what would have happened. Rows are numbered 1, 2, … unless ``row_numbers`` gives
    their numbers in the file (a CSV file's rows as a spreadsheet numbers them). A row matches an existing
    employer by its legal name (ignoring case) and country; the row's non-empty values replace the
    stored ones and the row's ``source`` becomes the source of each detail it gives. ``quality`` is
    optional (new employers default to "unverified"). ``demands_id`` is true, false or empty.
    """
    report = ImportReport(dry_run=dry_run)
    seen: dict[tuple[str, str], int] = {}
    with transaction.atomic():
        rows = list(rows)
        numbers = list(row_numbers) if row_numbers is not None else list(range(1, len(rows) + 1))
        if len(numbers) != len(rows):
            raise ValueError("row_numbers must give one number per row.")
        for number, row in zip(numbers, rows, strict=True):
            report.rows.append(_import_row(number, row, seen))
        if not report.saved:
            transaction.set_rollback(True)
    return report
