"""Letters that hold up (issue 12): the opening names only the categories the user chose, FR letters cite each
Code du travail article for what it says, the recipient's country is named in the letter's language."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date

import pytest

from deletion_portal.cases.letters import letter_html, letter_languages
from deletion_portal.cases.models import Case
from deletion_portal.employers.models import Employer

TODAY = date(2026, 3, 5)

#: Every (law, language) a request letter exists in (the family's questions differ: gdpr, ccpa, generic).
LAWS = {"eu-gdpr": "DE-BE", "uk-gdpr": "GB-ENG", "us-ca-ccpa": "US-CA", "ca-qc-law25": "CA-QC", "br-lgpd": "BR",
        "jp-appi": "JP"}
PAIRS = [(law, lang) for law in LAWS for lang in letter_languages(law)]

#: Words naming mouse or screen recording, per language: none may appear when only keystrokes were ticked.
MOUSE_OR_SCREEN = {
    "en": ["mouse", "screen", "screenshot", "recording"],
    "de": ["Maus", "Bildschirm", "Aufzeichnung"],
    "fr": ["souris", "écran", "enregistrements"],
    "es": ["ratón", "pantalla", "grabaci"],
    "it": ["mouse", "schermo", "schermate", "registrazion"],
    "nl": ["muis", "scherm", "opname"],
    "pt": ["mouse", "tela", "grava"],
}
KEYSTROKES = {"en": "keystroke", "de": "Tastatur", "fr": "frappes", "es": "pulsaciones", "it": "digitazion",
              "nl": "toetsaanslag", "pt": "digitação"}


def text_of(markup: str) -> str:
    body = re.sub(r"<title>.*?</title>", " ", markup, flags=re.S)
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def make_case(owner, law, lang, *, categories, country="DE", **fields) -> Case:
    from deletion_portal.laws.registry import get_regime

    employer = Employer.objects.create(legal_name="Kestrel Datenwerk GmbH", country=country,
                                       postal_address="Hauptstraße 1\n10115 Berlin", privacy_email="dpo@kestrel.example")
    regime = get_regime(law)
    rights = [c for c in ("access", "erasure", "portability", "objection") if regime.right(c)] or [regime.rights[0].code]
    values = dict(owner=owner, employer=employer, law_key=law, language=lang, region=LAWS.get(law, ""), rights=rights,
                  categories=categories, requester_name="Jana Kowalczyk", requester_address="Lindenweg 7\n12345 Musterstadt",
                  requester_email="jana@example.org")
    values.update(fields)
    return Case.objects.create(**values)


@pytest.fixture
def owner(db):
    from deletion_portal.accounts.models import User

    return User.objects.create_user(email="jana@example.org", password="a long enough passphrase 42")


@pytest.mark.django_db
@pytest.mark.parametrize(("law", "lang"), PAIRS)
def test_a_letter_for_keystrokes_only_mentions_no_mouse_or_screen(owner, law, lang):
    text = text_of(letter_html(make_case(owner, law, lang, categories=["keystrokes"]), today=TODAY))
    assert KEYSTROKES[lang].lower() in text.lower()
    for word in MOUSE_OR_SCREEN[lang]:
        # "Bildschirm"/"écran" etc. must not be named at all ("scherm" is part of "gegevensbescherming" in Dutch).
        pattern = r"(?<![a-zà-ÿ])" + re.escape(word.lower()) if lang == "nl" else re.escape(word.lower())
        assert not re.search(pattern, text.lower()), f"{word!r} in a keystrokes-only {law}/{lang} letter"


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "opening"), [
    ("en", "my activity at the computer was recorded — keystrokes and switching between applications — and"),
    ("de", "aufgezeichnet – Tastatureingaben und Wechsel zwischen Anwendungen."),
    ("fr", "a été enregistrée : frappes au clavier et changements d'application."),
    ("es", "en el ordenador: pulsaciones de teclado y cambios entre aplicaciones."),
    ("it", "registrata: digitazioni e cambi di applicazione."),
    ("nl", "vastgelegd: toetsaanslagen en het wisselen tussen applicaties."),
])
def test_the_opening_names_exactly_the_chosen_categories(owner, lang, opening):
    text = text_of(letter_html(make_case(owner, "eu-gdpr", lang, categories=["keystrokes", "app_switching"]), today=TODAY))
    assert opening in text


@pytest.mark.django_db
def test_the_opening_names_no_recorded_category_when_only_derived_data_was_chosen(owner):
    text = text_of(letter_html(make_case(owner, "eu-gdpr", "en", categories=["trained_models"]), today=TODAY))
    assert "my activity at the computer was recorded and this data" in text


# --- FR: Code du travail ------------------------------------------------------------------------------

#: (letter language, what the letter must say with the citation). Code du travail art. L2312-38: the CSE is
#: informed and consulted before the means of monitoring employees' activity are introduced; art. L1222-4: no
#: information about an employee personally may be collected by a device not brought to their attention first.
FR_CITATIONS = [
    ("fr", "consultation ou d'un accord des représentants du personnel (article L2312-38 du Code du travail)"),
    ("fr", "informé(e), préalablement à leur collecte, du dispositif ayant servi à collecter ces informations me "
           "concernant (article L1222-4 du Code du travail)"),
    ("en", "agreed with the works council or other employee representatives (article L2312-38 du Code du travail)"),
    ("en", "personally informed, before it was collected, of the device used to collect this data about me "
           "(article L1222-4 du Code du travail)"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "expected"), FR_CITATIONS)
def test_french_employers_get_each_code_du_travail_article_for_what_it_says(owner, lang, expected):
    case = make_case(owner, "eu-gdpr", lang, categories=["keystrokes"], country="FR", region="FR")
    text = text_of(letter_html(case, today=TODAY))
    assert expected in text
    assert "représentants du personnel (article L1222-4" not in text  # L1222-4 is not the CSE's consultation


@pytest.mark.django_db
def test_a_german_employer_gets_no_french_article(owner):
    text = text_of(letter_html(make_case(owner, "eu-gdpr", "de", categories=["keystrokes"]), today=TODAY))
    assert "§ 87 Abs. 1 Nr. 6 BetrVG" in text
    assert "L1222-4" not in text and "L2312-38" not in text


# --- The recipient's country in the letter's language ---------------------------------------------------------

@pytest.mark.parametrize(("address", "country", "lang", "sender", "last_line"), [
    ("Demostraße 1\n10115 Berlin\nGermany", "DE", "de", "DE", "Deutschland"),  # typed in English, letter in German
    ("Demostraße 1\n10115 Berlin\nGermany", "DE", "fr", "FR", "Allemagne"),
    ("1 rue de la Démo\n75001 Paris\nFrance", "FR", "de", "DE", "Frankreich"),
    ("1 rue de la Démo\n75001 Paris\nFRANCE", "FR", "es", "ES", "Francia"),
    ("Via Roma 1\n00100 Roma", "IT", "nl", "NL", "Italië"),  # no country line: added across a border
    ("Via Roma 1\n00100 Roma", "IT", "it", "IT", "00100 Roma"),  # domestic: none added
])
def test_the_recipients_country_is_named_in_the_letters_language(address, country, lang, sender, last_line):
    from deletion_portal.cases.letters import recipient_lines

    assert recipient_lines(address, country, lang, sender_country=sender)[-1] == last_line


@pytest.mark.django_db
def test_a_german_letter_says_deutschland(owner):
    case = make_case(owner, "eu-gdpr", "de", categories=["keystrokes"], residence_country="AT")
    case.employer.postal_address = "Hauptstraße 1\n10115 Berlin\nGermany"
    case.employer.save()
    text = text_of(letter_html(case, today=TODAY))
    assert "10115 Berlin Deutschland" in text and "Germany" not in text
