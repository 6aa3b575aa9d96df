"""What the letters need to know about a law, as fields of its record: ``letters`` and ``complaint_routing``.

The registry validates them like every other field (errors name the file and the field); the letter and
tracking code reads them instead of comparing law keys.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deletion_portal.laws.registry import DATA_DIR, RecordError, all_regimes, get_regime, load_record


def _raw(key: str) -> dict:
    return json.loads((DATA_DIR / f"{key}.json").read_text(encoding="utf-8"))


def _write(tmp_path: Path, raw: dict) -> Path:
    path = tmp_path / f"{raw['key']}.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


# --- The records --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "family", "languages", "citation_style", "date_style", "gdpr_text", "routing"),
    [
        # Art. 77 GDPR: any competent EU/EEA authority; letters in the languages written so far.
        ("eu-gdpr", "gdpr", ("en", "de", "fr", "es", "it", "nl"), "gdpr_articles", "day_month_year", "eu", "eu_art77"),
        # UK GDPR Arts 22A–22D; the ICO is the one authority.
        ("uk-gdpr", "gdpr", ("en",), "as_written", "day_month_year", "uk", "single_authority"),
        # CCPA / 11 CCR §7021: its own letter family; US dates.
        ("us-ca-ccpa", "ccpa", ("en", "es"), "as_written", "month_day_year", None, "single_authority"),
        # CQLR c P-39.1: written in French, cited as RLRQ.
        ("ca-qc-law25", "generic", ("en", "fr"), "cqlr_sections", "day_month_year", None, "single_authority"),
        # Lei 13.709/2018 (LGPD): written in Portuguese.
        ("br-lgpd", "generic", ("en", "pt"), "lgpd_articles", "day_month_year", None, "single_authority"),
        ("ca-pipeda", "generic", ("en",), "as_written", "day_month_year", None, "single_authority"),
        ("us-va-vcdpa", "generic", ("en",), "as_written", "month_day_year", None, "single_authority"),
    ],
)
def test_it_records_what_the_letters_need(key, family, languages, citation_style, date_style, gdpr_text, routing):
    regime = get_regime(key)
    assert regime.letters.family == family
    assert regime.letters.languages == languages
    assert regime.letters.citation_style == citation_style
    assert regime.letters.date_style == date_style
    assert regime.letters.gdpr_text == gdpr_text
    assert regime.complaint_routing == routing


def test_only_the_eu_gdpr_routes_complaints_under_art_77():
    assert [r.key for r in all_regimes() if r.complaint_routing == "eu_art77"] == ["eu-gdpr"]


@pytest.mark.parametrize(
    ("key", "citation"),
    [("in-dpdp", "DPDP Act 2023, s.7(i)"), ("au-privacy", "Privacy Act 1988 (Cth), s.7B(3)")],  # LEGAL.md §3 item 14
)
def test_it_cites_the_employment_exemption_where_one_exists(key, citation):
    assert get_regime(key).letters.employment_exemption_citation == citation


def test_quebec_names_its_rights_in_french_its_own_way():
    facts = get_regime("ca-qc-law25").letters
    assert facts.local_language == "fr"
    names = {n.code: n for n in facts.local_right_names}
    assert names["objection"].name == "Droit à la cessation de la diffusion et de l'utilisation"
    assert names["objection"].subject_word == "cessation"


# --- Validation ----------------------------------------------------------------------------------------


def _family_unknown(raw):
    raw["letters"]["family"] = "lgpd"


def _english_not_first(raw):
    raw["letters"]["languages"] = ["de", "en"]


def _language_twice(raw):
    raw["letters"]["languages"] = ["en", "de", "de"]


def _language_code(raw):
    raw["letters"]["languages"] = ["en", "German"]


def _local_language_not_offered(raw):
    raw["letters"]["local_language"] = "pt"


def _local_language_empty(raw):
    raw["letters"]["local_language"] = ""


def _gdpr_without_text(raw):
    raw["letters"]["gdpr_text"] = None


def _generic_with_gdpr_text(raw):
    raw["letters"]["family"] = "generic"


def _citation_style(raw):
    raw["letters"]["citation_style"] = "bluebook"


def _date_style(raw):
    raw["letters"]["date_style"] = "year_month_day"


def _routing(raw):
    raw["complaint_routing"] = "any_authority"


def _letters_missing(raw):
    del raw["letters"]


def _names_without_language(raw):
    raw["letters"]["local_right_names"] = [{"code": "access", "name": "Auskunftsrecht"}]


def _name_for_a_right_not_listed(raw):
    raw["letters"]["local_language"] = "de"
    raw["letters"]["local_right_names"] = [{"code": "opt_out_sharing", "name": "Widerspruch gegen Verkauf"}]


def _name_twice(raw):
    raw["letters"]["local_language"] = "de"
    raw["letters"]["local_right_names"] = [{"code": "access", "name": "Auskunft"}, {"code": "access", "name": "Kopie"}]


@pytest.mark.parametrize(
    ("mutate", "where", "problem"),
    [
        (_family_unknown, "letters.family", "must be one of 'gdpr', 'ccpa', 'generic'"),
        (_english_not_first, "letters.languages", "English"),
        (_language_twice, "letters.languages", "twice"),
        (_language_code, "letters.languages[1]", "language code"),
        (_local_language_not_offered, "letters.local_language", "one of letters.languages"),
        (_local_language_empty, "letters.local_language", "must not be empty"),
        (_gdpr_without_text, "letters.gdpr_text", "which GDPR text"),
        (_generic_with_gdpr_text, "letters.gdpr_text", "must set null"),
        (_citation_style, "letters.citation_style", "must be one of"),
        (_date_style, "letters.date_style", "must be one of"),
        (_routing, "complaint_routing", "'eu_art77', 'single_authority'"),
        (_letters_missing, "letters", "missing required field"),
        (_names_without_language, "letters.local_right_names", "local_language"),
        (_name_for_a_right_not_listed, "letters.local_right_names[0].code", "does not list the right"),
        (_name_twice, "letters.local_right_names[1].code", "named twice"),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else None,
)
def test_it_rejects_a_bad_letters_field_naming_the_file_and_the_field(tmp_path, mutate, where, problem):
    raw = _raw("eu-gdpr")
    mutate(raw)
    path = _write(tmp_path, raw)
    with pytest.raises(RecordError) as caught:
        load_record(path)
    assert caught.value.path == path
    assert caught.value.where == where
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"{path}: {where}: ")


@pytest.mark.parametrize("regime", all_regimes(), ids=lambda r: r.key)
def test_every_language_a_record_offers_has_its_letter_templates(regime):
    """A record may only offer a letter language the templates are written in (with its family's asks)."""
    from django.template.loader import get_template

    from deletion_portal.cases.letter_texts import LANGUAGES

    for lang in regime.letters.languages:
        assert lang in LANGUAGES
        get_template(f"letters/{lang}/request.html")
        get_template(f"letters/{lang}/_asks_{regime.letters.family}.html")
