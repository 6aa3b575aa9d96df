"""A user can delete their account and all their data; a wrong password deletes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.files.storage import default_storage
from django.urls import reverse

from deletion_portal.accounts.api_tokens import api_token_create
from deletion_portal.accounts.models import ApiToken, User
from deletion_portal.accounts.services import WrongPassword, account_delete
from deletion_portal.cases.models import Attachment, Case, CaseEvent, Letter
from deletion_portal.core.models import OutboxMessage, OutboxState
from deletion_portal.tracking.models import AuditLine, CalendarFeed, Deadline
from tests.support.accounts import make_case
from tests.support.world import login


@pytest.fixture(autouse=True)
def _fast_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def owner(make_account):
    return make_account("olive@mail.example", display_name="Olive Owner")


@pytest.fixture
def other(make_account):
    return make_account("colin@mail.example", display_name="Colin Colleague")


@pytest.fixture
def world(owner, other):
    """The owner's case with files, a deadline, a token, a feed and outbox rows; the same for another user."""
    mine = make_case(owner)
    theirs = make_case(other, name="Colin Colleague", email="colin.private@mail.example")
    for case, *_ in (mine, theirs):
        Deadline.objects.create(case=case, kind="respond_by", due_on=date(2025, 7, 2), version=1)
        for state in (OutboxState.QUEUED, OutboxState.RETRYING, OutboxState.SENT):
            OutboxMessage.objects.create(key=f"{case.pk}:{state}", topic=f"case:{case.pk}", to=["dpo@acme.example"],
                                         subject="Request", body=f"From {case.requester_name}", state=state)
    for user in (owner, other):
        api_token_create(user=user, name="script")
        CalendarFeed.objects.create(user=user)
    return mine, theirs


def stored(case) -> list[str]:
    names = [letter.pdf.name for letter in case.letters.all() if letter.pdf]
    names += [attachment.file.name for attachment in case.attachments.all()]
    assert names
    return names


def test_it_deletes_the_user_every_case_file_token_feed_and_outbox_row(world, owner, other,
                                                                    django_capture_on_commit_callbacks):
    (case, letter, draft, attachment), (theirs, *_) = world
    mine_files, their_files = stored(case), stored(theirs)
    employer = case.employer
    assert all(default_storage.exists(name) for name in mine_files)

    with django_capture_on_commit_callbacks(execute=True):
        count = account_delete(user=owner, password="correct horse battery staple 42")

    assert count == 1
    assert not User.objects.filter(email="olive@mail.example").exists()
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not Letter.objects.filter(case_id=case.pk).exists()
    assert not Attachment.objects.filter(case_id=case.pk).exists()
    assert not CaseEvent.objects.filter(case_id=case.pk).exists()
    assert not Deadline.objects.filter(case_id=case.pk).exists()
    assert not any(default_storage.exists(name) for name in mine_files)
    assert not OutboxMessage.objects.filter(topic=f"case:{case.pk}").exists()
    assert not ApiToken.objects.filter(user_id=owner.pk).exists()
    assert not CalendarFeed.objects.filter(user_id=owner.pk).exists()
    # The directory entry stays, without its author.
    employer.refresh_from_db()
    assert employer.added_by_id is None
    # Nobody else's data is touched.
    assert Case.objects.filter(pk=theirs.pk).exists()
    assert all(default_storage.exists(name) for name in their_files)
    assert OutboxMessage.objects.filter(topic=f"case:{theirs.pk}").count() == 3
    assert ApiToken.objects.filter(user=other).exists() and CalendarFeed.objects.filter(user=other).exists()


def test_it_writes_an_audit_line_without_personal_data(world, owner):
    account_delete(user=owner, password="correct horse battery staple 42")
    line = AuditLine.objects.get(action="account_deleted")
    assert line.count == 1
    assert "olive" not in line.detail.lower() and "Owner" not in line.detail


def test_a_wrong_password_deletes_nothing(world, owner, django_capture_on_commit_callbacks):
    (case, *_), _ = world
    files = stored(case)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WrongPassword):
        account_delete(user=owner, password="wrong password")
    with pytest.raises(WrongPassword):
        account_delete(user=owner, password="")
    assert User.objects.filter(pk=owner.pk).exists()
    assert Case.objects.filter(pk=case.pk).exists()
    assert all(default_storage.exists(name) for name in files)
    assert OutboxMessage.objects.filter(topic=f"case:{case.pk}").count() == 3
    assert ApiToken.objects.filter(user=owner).exists()
    assert not AuditLine.objects.filter(action="account_deleted").exists()


def test_it_keeps_the_files_when_the_deletion_is_rolled_back(world, owner, monkeypatch,
                                                              django_capture_on_commit_callbacks):
    (case, *_), _ = world
    files = stored(case)

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(AuditLine.objects, "create", fail)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        account_delete(user=owner, password="correct horse battery staple 42")
    assert all(default_storage.exists(name) for name in files)


# --- The page ---------------------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    for method in (client.get, client.post):
        response = method(reverse("accounts:delete"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_it_explains_what_is_deleted_and_asks_for_the_password_and_delete(client, world, owner):
    login(client, owner)
    response = client.get(reverse("accounts:delete"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'type="password"' in body and "DELETE" in body
    assert "1 case" in body and "download your data" in body.lower()


def test_it_deletes_signs_out_and_says_goodbye(client, world, owner, django_capture_on_commit_callbacks):
    (case, *_), _ = world
    files = stored(case)
    login(client, owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:delete"),
                               {"password": "correct horse battery staple 42", "confirm": "DELETE"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:deleted")
    assert SESSION_KEY not in client.session
    assert not User.objects.filter(pk=owner.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    goodbye = client.get(response["Location"])
    assert goodbye.status_code == 200
    assert b"Goodbye" in goodbye.content and b"1 case" in goodbye.content
    assert client.get(reverse("accounts:account")).status_code == 302  # signed out


@pytest.mark.parametrize("data", [
    {"password": "wrong password", "confirm": "DELETE"},
    {"password": "correct horse battery staple 42", "confirm": "delete"},
    {"password": "correct horse battery staple 42", "confirm": ""},
    {"password": "", "confirm": "DELETE"},
])
def test_a_wrong_password_or_confirmation_shows_an_error_and_deletes_nothing(client, world, owner, data):
    (case, *_), _ = world
    login(client, owner)
    response = client.post(reverse("accounts:delete"), data)
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert User.objects.filter(pk=owner.pk).exists() and Case.objects.filter(pk=case.pk).exists()
    assert client.session[SESSION_KEY] == str(owner.pk)


def test_wrong_passwords_on_the_delete_page_count_towards_the_lockout(client, world, owner, settings):
    """The re-check goes through authenticate(), so django-axes throttles it like the login page."""
    from axes.models import AccessAttempt

    login(client, owner)
    client.post(reverse("accounts:delete"), {"password": "wrong password", "confirm": "DELETE"})
    assert AccessAttempt.objects.filter(username="olive@mail.example").exists()


def test_it_only_ever_deletes_the_signed_in_user(client, world, owner, other):
    _, (theirs, *_) = world
    login(client, owner)
    client.post(reverse("accounts:delete"), {"password": "correct horse battery staple 42", "confirm": "DELETE",
                                             "user": other.pk, "pk": other.pk})
    assert not User.objects.filter(pk=owner.pk).exists()
    assert User.objects.filter(pk=other.pk).exists() and Case.objects.filter(pk=theirs.pk).exists()
