"""``bench letters`` renders the employer's response letter (20 artefact rows, a 50-file manifest) beside the
request letter, in the same run."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command

from deletion_portal.cases.models import Letter, LetterKind
from deletion_portal.dpo.answer_bench import bench_response_letter

pytestmark = pytest.mark.django_db


@pytest.fixture
def stub_pdf(monkeypatch):
    import deletion_portal.core.pdf as pdf
    from tests.support.data import PDF_BYTES

    monkeypatch.setattr(pdf, "render_pdf", lambda *args, **kwargs: PDF_BYTES)


def test_the_bench_letter_has_20_artefact_rows_and_a_50_file_manifest(sent_case, stub_pdf, isolated_media):
    lines = bench_response_letter(cases=[sent_case], today=date(2026, 3, 2))
    letter = Letter.objects.get(kind=LetterKind.RESPONSE)
    assert letter.html.count('<tr class="outcome-') == 20
    assert letter.html.split('class="file-manifest"')[1].count("<code>") == 50
    assert "response letter" in lines[0] and "median" in lines[0]


def test_bench_letters_prints_the_response_letter_beside_the_request_letter(stub_pdf, isolated_media):
    out = io.StringIO()
    call_command("bench", "letters", "--letters", "3", stdout=out)
    text = out.getvalue().splitlines()
    finalise = next(i for i, line in enumerate(text) if "portal finalise" in line)
    assert "response letter (20 artefact rows, 50-file manifest" in text[finalise + 1]
    assert not Letter.objects.exists()  # rolled back
