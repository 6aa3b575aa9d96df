"""The law records (laws/data/<key>.json) and the registry that loads and strictly validates them.

Every fact in the records comes from LEGAL.md with its citation and mark; these tests pin the shape
and the encodings the deadline module relies on.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import date
from pathlib import Path

import pytest

from deletion_portal.laws.registry import (
    DATA_DIR,
    RecordError,
    UnknownRegime,
    all_regimes,
    get_regime,
    load_record,
    regime_keys,
    regimes_load,
    weakest_verification,
)
from deletion_portal.laws.types import RIGHT_CODES, Regime

PRIMARY = (
    "eu-gdpr", "uk-gdpr", "us-ca-ccpa", "ca-pipeda", "ca-qc-law25", "br-lgpd", "ch-fadp", "kr-pipa",
    "jp-appi", "cn-pipl", "in-dpdp", "au-privacy", "us-il-bipa",
)
# LEGAL.md §1 "other comprehensive state privacy laws": "consumer" excludes the employment context.
EXCLUDED_STATES = {
    "us-va-vcdpa": "US-VA", "us-co-cpa": "US-CO", "us-ct-ctdpa": "US-CT", "us-ut-ucpa": "US-UT",
    "us-tx-tdpsa": "US-TX", "us-or-ocpa": "US-OR", "us-ia-icdpa": "US-IA", "us-in-icdpa": "US-IN",
    "us-tn-tipa": "US-TN", "us-mt-mcdpa": "US-MT", "us-de-dpdpa": "US-DE", "us-nh-nhpa": "US-NH",
    "us-nj-njdpa": "US-NJ", "us-ne-ndpa": "US-NE", "us-ky-kcdpa": "US-KY", "us-md-modpa": "US-MD",
    "us-mn-mcdpa": "US-MN", "us-ri-ridtppa": "US-RI",
}
EU_EEA = {
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT",
    "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
}


def _all_objects(regime: Regime):
    """Every dataclass inside a regime (rights, periods, rules, clauses, ...)."""
    stack = [regime]
    while stack:
        obj = stack.pop()
        if dataclasses.is_dataclass(obj):
            yield obj
            stack.extend(getattr(obj, f.name) for f in dataclasses.fields(obj))
        elif isinstance(obj, tuple):
            stack.extend(obj)


# --- The records ------------------------------------------------------------------------------------


def test_it_loads_every_record_in_registry_order():
    keys = regime_keys()
    assert keys[: len(PRIMARY)] == PRIMARY
    assert keys[len(PRIMARY):] == tuple(sorted(EXCLUDED_STATES))
    assert len(all_regimes()) == 31
    assert sorted(p.stem for p in DATA_DIR.glob("*.json")) == sorted(keys)


def test_it_loads_the_records_once_per_process():
    assert all_regimes() is all_regimes()
    assert get_regime("eu-gdpr") is all_regimes()[0]


def test_it_names_the_valid_keys_for_an_unknown_regime():
    with pytest.raises(UnknownRegime) as error:
        get_regime("xx-nope")
    assert "eu-gdpr" in str(error.value) and "us-va-vcdpa" in str(error.value)


@pytest.mark.parametrize("regime", all_regimes(), ids=lambda r: r.key)
def test_it_gives_every_rule_a_citation_and_a_mark(regime):
    for obj in _all_objects(regime):
        if hasattr(obj, "citation"):
            assert obj.citation.strip(), f"{regime.key}: {obj!r} has no citation"
        if hasattr(obj, "verification"):
            assert obj.verification in ("checked", "secondary", "verify")


@pytest.mark.parametrize("regime", all_regimes(), ids=lambda r: r.key)
def test_it_computes_the_regime_mark_as_the_weakest_of_its_rules(regime):
    assert regime.verification == weakest_verification(regime)
    assert regime.reviewed == date(2026, 11, 29)


@pytest.mark.parametrize("regime", all_regimes(), ids=lambda r: r.key)
def test_it_uses_only_known_right_codes_once_each(regime):
    codes = [right.code for right in regime.rights]
    assert set(codes) <= set(RIGHT_CODES)
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("regime", all_regimes(), ids=lambda r: r.key)
def test_it_has_exactly_one_of_a_period_or_no_fixed_period_unless_excluded(regime):
    if regime.coverage.status == "excluded":
        assert regime.response is None and regime.no_fixed_period is None
    else:
        assert (regime.response is None) != (regime.no_fixed_period is None)


@pytest.mark.parametrize(
    "key, status",
    [
        pytest.param("eu-gdpr", "covered", id="GDPR Art. 88: employees fully covered"),
        pytest.param("uk-gdpr", "covered", id="UK GDPR: rights as in the EU"),
        pytest.param("us-ca-ccpa", "covered", id="CCPA §1798.145(m) exemption expired 2023"),
        pytest.param("ca-pipeda", "partial", id="PIPEDA: federally regulated employers only"),
        pytest.param("ca-qc-law25", "covered", id="Quebec CQLR c P-39.1"),
        pytest.param("br-lgpd", "covered", id="LGPD Arts 18, 20"),
        pytest.param("ch-fadp", "covered", id="revFADP Art. 25"),
        pytest.param("kr-pipa", "covered", id="PIPA"),
        pytest.param("jp-appi", "covered", id="APPI Arts 32-35"),
        pytest.param("cn-pipl", "covered", id="PIPL Arts 44-48"),
        pytest.param("in-dpdp", "partial", id="DPDP s.7(i) employment purposes"),
        pytest.param("au-privacy", "partial", id="Privacy Act s.7B(3) employee records"),
        pytest.param("us-il-bipa", "partial", id="BIPA §10 keystrokes not listed"),
        *[pytest.param(key, "excluded", id=f"{key} consumer excludes employment") for key in EXCLUDED_STATES],
    ],
)
def test_it_records_employee_coverage(key, status):
    assert get_regime(key).coverage.status == status


@pytest.mark.parametrize("key, region", sorted(EXCLUDED_STATES.items()))
def test_it_says_plainly_that_a_state_law_does_not_help_an_employee_and_what_may(key, region):
    regime = get_regime(key)
    reason = regime.coverage.reason
    assert "employment" in reason and "consumer" in reason
    assert "California" in reason and "policy" in reason and "union" in reason
    assert regime.rights == ()
    assert regime.response is None and regime.no_fixed_period is None and regime.extension is None
    assert regime.regions == (region,) and regime.countries == ()


def test_it_marks_the_state_exclusions_as_legal_md_does():
    # LEGAL.md: [secondary for VA, CO, UT, CT, TX; verify for the rest]
    secondary = {"us-va-vcdpa", "us-co-cpa", "us-ut-ucpa", "us-ct-ctdpa", "us-tx-tdpsa"}
    for key in EXCLUDED_STATES:
        expected = "secondary" if key in secondary else "verify"
        assert get_regime(key).coverage.verification == expected, key


def test_it_notes_the_colorado_ai_act():
    notes = get_regime("us-co-cpa").notes
    assert any("C.R.S. §6-1-1701" in note.citation and note.verification == "verify" for note in notes)


def test_it_names_the_ccpa_right_to_know_as_access():
    ccpa = get_regime("us-ca-ccpa")
    assert ccpa.right("access").name == "Right to know"
    assert ccpa.right("erasure").name == "Right to delete"
    assert ccpa.right("rectification").name == "Right to correct"
    assert {r.code for r in ccpa.rights} == {"access", "erasure", "rectification", "opt_out_sharing", "limit_sensitive"}


def test_it_lists_the_27_eu_states_and_the_eea_for_the_gdpr():
    assert set(get_regime("eu-gdpr").countries) == EU_EEA
    assert len(get_regime("eu-gdpr").countries) == 30


@pytest.mark.parametrize(
    "key, count, unit, counting, citation, mark",
    [
        pytest.param("eu-gdpr", 1, "months", "calendar_months", "Art. 12(3) GDPR", "checked", id="GDPR Art. 12(3)"),
        pytest.param("uk-gdpr", 1, "months", "calendar_months", "Art. 12A UK GDPR (Data (Use and Access) Act 2025)", "checked", id="UK GDPR Art. 12A"),
        pytest.param("us-ca-ccpa", 45, "days", "days_including_start", "11 CCR §7021(b)", "checked", id="CCPA 11 CCR §7021(b)"),
        pytest.param("ca-pipeda", 30, "days", "days_excluding_start", "PIPEDA s.8(3)", "checked", id="PIPEDA s.8(3)"),
        pytest.param("ca-qc-law25", 30, "days", "days_excluding_start", "CQLR c P-39.1, s.32", "verify", id="Quebec s.32"),
        pytest.param("br-lgpd", 15, "days", "days_excluding_start", "Lei 13.709/2018, Art. 19", "checked", id="LGPD Art. 19"),
        pytest.param("ch-fadp", 30, "days", "days_excluding_start", "Art. 18(1) Data Protection Ordinance (SR 235.11)", "verify", id="FADP Ordinance Art. 18(1)"),
        pytest.param("kr-pipa", 10, "days", "days_excluding_start", "Personal Information Protection Act (Republic of Korea)", "verify", id="PIPA 10 days"),
    ],
)
def test_it_encodes_each_response_period(key, count, unit, counting, citation, mark):
    period = get_regime(key).response
    assert (period.count, period.unit, period.counting, period.citation, period.verification) == (
        count, unit, counting, citation, mark,
    )


@pytest.mark.parametrize(
    "key, roll_forward_citation",
    [
        ("eu-gdpr", "Art. 3(4) Regulation (EEC, Euratom) No 1182/71; EDPB Guidelines 01/2022"),
        ("ca-pipeda", "Interpretation Act, R.S.C. 1985, c. I-21, ss. 26, 35(1)–(2)"),
        ("br-lgpd", "Civil Code (Brazil) Art. 132"),
        (
            "ch-fadp",
            "Art. 78(1) Code of Obligations (SR 220) via Art. 7 Civil Code (SR 210); Art. 1 Federal Act on the "
            "Calculation of Time Limits Including Saturdays (SR 173.110.3)",
        ),
    ],
)
def test_it_cites_the_rule_that_moves_an_end_off_a_holiday(key, roll_forward_citation):
    period = get_regime(key).response
    assert period.roll_forward and period.roll_forward_citation == roll_forward_citation


@pytest.mark.parametrize(
    "key, non_working_days",
    [
        pytest.param("ca-pipeda", "ca_interpretation_act_holidays", id="PIPEDA: Interpretation Act ss. 26, 35 holidays, not Saturdays"),
        pytest.param("ch-fadp", "weekends_and_public_holidays", id="FADP: CO Art. 78(1), SR 173.110.3 Art. 1 (Saturdays)"),
        pytest.param("eu-gdpr", "weekends_and_public_holidays", id="GDPR: Regulation 1182/71 Art. 3(4)"),
    ],
)
def test_it_names_the_days_an_end_moves_off(key, non_working_days):
    regime = get_regime(key)
    assert regime.response.non_working_days == non_working_days
    if regime.extension is not None:
        assert regime.extension.period.non_working_days == non_working_days


def test_it_shows_the_civ_code_10_reading_beside_the_ccpa_regulation():
    # 11 CCR §7021(b) (receipt is day one, no roll) is the portal's reading; Civ. Code §§10, 12a the other.
    regime = get_regime("us-ca-ccpa")
    for period in (regime.response, regime.extension.period):
        assert (period.counting, period.roll_forward) == ("days_including_start", False)
        other = period.other_reading
        assert other is not None and other.label == "under Civ. Code §10"
        assert (other.counting, other.roll_forward, other.citation) == ("days_excluding_start", True, "Cal. Civ. Code §§10, 12a")


@pytest.mark.parametrize(
    "key, count, unit, measured_from, citation",
    [
        pytest.param("eu-gdpr", 3, "months", "start", "Art. 12(3) GDPR", id="GDPR Art. 12(3): three months in all"),
        pytest.param("uk-gdpr", 3, "months", "start", "Art. 12A UK GDPR (Data (Use and Access) Act 2025); ICO guidance", id="UK: three months from the start (ICO)"),
        pytest.param("us-ca-ccpa", 90, "days", "start", "Cal. Civ. Code §1798.130(a)(2)", id="CCPA §1798.130(a)(2): 90 days in all"),
        pytest.param("ca-pipeda", 30, "days", "original_end", "PIPEDA s.8(4)", id="PIPEDA s.8(4): 30 more days"),
    ],
)
def test_it_encodes_each_extension(key, count, unit, measured_from, citation):
    extension = get_regime(key).extension
    assert (extension.period.count, extension.period.unit, extension.measured_from, extension.citation) == (
        count, unit, measured_from, citation,
    )
    assert extension.notice_by == "original_end"


@pytest.mark.parametrize("key, fragment", [("ca-qc-law25", "s.32"), ("ch-fadp", "18(2)")])
def test_it_says_why_there_is_no_extension(key, fragment):
    regime = get_regime(key)
    assert regime.extension is None and fragment in regime.extension_none_reason


def test_it_starts_the_uk_clock_at_the_relevant_time_and_pauses_for_clarification():
    uk = get_regime("uk-gdpr")
    assert uk.start_events == ("identity_received", "fee_paid")
    assert "latest" in uk.start_rule.text
    (pause,) = uk.pauses
    assert (pause.starts_on, pause.ends_on, pause.rights, pause.verification) == (
        "clarification_requested", "clarification_received", ("access",), "secondary",
    )
    assert uk.right("automated_decisions").citation == "Arts 22A–22D UK GDPR"


def test_it_encodes_the_ccpa_acknowledgement_and_day_one_interpretation():
    ccpa = get_regime("us-ca-ccpa")
    assert (ccpa.acknowledgement.count, ccpa.acknowledgement.counting, ccpa.acknowledgement.citation) == (
        10, "business_days", "11 CCR §7021(a)",
    )
    assert any("Civ. Code §10" in note.text and "day one" in note.text for note in ccpa.notes)
    assert any("Keystroke" in note.text and note.verification == "checked" for note in ccpa.notes)


@pytest.mark.parametrize(
    "key, days, basis_fragment",
    [
        pytest.param("jp-appi", 14, "Art. 39", id="APPI Art. 39: lawsuit after 2 weeks"),
        pytest.param("cn-pipl", 30, "GB/T 35273-2020 §8.7", id="PIPL: recommended standard, non-binding"),
        pytest.param("in-dpdp", 30, "suggestion", id="DPDP: no period in force"),
        pytest.param("au-privacy", 30, "OAIC", id="APP 12: generally 30 days"),
        pytest.param("us-il-bipa", 30, "suggestion", id="BIPA: no request right"),
    ],
)
def test_it_gives_only_a_labelled_suggestion_where_no_period_is_fixed(key, days, basis_fragment):
    regime = get_regime(key)
    assert regime.response is None and regime.extension is None
    assert regime.no_fixed_period.suggested_follow_up_days == days
    assert basis_fragment in regime.no_fixed_period.suggestion_basis


def test_it_says_the_chinese_15_working_days_was_a_dropped_draft():
    assert any("2021 draft" in note.text for note in get_regime("cn-pipl").notes)


def test_it_gives_bipa_no_request_rights():
    bipa = get_regime("us-il-bipa")
    assert bipa.rights == ()
    assert "§15(a)" in bipa.no_fixed_period.reason and "§20" in bipa.no_fixed_period.reason


@pytest.mark.parametrize("regime", all_regimes(), ids=lambda r: r.key)
def test_it_gives_every_regime_an_authority_marked_verify(regime):
    assert regime.authority.url.startswith("https://")
    assert regime.authority.verification == "verify"


# --- Strict validation ------------------------------------------------------------------------------


def _raw(key: str) -> dict:
    return json.loads((DATA_DIR / f"{key}.json").read_text(encoding="utf-8"))


def _write(tmp_path: Path, raw: dict, name: str | None = None) -> Path:
    path = tmp_path / (name or f"{raw['key']}.json")
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def test_it_loads_an_unchanged_copy(tmp_path):
    assert load_record(_write(tmp_path, _raw("eu-gdpr"))) == get_regime("eu-gdpr")


def _unknown_field(raw):
    raw["rights"][0]["colour"] = "red"


def _bad_date(raw):
    raw["reviewed"] = "2026-02-30"


def _date_not_iso(raw):
    raw["reviewed"] = "29/11/2026"


def _unknown_right(raw):
    raw["rights"][1]["code"] = "forget_me"


def _duplicate_right(raw):
    raw["rights"][1]["code"] = raw["rights"][0]["code"]


def _missing_citation(raw):
    del raw["response"]["citation"]


def _empty_citation(raw):
    raw["fee"]["citation"] = "  "


def _bad_mark(raw):
    raw["rights"][0]["verification"] = "probably"


def _bad_counting(raw):
    raw["response"]["counting"] = "lunar_months"


def _wrong_unit(raw):
    raw["response"]["unit"] = "days"


def _wrong_type(raw):
    raw["response"]["count"] = "1"


def _stated_mark_disagrees(raw):
    raw["verification"] = "checked"


def _both_periods_null(raw):
    raw["response"] = None


def _both_periods_set(raw):
    raw["no_fixed_period"] = {
        "reason": "x", "citation": "y", "suggested_follow_up_days": 30, "suggestion_basis": "z", "verification": "verify",
    }


def _bad_country(raw):
    raw["countries"][0] = "Germany"


def _bad_clause_region(raw):
    raw["applicability"][0]["employer_countries"] = ["US-CA"]


def _empty_clause(raw):
    raw["applicability"][0] = {"reason": "always", "citation": "none", "verification": "verify"}


def _unknown_event(raw):
    raw["start_events"] = ["moon_full"]


def _missing_top_level(raw):
    del raw["fee"]


def _answer_words_missing_a_language(raw):
    raw["employer_actions"]["words"] = [w for w in raw["employer_actions"]["words"] if w["language"] != "it"]


def _answer_words_in_english(raw):
    raw["employer_actions"]["words"][0]["language"] = "en"


def _answer_words_missing_a_ground(raw):
    raw["employer_actions"]["words"][0]["retention_grounds"].pop()


def _answer_words_missing_a_rule(raw):
    del raw["employer_actions"]["words"][0]["anonymity"]


@pytest.mark.parametrize(
    "mutate, where, fragment",
    [
        # Every further letter language of a law has the answer's law words (issue 9: the response letter).
        (_answer_words_missing_a_language, "employer_actions.words", "'it'"),
        (_answer_words_in_english, "employer_actions.words[0].language", "not a further letter language"),
        (_answer_words_missing_a_ground, "employer_actions.words[0].retention_grounds", "each code"),
        (_answer_words_missing_a_rule, "employer_actions.words[0].anonymity", "give it in 'de'"),
        (_unknown_field, "rights[0].colour", "unknown field"),
        (_bad_date, "reviewed", "not a real date"),
        (_date_not_iso, "reviewed", "YYYY-MM-DD"),
        (_unknown_right, "rights[1].code", "unknown right code"),
        (_duplicate_right, "rights[1].code", "twice"),
        (_missing_citation, "response.citation", "missing"),
        (_empty_citation, "fee.citation", "empty"),
        (_bad_mark, "rights[0].verification", "must be one of"),
        (_bad_counting, "response.counting", "must be one of"),
        (_wrong_unit, "response.unit", "calendar_months"),
        (_wrong_type, "response.count", "integer"),
        (_stated_mark_disagrees, "verification", "weakest"),
        (_both_periods_null, "response", "exactly one"),
        (_both_periods_set, "response", "exactly one"),
        (_bad_country, "countries[0]", "country code"),
        (_bad_clause_region, "applicability[0].employer_countries[0]", "country code"),
        (_empty_clause, "applicability[0]", "at least one"),
        (_unknown_event, "start_events[0]", "must be one of"),
        (_missing_top_level, "fee", "missing"),
    ],
    ids=lambda value: value.__name__.strip("_") if callable(value) else None,
)
def test_it_rejects_a_broken_record_naming_the_file_and_field(tmp_path, mutate, where, fragment):
    raw = copy.deepcopy(_raw("eu-gdpr"))
    mutate(raw)
    path = _write(tmp_path, raw)
    with pytest.raises(RecordError) as error:
        load_record(path)
    message = str(error.value)
    assert "eu-gdpr.json" in message
    assert f": {where}: " in message
    assert fragment in message
    assert error.value.where == where


def test_it_rejects_a_file_not_named_after_its_key(tmp_path):
    path = _write(tmp_path, _raw("eu-gdpr"), name="gdpr.json")
    with pytest.raises(RecordError, match=r"gdpr\.json: key: the file must be named eu-gdpr\.json"):
        load_record(path)


def test_it_rejects_an_excluded_record_that_grants_rights_or_a_period(tmp_path):
    raw = _raw("us-va-vcdpa")
    raw["response"] = _raw("ca-pipeda")["response"]
    with pytest.raises(RecordError, match=r"us-va-vcdpa\.json: response: an excluded regime"):
        load_record(_write(tmp_path, raw))
    raw = _raw("us-va-vcdpa")
    raw["rights"] = [{"code": "access", "name": "x", "citation": "y", "verification": "verify"}]
    with pytest.raises(RecordError, match=r"us-va-vcdpa\.json: rights: an excluded regime"):
        load_record(_write(tmp_path, raw))


def test_it_rejects_a_fixed_period_without_extension_or_reason(tmp_path):
    raw = _raw("ca-qc-law25")
    raw["extension_none_reason"] = ""
    with pytest.raises(RecordError, match=r"ca-qc-law25\.json: extension_none_reason: "):
        load_record(_write(tmp_path, raw))


def test_it_rejects_invalid_json_and_duplicate_keys(tmp_path):
    broken = tmp_path / "eu-gdpr.json"
    broken.write_text('{"key": "eu-gdpr",', encoding="utf-8")
    with pytest.raises(RecordError, match=r"eu-gdpr\.json: \(top level\): not valid JSON"):
        load_record(broken)
    broken.write_text('{"key": "eu-gdpr", "key": "uk-gdpr"}', encoding="utf-8")
    with pytest.raises(RecordError, match=r"eu-gdpr\.json: key: this key appears twice"):
        load_record(broken)


def test_it_loads_a_data_directory_in_registry_order(tmp_path):
    for key in ("us-va-vcdpa", "eu-gdpr", "us-il-bipa"):
        _write(tmp_path, _raw(key))
    assert [r.key for r in regimes_load(data_dir=tmp_path)] == ["eu-gdpr", "us-il-bipa", "us-va-vcdpa"]


def test_it_rejects_an_empty_or_missing_data_directory(tmp_path):
    with pytest.raises(RecordError, match="no <key>.json records"):
        regimes_load(data_dir=tmp_path)
    with pytest.raises(RecordError, match="does not exist"):
        regimes_load(data_dir=tmp_path / "nowhere")
