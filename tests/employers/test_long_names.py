"""Employer legal names of up to 300 characters (issue 12: German KGaA names and the like run long), whole
everywhere — directory form, wizard, API, import, letter, PDF — and a longer one refused with a clear error,
never cut silently."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from deletion_portal.cases.letters import letter_html
from deletion_portal.employers.models import LEGAL_NAME_MAX, Employer
from deletion_portal.employers.services import employer_import
from tests.support.world import login

pytestmark = pytest.mark.django_db

PREFIX = "Kestrel Datenwerk Beteiligungs- und Verwaltungsgesellschaft mit beschränkter Haftung & Co. KGaA "


def long_name(length: int) -> str:
    filler = "Zweigniederlassung Süd Europa "
    name = PREFIX
    while len(name) < length:
        name += filler
    return name[: length - 2] + "ZZ"


NAME_300 = long_name(300)
NAME_301 = long_name(301)


def test_the_names_have_the_lengths_the_tests_need():
    assert LEGAL_NAME_MAX == 300
    assert len(NAME_300) == 300 and len(NAME_301) == 301 and NAME_300.endswith("ZZ")


def test_the_directory_form_keeps_300_and_refuses_301(client, owner):
    login(client, owner)
    data = {"legal_name": NAME_300, "country": "DE", "postal_address": "", "privacy_email": "", "web_form_url": "",
            "preferred_language": "", "source": ""}
    response = client.post(reverse("employers:add"), data)
    assert response.status_code in (200, 302)
    assert Employer.objects.filter(legal_name=NAME_300).exists()
    response = client.post(reverse("employers:add"), {**data, "legal_name": NAME_301})
    assert "at most 300 characters" in response.content.decode()
    assert Employer.objects.count() == 1  # the 301-character name was neither saved nor cut to 300


def test_the_import_keeps_300_and_refuses_301():
    report = employer_import(rows=[{"legal_name": NAME_300, "country": "DE"}], dry_run=False)
    assert report.created == 1 and Employer.objects.get().legal_name == NAME_300
    report = employer_import(rows=[{"legal_name": NAME_301, "country": "DE"}], dry_run=False)
    assert [(e.field, "300" in e.message) for e in report.errors] == [("legal_name", True)]
    assert Employer.objects.count() == 1


def test_the_api_keeps_300_and_names_the_field_at_301(client, owner):
    from deletion_portal.cases.serializers import EmployerInputSerializer

    assert EmployerInputSerializer(data={"name": NAME_300, "country": "DE"}).is_valid()
    bad = EmployerInputSerializer(data={"name": NAME_301, "country": "DE"})
    assert not bad.is_valid() and "name" in bad.errors


@pytest.mark.usefixtures("pdf_rendering")
def test_the_letter_and_its_pdf_carry_the_whole_name(draft_case):
    import io
    import re

    import pypdf

    from deletion_portal.cases.letters import letter_metadata
    from deletion_portal.core.pdf import render_pdf

    employer = draft_case.employer
    employer.legal_name = NAME_300
    employer.save()
    html = letter_html(draft_case, today=date(2026, 3, 5))
    assert NAME_300.replace("&", "&amp;") in html
    pdf = render_pdf(html, metadata=letter_metadata(draft_case))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    assert re.sub(r"\s+", "", NAME_300) in text  # wrapped over lines, never cut
    assert NAME_300 in reader.metadata["/Subject"]
