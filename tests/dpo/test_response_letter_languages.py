"""The DPO's response letter in the case's letter language (issue 9: "a PDF … in the case's letter language"):
the answer items, artefact outcomes, retention grounds and remedies in the law's words of that language (the
law record's ``employer_actions.words``; GDPR citations as each language's official text writes them), dates
as the request letter writes them, no English left in the answer; the follow-up in every language cites the
response letter's id and SHA-256; the PDF's author is the employer, not the requester."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import time_machine

from deletion_portal.cases.letters import letter_languages
from deletion_portal.cases.models import LetterKind
from deletion_portal.dpo.answers import answer_law, response_save
from deletion_portal.dpo.response_texts import LABELS, OUTCOMES
from deletion_portal.laws.registry import all_regimes
from deletion_portal.tracking.letters import follow_up_draft

pytestmark = pytest.mark.django_db

TODAY = date(2025, 5, 20)

GDPR_ANSWER = {
    "on": "2025-05-19",
    "access": {"art15_1_a": {"status": "answered", "text": "—"},
               "art15_1_c": {"status": "withheld", "ground": "rights_of_others"}},
    "training": [{"category": "keystrokes", "held": True, "from": "2023-01-01", "to": "2025-01-31",
                  "system": "TL-7", "used_for_training": True}],
    "artefacts": [
        {"kind": "dataset", "name": "kl-raw-01", "recipients": "—", "outcome": "deleted", "outcome_date": "2025-05-10"},
        {"kind": "model", "name": "sa-v3", "recipients": "—", "outcome": "retrained_without",
         "trained_on": "2024-06-01", "outcome_date": "2025-05-12"},
        {"kind": "evaluation_set", "name": "ev-2024", "recipients": "—", "outcome": "retained", "ground": "legal_claims"},
    ],
    "erasure": {"categories": [{"category": "keystrokes", "outcome": "erased", "on": "2025-05-10"}],
                "notification": {"status": "done", "recipients": "—"}},
    "objection": {"outcome": "upheld", "from": "2025-05-05", "restricted_from": "2025-05-03"},
}

CCPA_ANSWER = {
    "on": "2025-05-19",
    "access": {"purposes": {"status": "answered", "text": "—"},
               "recipients": {"status": "withheld", "ground": "unverifiable"}},
    "artefacts": [
        {"kind": "dataset", "name": "kl-raw-01", "recipients": "—", "outcome": "deleted", "outcome_date": "2025-05-10"},
        {"kind": "model", "name": "sa-v3", "recipients": "—", "outcome": "retrained_without",
         "trained_on": "2024-06-01", "outcome_date": "2025-05-12"},
        {"kind": "evaluation_set", "name": "ev-2024", "recipients": "—", "outcome": "retained", "ground": "d8"},
    ],
}

#: English words of the answer part that must not survive a translation (user text above is language-neutral).
ENGLISH = ("Deleted", "Retrained", "Retained", "Ground", "Answered", "Withheld", "Held", "Not stated", "Yes",
           "Dataset", "Model:", "Evaluation set", "Erasure", "Recipients", "Your ", "Reference", "legal claims",
           "legal obligation", "GDPR", "Art. 17(3)", "Art. 15(", "Dear", "sincerely", "Not answered", "Training contributions", "for training",
           "The purposes", "complaint", "supervisory", "Objection", "objection", "Trained", "rights and freedoms",
           "Files", "entries", " on ", "Unlearning", "Access to", " and ", "We answer")

#: Table: (law, letter language, what the PDF says, with the source of each legal text).
CASES = [
    pytest.param("eu-gdpr", "de", ["fr"], GDPR_ANSWER, [
        "Gelöscht am 10. Mai 2025",
        "Am 12. Mai 2025 ohne Ihre Daten neu trainiert",
        # GDPR Art. 17(3)(e), German text: "zur Geltendmachung, Ausübung oder Verteidigung von Rechtsansprüchen".
        "Geltendmachung, Ausübung oder Verteidigung von Rechtsansprüchen (Art. 17 Abs. 3 lit. e DSGVO)",
        # GDPR Art. 15(4): the rights and freedoms of others.
        "Rechte und Freiheiten anderer Personen",
        "Die Verarbeitungszwecke (Art. 15 Abs. 1 lit. a DSGVO)",
        # GDPR Art. 12(4) and Art. 77: the remedies.
        "Beschwerde bei einer Aufsichtsbehörde", "(Art. 12 Abs. 4 DSGVO)",
        "(Art. 21 Abs. 1 DSGVO)", "(Art. 18 Abs. 1 lit. d DSGVO)", "(Art. 19 DSGVO)",
        "Recht auf Auskunft und Kopie (Art. 15 DSGVO)",
    ], id="eu-gdpr-de-Art17(3)(e)"),
    pytest.param("eu-gdpr", "fr", ["de"], GDPR_ANSWER, [
        "Supprimé le 10 mai 2025",
        "Réentraîné sans vos données le 12 mai 2025",
        # GDPR Art. 17(3)(e), French text: "à la constatation, à l'exercice ou à la défense de droits en justice".
        "La constatation, l'exercice ou la défense de droits en justice (article 17, paragraphe 3, point e), du RGPD)",
        "Les finalités du traitement (article 15, paragraphe 1, point a), du RGPD)",
        # GDPR Art. 12(4) and Art. 77.
        "réclamation auprès d'une autorité de contrôle", "(article 12, paragraphe 4, du RGPD)",
        "(article 21, paragraphe 1, du RGPD)", "(article 19 du RGPD)",
    ], id="eu-gdpr-fr-article17(3)(e)"),
    pytest.param("us-ca-ccpa", "es", ["de", "fr"], CCPA_ANSWER, [
        "Eliminado el 10 de mayo de 2025",
        "Reentrenado sin sus datos el 12 de mayo de 2025",
        # Cal. Civ. Code §1798.105(d)(8): to comply with a legal obligation.
        "Para cumplir una obligación legal (Cal. Civ. Code §1798.105(d)(8))",
        # 11 CCR §7060–7062: a request that could not be verified.
        "No se pudo verificar la solicitud",
        # 11 CCR §7022; Civ. Code §1798.199.45: the remedies.
        "Agencia de Protección de la Privacidad de California",
    ], id="us-ca-ccpa-es-1798.105(d)(8)"),
]


def _pdf_text(letter) -> str:
    pypdf = pytest.importorskip("pypdf")
    letter.pdf.open("rb")
    try:
        reader = pypdf.PdfReader(io.BytesIO(letter.pdf.read()))
    finally:
        letter.pdf.close()
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split()), reader.metadata


def _case_in(case, law: str, language: str):
    case.law_key, case.language = law, language
    if law == "us-ca-ccpa":
        case.rights = ["access", "erasure"]
    case.save()
    return case


def _send(case, user, answer):
    with time_machine.travel(TODAY, tick=False):
        return response_save(case=case, user=user, data=answer, send=True, today=TODAY)


@pytest.mark.parametrize("law, language, other_languages, answer, expected", CASES)
def test_the_response_letter_is_in_the_case_language_with_the_law_words_of_that_language(
        sent_case, dpo, pdf_rendering, law, language, other_languages, answer, expected):
    case = _case_in(sent_case, law, language)
    letter = _send(case, dpo, answer).letter
    assert letter.kind == LetterKind.RESPONSE and letter.language == language
    text, metadata = _pdf_text(letter)
    for phrase in expected:
        assert phrase in text, phrase
    leftovers = [word for word in ENGLISH if word in text]
    assert leftovers == [], f"English left in the {language} letter: {leftovers}"
    # Not another language's words either.
    for other in other_languages:
        assert OUTCOMES[other]["deleted"] + " " not in text


@pytest.mark.parametrize("law, language, other_languages, answer, expected", CASES[:1])
def test_the_response_letter_pdf_is_authored_by_the_employer_not_the_requester(
        sent_case, dpo, pdf_rendering, law, language, other_languages, answer, expected):
    case = _case_in(sent_case, law, language)
    letter = _send(case, dpo, answer).letter
    _, metadata = _pdf_text(letter)
    assert metadata.author == "Acme Analytics GmbH"
    assert metadata.author != case.requester_name
    assert metadata.title.startswith("Antwort auf den Datenschutzantrag")


def test_an_english_letter_keeps_its_words_and_the_outcome_codes(sent_case, dpo, pdf_rendering):
    letter = _send(sent_case, dpo, GDPR_ANSWER).letter
    text, _ = _pdf_text(letter)
    assert letter.language == "en"
    for phrase in ("Deleted on 10 May 2025", "retrained_without", "Retrained without the data on 12 May 2025",
                   "The establishment, exercise or defence of legal claims (Art. 17(3)(e) GDPR)", "Dear Olive Owner"):
        assert phrase in text, phrase


@pytest.mark.parametrize("law, language", [
    pytest.param(regime.key, language, id=f"{regime.key}-{language}")
    for regime in all_regimes() if regime.employer_actions is not None
    for language in letter_languages(regime.key) if language != "en"
])
def test_every_letter_language_of_a_law_has_every_answer_word(law, language, sent_case):
    """The registry refuses a record without them; here: what the letter reads is really translated."""
    case = _case_in(sent_case, law, language)
    english, local = answer_law(case), answer_law(case, language)
    assert [i.code for i in english.access_items] == [i.code for i in local.access_items]
    changed = [(e.label, x.label) for e, x in zip(
        (*english.access_items, *english.withholding_grounds, *english.retention_grounds, english.remedies),
        (*local.access_items, *local.withholding_grounds, *local.retention_grounds, local.remedies), strict=True)
        if getattr(e, "label", getattr(e, "text", None)) == getattr(x, "label", getattr(x, "text", None))]
    assert changed == []
    for name, rule in local.rules.items():
        assert rule.text != english.rules[name].text, name
    citations = " ".join(i.citation for i in (*local.access_items, *local.withholding_grounds,
                                              *local.retention_grounds, local.remedies, *local.rules.values()))
    assert not re.search(r"\d\(\d", citations), citations  # "Art. 15(1)" is the English style
    assert "CJEU" not in citations and "EDPB Opinion" not in citations and "Arts " not in citations


@pytest.mark.parametrize("law, language", [
    ("eu-gdpr", "en"), ("eu-gdpr", "de"), ("eu-gdpr", "fr"), ("eu-gdpr", "es"), ("eu-gdpr", "it"), ("eu-gdpr", "nl"),
    ("us-ca-ccpa", "es"), ("br-lgpd", "pt"),
])
def test_a_follow_up_in_every_language_cites_the_response_letter_id_and_sha256(
        sent_case, dpo, pdf_rendering, law, language):
    case = _case_in(sent_case, law, language)
    letter = _send(case, dpo, {"on": "2025-05-19"}).letter  # answers nothing: everything asked is missing
    with time_machine.travel(TODAY, tick=False):
        follow_up = follow_up_draft(case=case, today=TODAY)
    assert follow_up.language == language
    assert letter.short_id in follow_up.html and letter.sha256 in follow_up.html


def test_the_letter_words_exist_in_every_language_the_labels_have():
    assert set(LABELS) == {"en", "de", "fr", "es", "it", "nl", "pt"}
    assert all(set(words) == set(LABELS["en"]) for words in LABELS.values())
