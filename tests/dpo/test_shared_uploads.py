"""Uploads the employee shares with the employer: the owner chooses on the case page's timeline (a POST,
default not shared, and stops sharing the same way); the employer's team downloads a shared file from its
case page (``dpo:case-attachment``), each download a row of the access log; an unshared file, another team,
the owner (who has ``cases:attachment``) and a withdrawn consent get a 404."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from deletion_portal.cases.models import Attachment, EventKind
from deletion_portal.cases.services import case_record_event, case_set_employer_may_answer
from deletion_portal.cases.uploads import check_upload, download_name
from deletion_portal.dpo.models import CaseAccessLog
from tests.support.data import PDF_BYTES
from tests.support.world import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment(sent_case, owner) -> Attachment:
    event = case_record_event(case=sent_case, kind=EventKind.RESPONSE_RECEIVED, on=date(2025, 6, 1), actor=owner,
                              upload=check_upload(SimpleUploadedFile('../évil "answer".pdf', PDF_BYTES)),
                              upload_name='../évil "answer".pdf', today=date(2025, 6, 1))
    return event.attachment


def share(client, case, attachment, value):
    return client.post(reverse("cases:attachment-share", args=[case.pk, attachment.pk]), {"share": value})


def download(client, case, attachment):
    return client.get(reverse("dpo:case-attachment", args=[case.pk, attachment.pk]))


def content(response) -> bytes:
    return b"".join(response.streaming_content)


def test_it_is_not_shared_until_the_owner_chooses(client, owner, sent_case, attachment):
    assert attachment.shared_with_employer is False
    page = login(client, owner).get(reverse("cases:detail", args=[sent_case.pk])).content.decode()
    action = reverse("cases:attachment-share", args=[sent_case.pk, attachment.pk])
    assert f'action="{action}"' in page
    assert "Share with the employer&#x27;s privacy team" in page or "Share with the employer's privacy team" in page


def test_it_shares_and_stops_sharing_on_the_owners_post(client, owner, sent_case, attachment):
    login(client, owner)
    response = share(client, sent_case, attachment, "yes")
    assert response.status_code == 302 and response["Location"].endswith(f"#attachment-{attachment.pk}")
    attachment.refresh_from_db()
    assert attachment.shared_with_employer is True
    page = client.get(reverse("cases:detail", args=[sent_case.pk])).content.decode()
    assert "Stop sharing" in page
    share(client, sent_case, attachment, "no")
    attachment.refresh_from_db()
    assert attachment.shared_with_employer is False


def test_a_bad_choice_changes_nothing(client, owner, sent_case, attachment):
    response = share(login(client, owner), sent_case, attachment, "maybe")
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert attachment.shared_with_employer is False


@pytest.mark.parametrize("who", ["dpo", "colleague"])
def test_only_the_owner_shares(client, request, sent_case, attachment, who):
    response = share(login(client, request.getfixturevalue(who)), sent_case, attachment, "yes")
    assert response.status_code == 404
    attachment.refresh_from_db()
    assert attachment.shared_with_employer is False


def test_an_attachment_of_another_case_is_a_404(client, owner, sent_case, attachment, employer):
    from deletion_portal.cases.services import case_create
    from tests.support.data import DRAFT_FIELDS

    other = case_create(owner=owner, employer=employer, **DRAFT_FIELDS)
    assert share(login(client, owner), other, attachment, "yes").status_code == 404


def test_the_team_downloads_a_shared_file_and_the_download_is_logged(client, owner, dpo, team, sent_case, attachment):
    share(login(client, owner), sent_case, attachment, "yes")
    client.logout()
    login(client, dpo)
    page = client.get(reverse("dpo:case", args=[sent_case.pk])).content.decode()
    url = reverse("dpo:case-attachment", args=[sent_case.pk, attachment.pk])
    assert f'href="{url}"' in page
    before = CaseAccessLog.objects.filter(case=sent_case, what="attachment").count()
    response = download(client, sent_case, attachment)
    assert response.status_code == 200
    assert content(response) == PDF_BYTES
    assert response["Cache-Control"] == "no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "/" not in disposition and ".." not in disposition and '\\"' not in disposition
    assert sent_case.reference in disposition and disposition.rstrip('"').endswith(".pdf")
    logged = CaseAccessLog.objects.filter(case=sent_case, what="attachment")
    assert logged.count() == before + 1
    row = logged.latest("at")
    assert row.user == dpo and row.team == team


def test_an_unshared_file_is_a_404_for_the_team_and_not_logged(client, dpo, sent_case, attachment):
    login(client, dpo)
    assert download(client, sent_case, attachment).status_code == 404
    assert not CaseAccessLog.objects.filter(case=sent_case, what="attachment").exists()


def test_stopping_to_share_ends_the_download_at_once(client, owner, dpo, sent_case, attachment):
    share(login(client, owner), sent_case, attachment, "yes")
    share(client, sent_case, attachment, "no")
    client.logout()
    assert download(login(client, dpo), sent_case, attachment).status_code == 404


def test_a_withdrawn_consent_ends_the_download_at_once(client, owner, dpo, sent_case, attachment):
    Attachment.objects.filter(pk=attachment.pk).update(shared_with_employer=True)
    case_set_employer_may_answer(case=sent_case, allowed=False, actor=owner)
    assert download(login(client, dpo), sent_case, attachment).status_code == 404


@pytest.mark.parametrize("who", ["owner", "other_dpo", "colleague"])
def test_everyone_else_gets_a_404(client, request, sent_case, attachment, who):
    Attachment.objects.filter(pk=attachment.pk).update(shared_with_employer=True)
    response = download(login(client, request.getfixturevalue(who)), sent_case, attachment)
    assert response.status_code == 404
    assert not CaseAccessLog.objects.filter(case=sent_case).exists()


def test_the_owners_own_download_is_not_cached_and_has_a_safe_name(client, owner, sent_case, attachment):
    response = login(client, owner).get(reverse("cases:attachment", args=[sent_case.pk, attachment.pk]))
    assert response.status_code == 200 and content(response) == PDF_BYTES
    assert response["Cache-Control"] == "no-store"
    assert "/" not in response["Content-Disposition"] and ".." not in response["Content-Disposition"]


@pytest.mark.parametrize(("original", "stored", "prefix", "expected"), [
    ("answer.pdf", "attachments/2025/06/x1.pdf", "", "answer.pdf"),
    ("../../etc/passwd", "attachments/2025/06/x1.pdf", "", "passwd.pdf"),                 # no path
    ("C:\\Users\\olive\\reply.pdf", "attachments/x.pdf", "E-1", "E-1-reply.pdf"),           # no Windows path
    ('bad"name\r\n.pdf', "attachments/x.pdf", "", "bad_name.pdf"),                        # no quotes, no CR/LF
    ("invoice.exe", "attachments/x.png", "", "invoice_exe.png"),                      # the stored type wins, one extension
    ("", "attachments/x.eml", "", "attachment.eml"),
    ("...", "attachments/x.pdf", "", "attachment.pdf"),
])
def test_it_names_downloads_safely(original, stored, prefix, expected):
    assert download_name(original_name=original, stored_name=stored, prefix=prefix) == expected


def test_it_cuts_long_names():
    name = download_name(original_name="a" * 500 + ".pdf", stored_name="x.pdf")
    assert name == "a" * 100 + ".pdf"
