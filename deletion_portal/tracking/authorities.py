"""Supervisory authorities: where a complaint goes, and the complaint page to use.

UNVERIFIED DATA. ``data/eu_authorities.json`` lists every EU/EEA supervisory authority — the 27 EU
member states (for Germany the federal BfDI), Iceland, Liechtenstein and Norway, plus the 16 German
Land authorities (Germany is federal: a private employer falls under the Land authority of its
establishment, BDSG §40). It was compiled from memory, not re-checked against the authorities' own
sites or the EDPB members page, so every entry carries ``verification: "verify"``. Where the address of
the complaint page was not known with confidence the entry gives the authority's home page and sets
``complaint_url_is_home_page: true``; a reviewer should replace those with the real complaint pages.

Routing:

The law record says which (``complaint_routing``; :func:`routes_under_art77` reads it):

* ``eu_art77`` — EU GDPR (Art. 77): the person may complain to the authority of their habitual residence, their place
  of work, or the place of the alleged infringement. :func:`authority_choices` offers those three,
  place of work first (suggested), deduplicated.
* ``single_authority`` — every other regime has one authority, in its law record (``Regime.authority``): the UK ICO, the
  California CPPA, the Canadian OPC, Quebec's CAI, Brazil's ANPD, the Swiss FDPIC, Korea's PIPC, …
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

from deletion_portal.laws.registry import UnknownRegime, get_regime

DATA_FILE = Path(__file__).resolve().parent / "data" / "eu_authorities.json"

#: Words in a URL's path that mark a complaint page rather than a home page (for the regimes' records).
_COMPLAINT_WORDS = ("complain", "concern", "plainte", "beschwerde", "reclam", "klacht", "denuncia")


@dataclass(frozen=True)
class Authority:
    """A supervisory authority a complaint can be sent to."""

    key: str  # "FR", "DE-BY", "DE" (the BfDI) for the EU list; the regime's law key for the other regimes
    name: str
    website: str
    complaint_url: str
    complaint_url_is_home_page: bool
    verification: str
    country: str = ""
    region: str = ""
    note: str = ""


@dataclass(frozen=True)
class AuthorityChoice:
    """One authority the person may complain to, with the grounds (Art. 77) that make it competent."""

    authority: Authority
    grounds: tuple[str, ...] = field(default_factory=tuple)  # "place of work", "habitual residence", …
    suggested: bool = False

    @property
    def key(self) -> str:
        return self.authority.key


class UnknownAuthority(LookupError):
    pass


@cache
def eu_authorities() -> tuple[Authority, ...]:
    """Every EU/EEA authority of the data file, in the file's order (countries, then German Länder)."""
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    items = []
    for row in raw["authorities"]:
        items.append(Authority(
            key=row["key"], name=row["name"], website=row["website"], complaint_url=row["complaint_url"],
            complaint_url_is_home_page=bool(row["complaint_url_is_home_page"]), verification=row["verification"],
            country=row["country"], region=row["region"], note=row.get("note", ""),
        ))
    return tuple(items)


def routes_under_art77(law_key: str) -> bool:
    """Whether a complaint under ``law_key`` may go to any competent EU/EEA authority under Art. 77 GDPR
    (the record's ``complaint_routing`` is ``eu_art77``); False: the regime's one authority. False for an
    empty or unknown key."""
    try:
        return get_regime(law_key).complaint_routing == "eu_art77"
    except UnknownRegime:
        return False


def eu_authority(key: str) -> Authority:
    for authority in eu_authorities():
        if authority.key == key:
            return authority
    raise UnknownAuthority(f"No EU/EEA authority {key[:20]!r}.")


def eu_countries() -> frozenset[str]:
    return frozenset(a.country for a in eu_authorities())


def _regime_authority(law_key: str) -> Authority:
    regime = get_regime(law_key)
    record = regime.authority
    path = urlparse(record.url).path.lower()
    is_home = not any(word in path for word in _COMPLAINT_WORDS)
    website = f"{urlparse(record.url).scheme}://{urlparse(record.url).netloc}/"
    return Authority(
        key=law_key, name=record.name, website=website, complaint_url=record.url, complaint_url_is_home_page=is_home,
        verification=record.verification, country=(regime.countries or ("",))[0],
        region=(regime.regions or ("",))[0], note=record.note,
    )


def _eu_authority_for(country: str, region: str = "") -> Authority | None:
    country = (country or "").strip().upper()
    region = (region or "").strip().upper()
    if country not in eu_countries():
        return None
    if country == "DE" and region.startswith("DE-"):
        try:
            return eu_authority(region)
        except UnknownAuthority:
            pass
    return eu_authority(country)


def _infringement_place(case) -> tuple[str, str]:
    """The employer's establishment: its country, and the case's holiday region when it lies there."""
    country = (case.employer_country or (case.employer.country if case.employer_id else "") or "").upper()
    region = (case.region or "").upper()
    return country, region if region.startswith(f"{country}-") else ""


def authority_choices(case) -> list[AuthorityChoice]:
    """Where this case's complaint may go. EU (Art. 77): place of work (suggested, first), habitual
    residence, place of the infringement (the employer's establishment), deduplicated. Every other
    regime: its one authority."""
    if not routes_under_art77(case.law_key):
        return [AuthorityChoice(authority=_regime_authority(case.law_key), grounds=("the law's authority",), suggested=True)]
    places = [
        ("place of work", case.work_country, case.work_region),
        ("habitual residence", case.residence_country, case.residence_region),
        ("place of the infringement", *_infringement_place(case)),
    ]
    grounds: dict[str, list[str]] = {}
    found: dict[str, Authority] = {}
    for ground, country, region in places:
        authority = _eu_authority_for(country, region)
        if authority is None:
            continue
        found.setdefault(authority.key, authority)
        grounds.setdefault(authority.key, []).append(ground)
    return [
        AuthorityChoice(authority=found[key], grounds=tuple(grounds[key]), suggested=index == 0)
        for index, key in enumerate(found)
    ]


def suggested_authority(case) -> Authority:
    choices = authority_choices(case)
    if choices:
        return choices[0].authority
    raise UnknownAuthority("No EU/EEA place is recorded for this case; choose the authority yourself.")


def authority_for_case(case, key: str | None) -> Authority:
    """The authority ``key`` if this case may complain to it (one of its choices; for an EU case with no
    recorded EU/EEA place, any EU/EEA authority), else UnknownAuthority. ``None``: the suggested one."""
    if key is None or key == "":
        return suggested_authority(case)
    choices = authority_choices(case)
    for choice in choices:
        if choice.key == key:
            return choice.authority
    if routes_under_art77(case.law_key) and not choices:
        return eu_authority(key)
    raise UnknownAuthority(f"{key[:20]!r} is not an authority this complaint can go to.")
