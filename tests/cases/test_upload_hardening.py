"""Uploads that cannot turn into something else (issue 13, "Also"): a file is stored, downloaded and put in the
evidence bundle and the account export under the extension of the type its content was detected as (never an
uploader's ``.html``); bidirectional controls are stripped from file names and employer names; a case holds at
most UPLOAD_CASE_QUOTA_MB and UPLOAD_CASE_MAX_FILES of uploads."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from deletion_portal.accounts.export import account_export
from deletion_portal.cases.models import Attachment
from deletion_portal.cases.uploads import archive_name
from deletion_portal.employers.services import employer_submit
from deletion_portal.tracking.evidence import evidence_bundle
from tests.support.data import EML_BYTES, PDF_BYTES, PNG_BYTES

pytestmark = pytest.mark.django_db

# An email file whose body is HTML: harmless as .eml, a script if a ZIP called it .html and a browser opened it.
HTML_EMAIL = EML_BYTES.replace(b"We have received your request.", b"<script>alert(document.cookie)</script>")
RLO = "\u202e"


def respond(client, case, upload):
    return client.post(reverse("cases:record-event", args=[case.pk]),
                       {"event-kind": "response_received", "event-on": "2025-06-20", "event-upload": upload})


@pytest.mark.parametrize(
    ("original", "stored", "expected"),
    [
        ("reply.html", "abc.eml", "reply_html.eml"),
        ("answer.pdf", "abc.pdf", "answer.pdf"),
        ("../../etc/passwd", "abc.png", "passwd.png"),
        (f"invoice{RLO}fdp.exe", "abc.pdf", "invoicefdp_exe.pdf"),
        ("", "abc.jpg", "file.jpg"),
        ("r\u00e9ponse.PDF", "abc.pdf", "r_ponse.pdf"),
    ],
)
def test_an_archive_name_takes_the_detected_extension(original, stored, expected):
    assert archive_name(original_name=original, stored_name=stored) == expected


def test_an_html_email_named_html_is_no_html_anywhere(owner_client, owner, final_case, upload):
    assert respond(owner_client, final_case, upload(HTML_EMAIL, "reply.html", "text/html")).status_code == 302
    attachment = Attachment.objects.get(case=final_case)
    assert attachment.file.name.endswith(".eml") and attachment.content_type == "message/rfc822"

    download = owner_client.get(reverse("cases:attachment", args=[final_case.pk, attachment.pk]))
    assert ".html" not in download["Content-Disposition"] and download["Content-Disposition"].endswith('.eml"')

    bundle = zipfile.ZipFile(io.BytesIO(evidence_bundle(case=final_case))).namelist()
    export = zipfile.ZipFile(io.BytesIO(account_export(user=owner))).namelist()
    for names in (bundle, export):
        assert not any(name.lower().endswith((".html", ".htm")) for name in names), names
        assert any(name.endswith("reply_html.eml") for name in names), names


def test_bidi_controls_are_stripped_from_file_names(owner_client, final_case, upload):
    respond(owner_client, final_case, upload(PDF_BYTES, f"invoice{RLO}fdp.exe.pdf", "application/pdf"))
    assert RLO not in Attachment.objects.get(case=final_case).original_name


def test_bidi_controls_are_stripped_from_employer_names(owner):
    employer = employer_submit(added_by=owner, legal_name=f"Acme {RLO}HbmG\u2066 Analytics", country="DE",
                               other_names=[f"Acme{RLO} Ltd"])
    assert employer.legal_name == "Acme HbmG Analytics"
    assert employer.other_names == ["Acme Ltd"]


def test_a_case_holds_at_most_its_upload_quota(owner_client, final_case, upload, settings):
    settings.UPLOAD_CASE_QUOTA_BYTES = len(PNG_BYTES) + len(PDF_BYTES) - 1
    assert respond(owner_client, final_case, upload(PNG_BYTES, "one.png")).status_code == 302
    refused = respond(owner_client, final_case, upload(PDF_BYTES, "two.pdf"))
    assert refused.status_code == 400
    assert "past its" in refused.content.decode()
    assert Attachment.objects.filter(case=final_case).count() == 1


def test_a_case_holds_at_most_its_number_of_files(owner_client, final_case, upload, settings):
    settings.UPLOAD_CASE_MAX_FILES = 1
    respond(owner_client, final_case, upload(PNG_BYTES, "one.png"))
    refused = respond(owner_client, final_case, upload(PNG_BYTES, "two.png"))
    assert refused.status_code == 400 and "the most one case may hold" in refused.content.decode()
    assert Attachment.objects.filter(case=final_case).count() == 1
