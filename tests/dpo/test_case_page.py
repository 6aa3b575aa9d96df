"""The DPO's case page /employer/cases/<pk>: what the team sees (final letters, the requester as the letter
shows them, the law, every deadline with its trail, the shared timeline, shared uploads), what stays private
(the employee's account email, drafts, notes, unshared uploads), the team-only notes and assignment, and the
access log the employee sees as "Viewed by <team>'s DPO team on <date>"."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from deletion_portal.accounts.models import Role
from deletion_portal.cases.models import CaseEvent, EventKind, EventSource
from deletion_portal.cases.services import case_record_event
from deletion_portal.cases.uploads import check_upload
from deletion_portal.dpo.models import CaseAccessLog, CaseAssignment, TeamNote
from deletion_portal.employers.models import TeamRole
from tests.support.data import PDF_BYTES
from tests.support.world import login, make_account

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(isolated_media):
    pass


@pytest.fixture
def case(sent_case, owner):
    """The sent case; the owner's account email differs from the letter's, and the owner has a note and
    two uploads, one shared with the employer."""
    owner.email = "olive.account@private.example"
    owner.save(update_fields=["email"])
    case_record_event(case=sent_case, kind=EventKind.RECEIVED, on=date(2025, 5, 3), actor=owner,
                      details={"confirmed": True, "note": "my private thought about my boss"}, today=date(2025, 5, 3))
    for name, shared in (("shared.pdf", True), ("private.pdf", False)):
        event = case_record_event(case=sent_case, kind=EventKind.ACKNOWLEDGED, on=date(2025, 5, 4), actor=owner,
                                  upload=check_upload(SimpleUploadedFile(name, PDF_BYTES)), upload_name=name,
                                  today=date(2025, 5, 4))
        event.attachment.shared_with_employer = shared
        event.attachment.save(update_fields=["shared_with_employer"])
    sent_case.refresh_from_db()
    return sent_case


def page(client, user, case):
    return login(client, user).get(reverse("dpo:case", args=[case.pk]))


def test_the_dpo_sees_what_the_letter_says_and_every_deadline(client, dpo, case):
    response = page(client, dpo, case)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Olive Owner" in html and "Gartenweg 5" in html and "olive@mail.example" in html
    assert "E-1042" in html
    assert 'id="trail"' in html and "Art." in html  # the deadline trail with its citations
    assert "Erasure" in html
    letter = case.letters.get()
    assert reverse("cases:letter-pdf", args=[case.pk, letter.pk]) in html
    assert "shared.pdf" in html


def test_the_dpo_never_sees_the_account_email_private_notes_or_unshared_files(client, dpo, case):
    html = page(client, dpo, case).content.decode()
    assert "olive.account@private.example" not in html
    assert "my private thought" not in html
    assert "private.pdf" not in html


def test_employer_events_show_the_team_and_the_members_role(client, dpo, team, case):
    event = case_record_event(case=case, kind=EventKind.CLARIFICATION_REQUESTED, on=date(2025, 5, 5), actor=dpo,
                              source=EventSource.EMPLOYER, details={"note": "Which laptop?"}, today=date(2025, 5, 5))
    CaseEvent.objects.filter(pk=event.pk).update(team=team)
    html = page(client, dpo, case).content.decode()
    timeline = html[html.index('id="timeline"'):]
    assert "Acme privacy office (responder)" in timeline, timeline[:3000]
    assert "Which laptop?" in timeline


@pytest.mark.parametrize("who", ["owner", "other_dpo", "outsider", "advocate"])
def test_everyone_but_the_team_gets_a_404(client, request, who, case):
    """The owner too: the employee has their own case page; this one is the employer's."""
    user = request.getfixturevalue(who)
    assert page(client, user, case).status_code == 404
    assert not CaseAccessLog.objects.exists()


def test_a_draft_is_a_404_for_the_team(client, dpo, draft_case):
    assert page(client, dpo, draft_case).status_code == 404


def test_opening_the_case_writes_the_access_log_and_the_employee_sees_it(client, dpo, owner, team, case):
    page(client, dpo, case)
    log = CaseAccessLog.objects.get()
    assert (log.case, log.team, log.user, log.what) == (case, team, dpo, "case page")
    client.logout()
    html = login(client, owner).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Viewed by Acme privacy office's DPO team on" in html


def test_the_employee_sees_no_view_line_before_the_team_opened_it(client, owner, case):
    html = login(client, owner).get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "DPO team on" not in html


def test_a_note_is_the_teams_only(client, dpo, other_dpo, owner, case, team):
    login(client, dpo)
    response = client.post(reverse("dpo:case-note", args=[case.pk]), {"text": "Check with HR IT"})
    assert response.status_code == 302
    note = TeamNote.objects.get()
    assert (note.team, note.author, note.text) == (team, dpo, "Check with HR IT")
    html = client.get(reverse("dpo:case", args=[case.pk])).content.decode()
    assert "Check with HR IT" in html and "Visible to your team only" in html
    client.logout()
    assert "Check with HR IT" not in login(client, owner).get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_an_empty_note_is_refused(client, dpo, case):
    response = login(client, dpo).post(reverse("dpo:case-note", args=[case.pk]), {"text": "  "})
    assert response.status_code == 400 and not TeamNote.objects.exists()


def test_a_responder_assigns_the_case_to_a_member(client, dpo, team, team_member, case):
    colleague = make_account("resp@acme.example", Role.DPO, "Rita Responder")
    team_member(colleague, team)
    login(client, dpo)
    assert client.post(reverse("dpo:case-assign", args=[case.pk]), {"assignee": colleague.pk}).status_code == 302
    assert CaseAssignment.objects.get(case=case, team=team).assignee == colleague
    assert "Rita Responder" in client.get(reverse("dpo:inbox")).content.decode()
    assert client.post(reverse("dpo:case-assign", args=[case.pk]), {"assignee": ""}).status_code == 302
    assert CaseAssignment.objects.get(case=case, team=team).assignee is None


def test_nobody_outside_the_team_can_be_assigned(client, dpo, other_dpo, team, case):
    response = login(client, dpo).post(reverse("dpo:case-assign", args=[case.pk]), {"assignee": other_dpo.pk})
    assert response.status_code == 400 and not CaseAssignment.objects.exists()


def test_a_viewer_may_not_assign(client, team, team_member, case):
    viewer = make_account("viewer@acme.example", Role.DPO)
    team_member(viewer, team, role=TeamRole.VIEWER)
    response = login(client, viewer).post(reverse("dpo:case-assign", args=[case.pk]), {"assignee": viewer.pk})
    assert response.status_code == 404 and not CaseAssignment.objects.exists()


def test_a_removed_member_loses_access_at_once(client, dpo, case):
    login(client, dpo)
    assert client.get(reverse("dpo:case", args=[case.pk])).status_code == 200
    dpo.team_memberships.all().delete()
    assert client.get(reverse("dpo:case", args=[case.pk])).status_code == 404


def test_the_case_page_keeps_its_placeholders_for_the_actions(client, dpo, case):
    response = page(client, dpo, case)
    assert "dpo/case_actions.html" in [t.name for t in response.templates]



def test_the_employees_export_lists_the_teams_views_without_the_member(client, dpo, case):
    from deletion_portal.cases.hooks import case_export_sections

    page(client, dpo, case)
    entries = case_export_sections(cases=[case])[case.pk]["viewed_by_employer"]
    assert [(e["team"], e["what"]) for e in entries] == [("Acme privacy office", "case page")]
    assert "dpo@acme.example" not in str(entries)
