"""Helpers for the account tests: a case with everything export and deletion must cover (a final letter,
a draft, an attachment, events), built directly; and the portal link in an email body."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from urllib.parse import urlparse

from django.core.files.base import ContentFile

from deletion_portal.cases.models import Attachment, Case, CaseEvent, CaseStatus, EventKind, Letter, LetterKind
from deletion_portal.employers.models import Employer

PDF_BYTES = b"%PDF-1.4\n% a final letter\n%%EOF\n"
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)



def make_case(owner, *, name="Olive Owner", email="olive.private@mail.example", attachment_name="reply.png"):
    employer = Employer.objects.create(legal_name=f"Acme {owner.pk} GmbH", country="DE", added_by=owner)
    case = Case.objects.create(
        owner=owner, employer=employer, status=CaseStatus.SENT, law_key="eu-gdpr", region="DE-BY", language="en",
        rights=["access", "erasure"], categories=["keystrokes"], requester_name=name,
        requester_address="Gartenweg 5\n80333 München", requester_email=email, received_on=date(2025, 6, 2),
    )
    letter = Letter(case=case, kind=LetterKind.REQUEST, language="en", template_version="t", html="<p>Request</p>",
                    sha256=hashlib.sha256(PDF_BYTES).hexdigest(), is_final=True)
    letter.pdf.save(f"{case.reference}-{letter.short_id}.pdf", ContentFile(PDF_BYTES), save=False)
    letter.save()
    draft = Letter.objects.create(case=case, kind=LetterKind.FOLLOW_UP, language="en", template_version="t",
                                  html="<p>Draft follow-up</p>")
    attachment = Attachment(case=case, original_name=attachment_name, content_type="image/png", size=len(PNG_BYTES),
                            sha256=hashlib.sha256(PNG_BYTES).hexdigest(), uploaded_by=owner)
    attachment.file.save("reply.png", ContentFile(PNG_BYTES), save=False)
    attachment.save()
    CaseEvent.objects.create(case=case, kind=EventKind.SENT, on=date(2025, 6, 1), actor=owner,
                             details={"channel": "post", "tracking_number": "RR123456789DE"})
    CaseEvent.objects.create(case=case, kind=EventKind.RESPONSE_RECEIVED, on=date(2025, 6, 20), actor=owner,
                             attachment=attachment, details={"note": "They sent a partial answer"})
    return case, letter, draft, attachment


def link_path(body: str, site_url: str = "https://portal.example") -> str:
    """The path of the first portal link in a text email body."""
    match = re.search(re.escape(site_url) + r"(/\S+)", body)
    assert match, f"no portal link in:\n{body}"
    return urlparse(match.group(0)).path
