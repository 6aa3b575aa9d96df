"""Constants the tests share: the password, small real files as a browser would upload them, the fields
of a complete draft case, and the days the case fixtures are built on."""

from __future__ import annotations

from datetime import date, datetime
from datetime import timezone as dt_timezone

PASSWORD = "correct horse battery staple 42"

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
EML_BYTES = (
    b"From: DPO <privacy@acme.example>\r\nTo: olive@mail.example\r\nDate: Tue, 3 Jun 2025 10:00:00 +0200\r\n"
    b"Subject: Your request DP-TEST\r\n\r\nWe have received your request.\r\n"
)
HTML_BYTES = b"<!doctype html><html><body><script>alert(1)</script></body></html>"

# A complete draft (every field the letter needs), resumed at the preview (step 7).
DRAFT_FIELDS = {
    "work_country": "DE", "work_region": "DE-BY", "residence_country": "DE", "residence_region": "DE-BY",
    "law_key": "eu-gdpr", "region": "DE-BY", "language": "en", "bundle": "erase_training",
    "rights": ["access", "objection", "restriction", "erasure"], "categories": ["keystrokes", "mouse_movements"],
    "requester_name": "Olive Owner", "requester_address": "Gartenweg 5\n80333 München",
    "requester_email": "olive@mail.example", "employee_id": "E-1042", "job_title": "Data annotator",
    "wizard_step": 7,
}
# The request letter of ``final_case`` is made on this day, and ``sent_case`` is emailed the same day.
FINALISED_AT = datetime(2025, 5, 2, 9, 0, tzinfo=dt_timezone.utc)
SENT_ON = date(2025, 5, 2)  # email: received the same day; GDPR month -> due Monday 2 June 2025

# The tracking tests' case (sent outside the portal) and their frozen day.
CASE_FIELDS = {
    "work_country": "DE", "work_region": "DE-BY", "residence_country": "DE", "law_key": "eu-gdpr", "region": "DE-BY",
    "language": "en", "rights": ["access", "erasure"], "categories": ["keystrokes"], "requester_name": "Olive Owner",
    "requester_address": "Gartenweg 5\n80333 München", "requester_email": "olive.private@mail.example",
}
TODAY = date(2025, 6, 16)  # a Monday
