"""Bulk letters render through a cross-letter cache of line breaks (core/pdf_lines.py): the PDF a bulk job stores for
each member is byte-for-byte the PDF of finalising that letter on its own. Varied letters: languages, laws (GDPR,
UK GDPR, CCPA on US Letter paper), long names, CJK, Arabic and Hebrew names, in chunks of 3 so that later letters
reuse the earlier ones' line breaks and replay their drawn lines."""

from __future__ import annotations

import hashlib

import pytest
from django.core.cache import cache

from deletion_portal.advocacy.bulk import bulk_job_start, bulk_job_step
from deletion_portal.cases.models import Letter, LetterKind
from deletion_portal.cases.services import case_create, letter_pdf_bytes
from deletion_portal.employers.models import Employer
from tests.support.data import DRAFT_FIELDS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pdf_rendering", "isolated_media")]

#: (requester name, letter language, law, region, work country)
MEMBERS = [
    ("Olive Owner", "en", "eu-gdpr", "DE-BY", "DE"),
    ("Maria-Magdalena Alexandrina von Hohenzollern-Sigmaringen-Weißenfels zu Oberammergau", "de", "eu-gdpr",
     "DE-BY", "DE"),
    ("王小明", "en", "eu-gdpr", "DE-BY", "DE"),
    ("محمد عبد الله العلي", "fr", "eu-gdpr", "DE-BY", "DE"),
    ("דוד כהן", "de", "eu-gdpr", "DE-BY", "DE"),
    ("Ana García", "es", "eu-gdpr", "DE-BY", "DE"),
    ("Olivia Owens", "en", "uk-gdpr", "GB-ENG", "GB"),
    ("山田太郎", "en", "us-ca-ccpa", "US-CA", "US"),
]


def test_every_bulk_letter_has_the_sha256_of_the_same_letter_rendered_alone(settings, advocate, organisation,
                                                                            share_case, monkeypatch):
    from deletion_portal.accounts.models import Role
    from deletion_portal.core.pdf_lines import LineCacheStats
    from tests.support.world import make_account

    settings.BULK_CHUNK = 3
    blocks = []  # every chunk's cache figures: lines were really shared, drawn lines really replayed
    original_init = LineCacheStats.__init__

    def init(self):
        original_init(self)
        blocks.append(self)

    monkeypatch.setattr(LineCacheStats, "__init__", init)
    cases = []
    for index, (name, language, law, region, country) in enumerate(MEMBERS):
        member = make_account(f"member{index}@mail.example", Role.EMPLOYEE, name)
        employer = Employer.objects.create(legal_name=f"Employer {index} Ltd", country=country,
                                           postal_address=f"Street {index}\nTown", privacy_email="p@e.example")
        fields = {**DRAFT_FIELDS, "law_key": law, "region": region, "work_country": country, "work_region": region,
                  "residence_country": country, "residence_region": region, "language": language,
                  "requester_name": name, "requester_email": f"member{index}@mail.example"}
        if law == "us-ca-ccpa":
            fields["rights"] = ["access", "erasure", "limit_sensitive", "opt_out_sharing"]
        case = case_create(owner=member, employer=employer, **fields)
        share_case(case, act_for=True)
        cases.append(case)

    job = bulk_job_start(organisation=organisation, user=advocate)
    for _ in range(20):
        if bulk_job_step(job_id=job.pk) != "more":
            break
    job.refresh_from_db()
    assert job.done == len(MEMBERS), (job.done, job.errors, list(job.items.values_list("error", flat=True)))
    assert sum(b.hits for b in blocks) > 0 and sum(b.paint_hits for b in blocks) > 0

    letters = Letter.objects.filter(case__in=cases, kind=LetterKind.REQUEST, is_final=True).select_related("case")
    assert len(letters) == len(MEMBERS)
    for letter in letters:
        cache.clear()  # no PDF cached by content hash: render it again, alone, without the line-break cache
        alone = letter_pdf_bytes(case=letter.case, letter=letter)
        stored = letter.pdf.open("rb").read()
        assert hashlib.sha256(stored).hexdigest() == letter.sha256 == hashlib.sha256(alone).hexdigest(), \
            letter.case.requester_name
