"""Bulk letters fixtures: members who mandated the organisation, and a stand-in PDF renderer (valid one-page
PDFs whose content depends on the HTML, so each letter has its own SHA-256)."""

from __future__ import annotations

import hashlib
import io

import pytest

from tests.support.data import DRAFT_FIELDS


def fake_pdf(html: str, **_kwargs) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({"/Title": hashlib.sha256(html.encode()).hexdigest()})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def fake_renderer(monkeypatch):
    """Letters render instantly (core.pdf.render_pdf replaced; rendering itself is tested in tests/core)."""
    import deletion_portal.core.pdf as pdf

    monkeypatch.setattr(pdf, "render_pdf", fake_pdf)
    return fake_pdf


@pytest.fixture
def mandated_cases(organisation, employer, share_case):
    """``mandated_cases(n, act_for=True)`` → n complete drafts of n members, each shared with the organisation
    with a mandate (``act_for``)."""
    from deletion_portal.accounts.models import Role
    from deletion_portal.cases.services import case_create
    from tests.support.world import make_account

    made = []

    def make(n: int, *, act_for: bool = True, see_case: bool = True, revoked: bool = False):
        cases = []
        for _ in range(n):
            index = len(made) + 1
            member = make_account(f"member{index}@mail.example", Role.EMPLOYEE, f"Member {index}")
            fields = {**DRAFT_FIELDS, "requester_name": f"Member {index}", "requester_email": f"member{index}@mail.example"}
            case = case_create(owner=member, employer=employer, **fields)
            share_case(case, see_case=see_case, act_for=act_for, revoked=revoked)
            made.append(case)
            cases.append(case)
        return cases

    return make


@pytest.fixture
def org_people(organisation):
    """An admin, an organiser and a viewer of ``organisation``, and the admin of another organisation."""
    from deletion_portal.accounts.models import Role
    from deletion_portal.advocacy.models import Organisation, OrganisationMembership, OrganisationRole
    from tests.support.world import make_account

    other = Organisation.objects.create(name="Rival Union", country="DE")
    people = {}
    for key, org, role in (("org_admin", organisation, OrganisationRole.ADMIN),
                           ("organiser", organisation, OrganisationRole.ORGANISER),
                           ("viewer", organisation, OrganisationRole.VIEWER),
                           ("other_admin", other, OrganisationRole.ADMIN)):
        people[key] = make_account(f"{key}@union.example", Role.ADVOCATE, key.replace("_", " ").title())
        OrganisationMembership.objects.create(organisation=org, user=people[key], role=role)
    people["other_organisation"] = other
    return people
