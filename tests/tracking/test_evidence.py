"""The evidence bundle: every letter, every attachment, the timeline, and a manifest of SHA-256 hashes."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import date

import pytest

from deletion_portal.cases.models import EventKind, LetterKind
from deletion_portal.cases.services import case_record_event, letter_finalize
from deletion_portal.tracking.evidence import evidence_bundle, timeline_html
from deletion_portal.tracking.letters import complaint_draft, follow_up_draft
from tests.support.tracking import AFTER, HOSTILE, pdf_text, respond, send
from tests.support.world import login


@pytest.fixture
def full_case(final_case, pdf_rendering):
    case = send(final_case)
    letter_finalize(case=case, letter=follow_up_draft(case=case, today=AFTER), today=AFTER)
    respond(case, on=date(2025, 6, 20))
    return case


def parse_manifest(text: str) -> dict[str, tuple[str, int]]:
    """``manifest.txt`` as {file: (sha256, size)}, as anyone checking a bundle would read it."""
    found = {}
    for line in text.splitlines():
        match = re.match(r"^([0-9a-f]{64})\s+(\d+)\s+(\S+)", line)
        if match:
            found[match[3]] = (match[1], int(match[2]))
    return found


def test_the_zip_holds_every_document_in_a_fixed_order(full_case):
    data = evidence_bundle(case=full_case)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    request_id = full_case.letters.get(kind=LetterKind.REQUEST).short_id
    follow_id = full_case.letters.get(kind=LetterKind.FOLLOW_UP).short_id
    assert names == [
        f"letters/01-request-{request_id}.pdf",
        f"letters/02-follow-up-{follow_id}.pdf",
        "attachments/01-answer.pdf",
        "timeline.pdf",
        "manifest.txt",
    ]


def test_the_manifest_hashes_match_the_files(full_case):
    archive = zipfile.ZipFile(io.BytesIO(evidence_bundle(case=full_case)))
    manifest = parse_manifest(archive.read("manifest.txt").decode())
    assert set(manifest) == set(archive.namelist()) - {"manifest.txt"}
    for name, (digest, size) in manifest.items():
        content = archive.read(name)
        assert hashlib.sha256(content).hexdigest() == digest
        assert len(content) == size
    # The stored hashes of the letters and the attachment are the ones in the manifest.
    for letter in full_case.letters.filter(is_final=True):
        assert letter.sha256 in {digest for digest, _ in manifest.values()}
    assert full_case.attachments.get().sha256 == manifest["attachments/01-answer.pdf"][0]


def test_the_bundle_is_deterministic(full_case):
    assert evidence_bundle(case=full_case) == evidence_bundle(case=full_case)


def test_the_complaint_lists_the_same_hashes(full_case):
    # A refusal may go to the authority at once (silence and incomplete answers wait for the sent follow-up).
    case_record_event(case=full_case, kind=EventKind.REFUSED, on=date(2025, 6, 21), details={"grounds": "No."},
                      today=date(2025, 6, 21))
    complaint = complaint_draft(case=full_case, today=date(2025, 7, 1))
    manifest = parse_manifest(zipfile.ZipFile(io.BytesIO(evidence_bundle(case=full_case))).read("manifest.txt").decode())
    for name, (digest, _) in manifest.items():
        if name != "timeline.pdf":
            assert name in complaint.html and digest in complaint.html


def test_the_timeline_lists_events_by_role_not_email(full_case):
    html = timeline_html(full_case)
    assert "olive@mail.example" not in html.split("<table>")[1]
    assert "the requester (case owner)" in html
    assert "Response received" in html and "2025-06-20" in html
    text = pdf_text(zipfile.ZipFile(io.BytesIO(evidence_bundle(case=full_case))).read("timeline.pdf"))
    assert f"Timeline of case {full_case.reference}" in text
    assert "Response received" in text


def test_hostile_notes_are_escaped_in_the_timeline(full_case):
    from deletion_portal.cases.models import CaseEvent, EventKind

    CaseEvent.objects.create(case=full_case, kind=EventKind.ACKNOWLEDGED, on=date(2025, 5, 3), details={"note": HOSTILE})
    html = timeline_html(full_case)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert evidence_bundle(case=full_case)  # still renders


def test_download(full_case, owner_client):
    response = owner_client.get(f"/cases/{full_case.pk}/evidence.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"{full_case.reference}-evidence.zip" in response["Content-Disposition"]
    assert "manifest.txt" in zipfile.ZipFile(io.BytesIO(response.content)).namelist()


def test_other_users_get_404(full_case, client, colleague, outsider):
    for user in (colleague, outsider):
        login(client, user)
        assert client.get(f"/cases/{full_case.pk}/evidence.zip").status_code == 404


def test_anonymous_is_sent_to_login(full_case, client):
    response = client.get(f"/cases/{full_case.pk}/evidence.zip")
    assert response.status_code == 302 and "login" in response["Location"]
