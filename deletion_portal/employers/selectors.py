"""Reads for the employer directory: search by any name, one employer, its details with sources."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Lower

from deletion_portal.employers.models import Employer, Quality

QUERY_MAX = 100
QUERY_MIN = 2
LIMIT_MAX = 50


def search_query_normalize(query: str) -> str:
    """The query as search compares it: whitespace collapsed, capped at 100 characters, casefolded."""
    return " ".join((query or "")[: QUERY_MAX * 2].split())[:QUERY_MAX].casefold()


def employer_search(*, query: str, limit: int = 20) -> list[Employer]:
    """Employers any of whose names (legal or other) contain ``query``, ignoring case.

    Verified employers first, then by legal name. A query under two characters finds nothing; a
    longer one is cut at 100 characters; ``limit`` is kept between 1 and 50.
    """
    needle = search_query_normalize(query)
    if len(needle) < QUERY_MIN:
        return []
    limit = max(1, min(int(limit), LIMIT_MAX))
    # ``search_text`` holds the casefolded names, so a plain substring match is case-insensitive on
    # every database (including non-ASCII letters, which SQLite's LIKE would not fold).
    return list(
        Employer.objects.filter(search_text__contains=needle)
        .annotate(
            verified_first=Case(
                When(quality=Quality.VERIFIED, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("verified_first", Lower("legal_name"), "pk")[:limit]
    )


def employer_get(*, pk) -> Employer | None:
    """The employer with id ``pk``, or None. The directory is public: everyone may see every entry."""
    try:
        return Employer.objects.get(pk=int(pk))
    except (Employer.DoesNotExist, TypeError, ValueError, OverflowError):
        return None


@dataclass(frozen=True)
class ContactDetail:
    field: str
    label: str
    value: str
    href: str  # a safe link for the value ("" when it is not one)
    source: str
    source_href: str  # the source as a link when it is an http(s) address


DETAIL_LABELS = {
    "privacy_email": "Privacy email",
    "web_form_url": "Privacy web form",
    "postal_address": "Postal address",
    "preferred_language": "Preferred language",
    "demands_id": "Asks for an ID document",
}


def _http_link(text: str) -> str:
    text = (text or "").strip()
    lowered = text.lower()
    if (lowered.startswith("https://") or lowered.startswith("http://")) and not any(c.isspace() for c in text):
        return text
    return ""


def employer_contact_details(*, employer: Employer) -> list[ContactDetail]:
    """The details the directory holds about ``employer``, each with the source it came from."""
    sources = employer.sources if isinstance(employer.sources, dict) else {}
    details = []
    for field, label in DETAIL_LABELS.items():
        value = getattr(employer, field)
        if value in ("", None):
            continue
        href = ""
        if field == "privacy_email":
            href = f"mailto:{value}"
        elif field == "web_form_url":
            href = _http_link(value)
        if field == "demands_id":
            value = "Yes" if value else "No"
        source = str(sources.get(field) or "No source recorded")
        details.append(ContactDetail(field, label, str(value), href, source, _http_link(source)))
    return details
