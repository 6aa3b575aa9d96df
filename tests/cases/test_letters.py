"""The request letter: languages per regime, the context, the per-language templates, escaping, PDF."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date

import pytest

from deletion_portal.accounts.models import User
from deletion_portal.cases import letters
from deletion_portal.cases.letters import (
    LANGUAGES,
    TEMPLATE_VERSION,
    default_language,
    format_date,
    letter_context,
    letter_footer,
    letter_html,
    letter_languages,
    letter_metadata,
    local_citation,
)
from deletion_portal.cases.models import Case
from deletion_portal.employers.models import Employer
from deletion_portal.laws.deadlines import compute_deadlines
from deletion_portal.laws.registry import get_regime

TODAY = date(2026, 3, 5)  # a Thursday; a GDPR month from it ends on Easter Sunday 5 April 2026

#: Every (law, language) pair a letter exists for, and a holiday region for its deadline.
REGIONS = {
    "eu-gdpr": "DE-BE",
    "uk-gdpr": "GB-ENG",
    "us-ca-ccpa": "US-CA",
    "ca-pipeda": "CA-ON",
    "ca-qc-law25": "CA-QC",
    "br-lgpd": "BR",
    "ch-fadp": "CH-ZH",
    "kr-pipa": "KR",
    "jp-appi": "JP",
    "cn-pipl": "CN",
    "in-dpdp": "IN",
    "au-privacy": "AU-NSW",
}
PAIRS = [(law, lang) for law in REGIONS for lang in letter_languages(law)]


def text_of(markup: str) -> str:
    """The visible text of the letter: tags removed, entities decoded, whitespace collapsed."""
    body = re.sub(r"<title>.*?</title>", " ", markup, flags=re.S)
    body = re.sub(r"</?strong>", "", body)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


@pytest.fixture
def owner(db):
    return User.objects.create_user(email="jana@example.org", password="a long enough passphrase 42")


def make_case(owner, law, lang, *, rights=None, employer=None, **fields) -> Case:
    regime = get_regime(law)
    employer = employer or Employer.objects.create(
        legal_name="Kestrel Datenwerk GmbH",
        country="DE",
        postal_address="Hauptstraße 1\n10115 Berlin",
        privacy_email="datenschutz@kestrel.example",
    )
    if rights is None:
        rights = [code for code in ("access", "objection", "restriction", "erasure") if regime.right(code)]
        rights = rights or [regime.rights[0].code]
    values = dict(
        owner=owner,
        employer=employer,
        law_key=law,
        language=lang,
        region=REGIONS.get(law, ""),
        rights=rights,
        categories=["keystrokes", "mouse_movements", "trained_models"],
        requester_name="Jana Kowalczyk",
        requester_address="Lindenweg 7\n12345 Musterstadt",
        requester_email="jana.private@example.org",
        employee_id="E-4711",
        job_title="Data Analyst",
        employment_start=date(2021, 2, 1),
        employment_end=date(2026, 1, 31),
    )
    values.update(fields)
    return Case.objects.create(**values)


# --- Languages --------------------------------------------------------------------------------------


def test_it_offers_english_everywhere_and_local_languages_where_written():
    assert LANGUAGES == {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español", "it": "Italiano",
                         "nl": "Nederlands", "pt": "Português"}
    assert letter_languages("eu-gdpr") == ["en", "de", "fr", "es", "it", "nl"]
    assert letter_languages("ca-qc-law25") == ["en", "fr"]
    assert letter_languages("br-lgpd") == ["en", "pt"]
    assert letter_languages("us-ca-ccpa") == ["en", "es"]  # issue 12: a Spanish CCPA letter
    for law in ("uk-gdpr", "jp-appi", "ca-pipeda", "ch-fadp"):
        assert letter_languages(law) == ["en"]


@pytest.mark.parametrize(
    ("law", "employer_language", "employer_country", "expected"),
    [
        ("eu-gdpr", "de", "FR", "de"),  # the employer's preference wins when offered
        ("eu-gdpr", "DE-at", "", "de"),
        ("eu-gdpr", "pt", "PT", "en"),  # no Portuguese GDPR letter; Portugal's language not offered either
        ("eu-gdpr", "pt", "ES", "es"),  # preference not offered -> the country's language
        ("eu-gdpr", "", "AT", "de"),
        ("eu-gdpr", "", "BE", "fr"),
        ("eu-gdpr", "", "IT", "it"),
        ("eu-gdpr", "", "NL", "nl"),
        ("eu-gdpr", "", "PL", "en"),
        ("eu-gdpr", "en", "DE", "en"),
        ("br-lgpd", "", "BR", "pt"),
        ("br-lgpd", "", "US", "pt"),  # the regime's own language
        ("br-lgpd", "en", "BR", "en"),
        ("ca-qc-law25", "", "CA", "fr"),
        ("ca-qc-law25", "en", "CA", "en"),
        ("us-ca-ccpa", "", "US", "en"),
        ("us-ca-ccpa", "es", "US", "es"),  # a Spanish CCPA letter exists (issue 12)
        ("us-ca-ccpa", "fr", "US", "en"),
        ("uk-gdpr", "de", "DE", "en"),
        ("ch-fadp", "de", "CH", "en"),
    ],
)
def test_it_picks_the_default_language(law, employer_language, employer_country, expected):
    assert default_language(law_key=law, employer_language=employer_language, employer_country=employer_country) == expected


# --- Citations and dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("citation", "lang", "expected"),
    [
        ("Art. 15 GDPR", "de", "Art. 15 DSGVO"),
        ("Art. 21(1) GDPR", "de", "Art. 21 Abs. 1 DSGVO"),
        ("Art. 12(3) GDPR", "de", "Art. 12 Abs. 3 DSGVO"),
        ("Art. 15 GDPR", "fr", "article 15 du RGPD"),
        ("Art. 21(1) GDPR", "fr", "article 21, paragraphe 1, du RGPD"),
        ("Art. 15 GDPR", "es", "artículo 15 del RGPD"),
        ("Art. 21(1) GDPR", "es", "artículo 21, apartado 1, del RGPD"),
        ("Art. 15 GDPR", "it", "articolo 15 del GDPR"),
        ("Art. 12(3) GDPR", "it", "articolo 12, paragrafo 3, del GDPR"),
        ("Art. 15 GDPR", "nl", "artikel 15 AVG"),
        ("Art. 21(1) GDPR", "nl", "artikel 21, lid 1, AVG"),
        ("Art. 12(6) GDPR; EDPB Guidelines 01/2022", "de", "Art. 12 Abs. 6 DSGVO; EDSA-Leitlinien 01/2022"),
        ("Lei 13.709/2018, Art. 19", "pt", "art. 19 da LGPD"),
        ("Lei 13.709/2018, Art. 18, IV and VI", "pt", "art. 18, IV e VI, da LGPD"),
        ("CQLR c P-39.1, s.32", "fr", "RLRQ, c. P-39.1, art. 32"),
        ("Art. 15 GDPR", "en", "Art. 15 GDPR"),
        ("Art. 15 UK GDPR", "de", "Art. 15 UK GDPR"),  # not the EU act: unchanged
    ],
)
def test_it_writes_citations_in_the_local_convention(citation, lang, expected):
    assert local_citation(citation, lang) == expected


@pytest.mark.parametrize(
    ("law", "citation", "lang", "expected"),
    [
        ("eu-gdpr", "Art. 21(1) GDPR", "fr", "article 21, paragraphe 1, du RGPD"),
        ("ca-qc-law25", "CQLR c P-39.1, s.32", "fr", "RLRQ, c. P-39.1, art. 32"),
        ("ca-qc-law25", "Art. 21(1) GDPR", "fr", "Art. 21(1) GDPR"),  # not Quebec's convention: unchanged
        ("br-lgpd", "Lei 13.709/2018, Art. 19", "pt", "art. 19 da LGPD"),
        ("uk-gdpr", "Art. 15 GDPR", "de", "Art. 15 GDPR"),  # the record says as_written
    ],
)
def test_the_records_citation_style_decides_the_convention(law, citation, lang, expected):
    style = get_regime(law).letters.citation_style
    assert local_citation(citation, lang, style=style) == expected


@pytest.mark.parametrize(
    ("day", "lang", "expected"),
    [
        (date(2026, 4, 7), "en", "7 April 2026"),
        (date(2026, 4, 7), "de", "7. April 2026"),
        (date(2026, 3, 1), "fr", "1er mars 2026"),
        (date(2026, 4, 7), "es", "7 de abril de 2026"),
        (date(2026, 4, 7), "it", "7 aprile 2026"),
        (date(2026, 4, 7), "nl", "7 april 2026"),
        (date(2026, 3, 20), "pt", "20 de março de 2026"),
    ],
)
def test_it_formats_dates_in_the_letter_language(day, lang, expected):
    assert format_date(day, lang) == expected
    assert format_date(date(2026, 4, 7), "en", us=True) == "April 7, 2026"


# --- Every (law, language) --------------------------------------------------------------------------

#: Hand-checked expectations for the letters people will send most.
EXPECTED = {
    ("eu-gdpr", "en"): ("7 April 2026", ["Art. 15 GDPR", "Art. 21(1) GDPR", "Art. 18 GDPR", "Art. 17 GDPR"]),
    ("eu-gdpr", "de"): ("7. April 2026", ["Art. 15 DSGVO", "Art. 21 Abs. 1 DSGVO", "Art. 18 DSGVO", "Art. 17 DSGVO"]),
    ("eu-gdpr", "fr"): ("7 avril 2026", ["article 15 du RGPD", "article 21, paragraphe 1, du RGPD", "article 17 du RGPD"]),
    ("eu-gdpr", "es"): ("7 de abril de 2026", ["artículo 15 del RGPD", "artículo 21, apartado 1, del RGPD"]),
    ("eu-gdpr", "it"): ("7 aprile 2026", ["articolo 15 del GDPR", "articolo 21, paragrafo 1, del GDPR"]),
    ("eu-gdpr", "nl"): ("7 april 2026", ["artikel 15 AVG", "artikel 21, lid 1, AVG", "artikel 17 AVG"]),
    ("br-lgpd", "pt"): ("20 de março de 2026", ["art. 18, I–II, da LGPD", "art. 18, IV e VI, da LGPD"]),
    ("ca-qc-law25", "fr"): (None, ["RLRQ, c. P-39.1"]),
    ("us-ca-ccpa", "en"): ("April 20, 2026", ["Cal. Civ. Code §§1798.100, 1798.110, 1798.115", "Cal. Civ. Code §1798.105"]),
}

#: Words that would betray English filler left in a translated letter (matched as whole words).
ENGLISH_WORDS = ("the", "and", "Please", "your", "you", "my", "request", "data protection", "Dear", "Yours",
                 "Employee number", "letter", "which", "whether", "deadline")


@pytest.mark.django_db
@pytest.mark.parametrize(("law", "lang"), PAIRS)
def test_it_writes_each_supported_letter(owner, law, lang):
    case = make_case(owner, law, lang)
    regime = get_regime(law)
    markup = letter_html(case, today=TODAY)
    text = text_of(markup)

    assert "Kestrel Datenwerk GmbH" in text
    assert case.reference in text
    assert "Jana Kowalczyk" in text
    assert "jana.private@example.org" in text
    for code in case.rights:
        assert local_citation(regime.right(code).citation, lang) in text
    result = compute_deadlines(regime, received=TODAY, region=REGIONS[law])
    if result.respond_by is not None:
        assert format_date(result.respond_by, lang, us=regime.letters.date_style == "month_day_year") in text
    else:
        assert format_date(result.suggested_follow_up, lang) in text
    expected = EXPECTED.get((law, lang))
    if expected:
        respond_by, citations = expected
        if respond_by:
            assert respond_by in text
        for citation in citations:
            assert citation in text
    if lang != "en":
        leftovers = [word for word in ENGLISH_WORDS if re.search(rf"\b{word}\b", text, re.I)]
        assert not leftovers, f"English words in the {lang} letter: {leftovers}"
    # HTML only: the print stylesheet comes from core.pdf.
    for forbidden in ("<style", "<link", "style=", "<img", "<script"):
        assert forbidden not in markup


@pytest.mark.django_db
def test_it_labels_the_german_letter_in_german(owner):
    text = text_of(letter_html(make_case(owner, "eu-gdpr", "de"), today=TODAY))
    assert "Sehr geehrte Damen und Herren" in text
    assert "Mit freundlichen Grüßen" in text
    assert "Personalnummer: E-4711" in text
    assert "Beschäftigt vom 1. Februar 2021 bis zum 31. Januar 2026" in text
    assert "5. März 2026" in text  # the letter's date
    assert "Widerspruch (Art. 21 Abs. 1 DSGVO)" in text
    assert "Recht auf Löschung (Art. 17 DSGVO)" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "salutation"),
    [("fr", "Madame, Monsieur,"), ("es", "Muy señores míos:"), ("it", "Spettabile Kestrel Datenwerk GmbH,"),
     ("nl", "Geachte heer/mevrouw,")],
)
def test_it_greets_formally_in_each_language(owner, lang, salutation):
    assert salutation in text_of(letter_html(make_case(owner, "eu-gdpr", lang), today=TODAY))


@pytest.mark.django_db
def test_it_greets_brazilian_employers_formally(owner):
    text = text_of(letter_html(make_case(owner, "br-lgpd", "pt"), today=TODAY))
    assert "Prezados Senhores," in text
    assert "art. 19 da LGPD" in text


# --- What is asked depends on the rights requested ------------------------------------------------------


@pytest.mark.django_db
def test_it_objects_only_when_objection_is_requested(owner):
    without = text_of(letter_html(make_case(owner, "eu-gdpr", "en", rights=["access"]), today=TODAY))
    with_it = text_of(letter_html(make_case(owner, "eu-gdpr", "en", rights=["access", "objection"]), today=TODAY))
    assert "I object to the processing" not in without
    assert "Art. 21(1)" not in without
    assert "I object to the processing" in with_it
    assert "Objection (Art. 21(1) GDPR)" in with_it

    de_without = text_of(letter_html(make_case(owner, "eu-gdpr", "de", rights=["access", "erasure"]), today=TODAY))
    assert "Ich widerspreche" not in de_without
    assert "Art. 18 Abs. 1 lit. d" not in de_without


@pytest.mark.django_db
def test_it_asks_about_models_only_when_erasure_is_requested(owner):
    access_only = text_of(letter_html(make_case(owner, "eu-gdpr", "en", rights=["access"]), today=TODAY))
    erasure = text_of(letter_html(make_case(owner, "eu-gdpr", "en", rights=["erasure"]), today=TODAY))
    assert "EDPB Opinion 28/2024" not in access_only
    assert "Art. 17(1)" not in access_only
    assert "EDPB Opinion 28/2024" in erasure
    assert "Art. 17(1)(a) GDPR" in erasure
    assert "Art. 17(1)(c)" not in erasure  # no objection to rest it on
    assert "Art. 19 GDPR" in erasure
    assert "Art. 15(1)(a)–(h)" not in erasure  # no access questions without access


@pytest.mark.django_db
def test_it_asks_the_full_gdpr_list_with_access(owner):
    text = text_of(letter_html(make_case(owner, "eu-gdpr", "en"), today=TODAY))
    for fragment in ("Art. 15(1)(a)–(h) GDPR", "Art. 15(3)", "Art. 13(1)(c) GDPR", "Art. 6(4) GDPR", "Art. 9 GDPR",
                     "Art. 35 GDPR", "Art. 36", "Art. 22 GDPR", "Art. 18(1)(d) GDPR", "Art. 17(1)(c) GDPR",
                     "Art. 19 GDPR", "Art. 5(1)(e) GDPR", "Art. 15(2) GDPR", "EDPB Opinion 28/2024", "C-203/22",
                     "C-487/21", "C-154/21", "Art. 26(7) of the AI Act", "Art. 86 of the AI Act",
                     "Art. 5(1)(f) of the AI Act", "§ 87 Abs. 1 Nr. 6 BetrVG"):
        assert fragment in text, fragment
    questions = re.search(r"<h2>My questions</h2>.*?<ol>(.*?)</ol>", letter_html(make_case(owner, "eu-gdpr", "en"), today=TODAY), re.S)
    assert questions and questions.group(1).count("<li>") == 10


@pytest.mark.django_db
def test_it_adapts_the_uk_letter(owner):
    text = text_of(letter_html(make_case(owner, "uk-gdpr", "en", rights=["access", "objection", "automated_decisions"]), today=TODAY))
    assert "Arts 22A–22D UK GDPR" in text
    assert "AI Act" not in text
    assert "Art. 21(1) UK GDPR" in text
    assert "United Kingdom" in text
    assert "Art. 12(6) UK GDPR" in text and "EDPB Guidelines 01/2022" in text


@pytest.mark.django_db
def test_it_writes_the_californian_letter(owner):
    case = make_case(owner, "us-ca-ccpa", "en", rights=["access", "erasure", "limit_sensitive"])
    text = text_of(letter_html(case, today=TODAY))
    assert "§1798.140" in text and "biometric information" in text
    assert "confirm receipt within 10 business days (11 CCR §7021(a))" in text
    assert "§1798.121" in text
    assert "§7150(b)(4)" in text and "§7150(b)(6)" in text
    assert "§7220" in text and "§7221" in text and "§7222" in text
    assert "specific pieces of personal information" in text
    assert "April 20, 2026" in text  # 45 days, receipt being day one: Saturday 18 April, moved to Monday
    assert "March 5, 2026" in text  # US date style
    assert "Sincerely," in text


@pytest.mark.django_db
def test_it_does_not_invent_a_deadline_for_the_appi(owner):
    case = make_case(owner, "jp-appi", "en", rights=["access", "erasure"])
    text = text_of(letter_html(case, today=TODAY))
    result = compute_deadlines(get_regime("jp-appi"), received=TODAY, region="JP")
    assert result.respond_by is None
    follow_up = format_date(result.suggested_follow_up, "en")
    assert f"If I have not heard from you by {follow_up}, I will follow up" in text
    assert "not a legal deadline" in text
    assert "is due by" not in text
    assert "without delay" in text


@pytest.mark.django_db
def test_it_counts_from_the_recorded_receipt(owner):
    case = make_case(owner, "eu-gdpr", "en", received_on=date(2026, 1, 31))
    text = text_of(letter_html(case, today=TODAY))
    assert "As this letter reached you on 31 January 2026" in text
    assert "due by 2 March 2026" in text  # 28 February 2026 is a Saturday


@pytest.mark.django_db
def test_it_asks_an_employer_claiming_the_employment_exemption_to_justify_it(owner):
    text = text_of(letter_html(make_case(owner, "au-privacy", "en", rights=["access"]), today=TODAY))
    assert "why training a model is an employment purpose" in text
    text = text_of(letter_html(make_case(owner, "ch-fadp", "en", rights=["access"]), today=TODAY))
    assert "employment purpose" not in text


@pytest.mark.django_db
def test_it_includes_the_identity_note_and_no_id_copy(owner):
    case = make_case(owner, "eu-gdpr", "en", identity_note="I returned my badge no. 77 on my last day.")
    text = text_of(letter_html(case, today=TODAY))
    assert "I returned my badge no. 77 on my last day." in text
    assert "not enclosing a copy of an identity document" in text
    assert "Art. 12(6) GDPR" in text and "EDPB Guidelines 01/2022" in text
    assert "my employee number E-4711" in text


# --- Hostile user text -------------------------------------------------------------------------------

HOSTILE = "<script>alert(1)</script><img src=http://x>{{ 7*7 }}{% debug %}"


@pytest.mark.django_db
@pytest.mark.parametrize(("law", "lang"), [("eu-gdpr", "en"), ("eu-gdpr", "de"), ("eu-gdpr", "it"), ("eu-gdpr", "fr"),
                                           ("eu-gdpr", "es"), ("eu-gdpr", "nl"), ("br-lgpd", "pt"),
                                           ("ca-qc-law25", "fr"), ("us-ca-ccpa", "en"), ("jp-appi", "en")])
def test_it_escapes_hostile_user_text_everywhere(owner, law, lang):
    employer = Employer.objects.create(
        legal_name=f"Evil {HOSTILE} Ltd",
        country="DE",
        postal_address=f"Line one {HOSTILE}\nLine two",
        privacy_email=HOSTILE,
    )
    case = make_case(
        owner, law, lang, employer=employer,
        requester_name=f"Jana {HOSTILE}",
        requester_address=f"Street {HOSTILE}\nTown",
        requester_email=HOSTILE,
        employee_id=HOSTILE,
        job_title=HOSTILE,
        other_data=f"Also {HOSTILE}\nsecond line",
        identity_note=f"Note {HOSTILE}",
    )
    case.access_secret = "4949XY49" * 2  # a random secret may hold a "49": it must not be taken for 7*7
    markup = letter_html(case, today=TODAY)
    assert "<script" not in markup
    assert "<img" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert "&lt;img src=http://x&gt;" in markup
    # Template syntax in user text is shown, never evaluated.
    assert "{{ 7*7 }}" in markup
    assert "{% debug %}" in markup
    from deletion_portal.cases.letters import case_access_code

    # (Dates, the reference and the random case access code may hold a "49" of their own.)
    shown = text_of(markup).replace("2026", "").replace(case_access_code(case), "").replace(case.reference, "")
    assert "49" not in shown
    assert "'True': True" not in markup and "sys.modules" not in markup
    # Each field made it into the letter, escaped.
    for needle in ("Evil &lt;script&gt;", "Jana &lt;script&gt;", "Street &lt;script&gt;", "Line one &lt;script&gt;",
                   "Also &lt;script&gt;", "Note &lt;script&gt;"):
        assert needle in markup, needle


@pytest.mark.django_db
def test_it_keeps_user_text_out_of_the_footer_and_metadata_markup(owner):
    case = make_case(owner, "eu-gdpr", "de", requester_name="Jana Kowalczyk")
    assert letter_footer(case, "7K3Q9M2X") == f"{case.reference} · Schreiben 7K3Q9M2X"
    english = make_case(owner, "eu-gdpr", "en")
    assert letter_footer(english, "7K3Q9M2X") == f"{english.reference} · letter 7K3Q9M2X"
    metadata = letter_metadata(case)
    assert metadata.title == f"Datenschutzrechtlicher Antrag {case.reference}"
    assert metadata.author == "Jana Kowalczyk"
    assert metadata.language == "de"
    assert "GDPR" in metadata.subject and "Kestrel Datenwerk GmbH" in metadata.subject


# --- Context ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_lists_the_rights_in_the_requested_order_with_their_record_citations(owner):
    case = make_case(owner, "eu-gdpr", "en", rights=["erasure", "access", "rectification", "not_a_right"])
    context = letter_context(case, today=TODAY)
    assert [r["code"] for r in context["rights"]] == ["erasure", "access", "rectification"]
    assert [r["citation"] for r in context["rights"]] == ["Art. 17 GDPR", "Art. 15 GDPR", "Art. 16 GDPR"]
    assert context["rights"][0]["name"] == "Right to erasure"
    assert context["deadline"]["respond_by"] == date(2026, 4, 7)
    assert context["template_version"] == TEMPLATE_VERSION == "request-3"


@pytest.mark.django_db
def test_it_uses_the_default_language_when_none_is_chosen_and_refuses_an_unwritten_one(owner):
    case = make_case(owner, "eu-gdpr", "")
    assert letter_context(case, today=TODAY)["language"] == "de"  # the employer is in Germany
    case.language = "pt"
    with pytest.raises(ValueError, match="pt"):
        letter_html(case, today=TODAY)


@pytest.mark.django_db
def test_it_covers_every_category_when_none_is_chosen(owner):
    case = make_case(owner, "eu-gdpr", "en", categories=[])
    text = text_of(letter_html(case, today=TODAY))
    for label in ("Keystrokes", "Mouse movements", "Screen activity", "Application switching", "Training datasets",
                  "Trained models"):
        assert label in text


# --- PDF ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_renders_a_german_gdpr_letter_to_pdf(owner):
    pdf = pytest.importorskip("deletion_portal.core.pdf")
    pypdf = pytest.importorskip("pypdf")
    import io

    case = make_case(owner, "eu-gdpr", "de")
    data = pdf.render_pdf(
        letter_html(case, today=TODAY),
        metadata=letter_metadata(case),
        paper=pdf.paper_for_country("DE"),
        footer=letter_footer(case, "7K3Q9M2X"),
    )
    assert data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))
    assert "Kestrel Datenwerk GmbH" in text
    assert "Art. 15 DSGVO" in text
    assert "5. März 2026" in text
    assert "7. April 2026" in text
    assert reader.metadata.title == f"Datenschutzrechtlicher Antrag {case.reference}"


def test_the_module_exports_what_others_call():
    for name in ("TEMPLATE_VERSION", "LANGUAGES", "letter_languages", "default_language", "letter_context",
                 "letter_html", "letter_footer", "letter_metadata", "regime_family", "month_first_dates"):
        assert hasattr(letters, name)
