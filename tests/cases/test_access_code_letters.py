"""The case access code on the request letter (PDF, every channel) and the request email: reference plus
``Case.access_secret``, in groups of four, with the respond address, only while the employee lets the
employer answer online; never on the employee's pages."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.urls import reverse

from deletion_portal.cases.letters import case_access_code, claim_url, letter_footer, letter_html, letter_metadata
from deletion_portal.cases.services import case_create, letter_send_email
from deletion_portal.core.models import OutboxMessage
from tests.support.data import DRAFT_FIELDS
from tests.support.world import finalise_directly, login

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 5)
SENTENCES = {
    "en": "with this case access code, a verified member of your data protection team can open this one request",
    "de": "Mit diesem Fallzugangscode kann ein verifiziertes Mitglied Ihres Datenschutzteams genau diese Anfrage",
}


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(case) -> str:
    pdf = pytest.importorskip("deletion_portal.core.pdf")
    pypdf = pytest.importorskip("pypdf")
    data = pdf.render_pdf(letter_html(case, today=TODAY), metadata=letter_metadata(case),
                          paper=pdf.paper_for_country("DE"), footer=letter_footer(case, "7K3Q9M2X"))
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(page.extract_text() or "" for page in reader.pages)


def test_the_code_is_the_reference_and_a_secret_of_at_least_60_bits(owner, employer):
    case = case_create(owner=owner, employer=employer, **DRAFT_FIELDS)
    code = case_access_code(case)
    assert re.fullmatch(r"DP-[A-Z0-9]{4}-[A-Z0-9]{4}(-[A-Z0-9]{4}){4}", code)
    assert code.startswith(case.reference + "-") and code.replace("-", "").endswith(case.access_secret)
    # 16 characters of a 30-letter alphabet: log2(30) * 16 ≈ 78.5 bits.
    assert len(case.access_secret) * 4.9 >= 60
    assert claim_url().endswith(reverse("dpo:claim"))


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_request_letter_pdf_carries_the_code_and_the_address(owner, employer, language):
    case = case_create(owner=owner, employer=employer, **{**DRAFT_FIELDS, "language": language})
    text = pdf_text(case)
    assert squeeze(case_access_code(case)) in squeeze(text)
    assert squeeze(claim_url()) in squeeze(text)
    assert squeeze(SENTENCES[language]) in squeeze(text)


def test_without_the_employees_consent_the_letter_has_no_code(owner, employer):
    case = case_create(owner=owner, employer=employer, **{**DRAFT_FIELDS, "employer_may_answer": False})
    html = letter_html(case, today=TODAY)
    assert case.access_secret not in html and "portal-answer" not in html


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_request_email_carries_the_code(owner, employer, language):
    case = finalise_directly(case_create(owner=owner, employer=employer, **{**DRAFT_FIELDS, "language": language}))
    case.letters.update(language=language)
    letter_send_email(case=case, actor=owner)
    body = OutboxMessage.objects.get().body
    assert f": {case_access_code(case)}" in body
    assert claim_url() in body
    assert SENTENCES[language] in body


def test_every_letter_language_has_the_paragraph(owner, employer):
    from deletion_portal.cases.letter_texts import LANGUAGES, PORTAL_ANSWER

    assert set(PORTAL_ANSWER) == set(LANGUAGES)
    brazil = {"law_key": "br-lgpd", "region": "BR-SP", "work_country": "BR", "work_region": "BR-SP",
              "residence_country": "BR", "residence_region": "BR-SP", "rights": ["access", "erasure"]}
    for lang in ("fr", "es", "it", "nl", "pt"):
        fields = {**DRAFT_FIELDS, "language": lang, **(brazil if lang == "pt" else {})}
        case = case_create(owner=owner, employer=employer, **fields)
        html = letter_html(case, today=TODAY)
        assert case_access_code(case) in html and PORTAL_ANSWER[lang]["code"].replace("'", "&#x27;") in html


def test_the_employees_pages_never_show_the_code(client, owner, employer):
    case = finalise_directly(case_create(owner=owner, employer=employer, **DRAFT_FIELDS))
    login(client, owner)
    for url in (reverse("cases:detail", args=[case.pk]), reverse("cases:list")):
        page = client.get(url)
        assert page.status_code == 200
        assert case.access_secret.encode() not in page.content


def test_the_account_export_does_not_list_the_secret(client, owner, employer):
    import io as _io
    import zipfile

    case = case_create(owner=owner, employer=employer, **DRAFT_FIELDS)
    login(client, owner)
    response = client.post(reverse("accounts:export"))
    data = b"".join(response.streaming_content) if response.streaming else response.content
    with zipfile.ZipFile(_io.BytesIO(data)) as archive:
        texts = [archive.read(name) for name in archive.namelist() if name.endswith(".json")]
    assert texts and not any(case.access_secret.encode() in text for text in texts)
