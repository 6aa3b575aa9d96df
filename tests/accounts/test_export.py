"""A user can download everything the portal holds about them, and only their own data."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date

import pytest
from django.urls import reverse

from deletion_portal.accounts.export import account_export
from tests.support.accounts import PDF_BYTES, PNG_BYTES, make_case
from tests.support.world import login


@pytest.fixture(autouse=True)
def _fast_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.namelist()


@pytest.fixture
def owner(make_account):
    return make_account("olive@mail.example", display_name="Olive Owner")


@pytest.fixture
def other(make_account):
    return make_account("colin@mail.example", display_name="Colin Colleague")


def test_it_exports_the_account_every_case_every_file_and_a_manifest(owner):
    case, letter, draft, attachment = make_case(owner)
    data = account_export(user=owner)
    files = unzip(data)
    order = names(data)
    assert order[0] == "account.json" and order[1] == "cases.json" and order[-1] == "manifest.txt"

    account = json.loads(files["account.json"])
    assert account["email"] == "olive@mail.example"
    assert account["display_name"] == "Olive Owner"
    assert account["role"] == "employee"
    assert account["date_joined"] and "email_confirmed_at" in account
    assert "password" not in account
    assert [e["legal_name"] for e in account["employers_added"]] == [case.employer.legal_name]

    cases = json.loads(files["cases.json"])
    assert len(cases) == 1
    exported = cases[0]
    for field in ("reference", "requester_name", "requester_address", "requester_email", "rights", "categories",
                  "law_key", "status", "received_on", "created_at", "updated_at", "other_data", "identity_note"):
        assert field in exported, field
    assert exported["requester_address"] == "Gartenweg 5\n80333 München"
    assert [e["kind"] for e in exported["events"]] == ["sent", "response_received"]
    assert exported["events"][0]["details"] == {"channel": "post", "tracking_number": "RR123456789DE"}
    assert exported["events"][1]["attachment_id"] == attachment.pk
    assert {entry["short_id"] for entry in exported["letters"]} == {letter.short_id, draft.short_id}
    assert "deadlines" in exported

    letter_path = next(e["file_in_export"] for e in exported["letters"] if e["short_id"] == letter.short_id)
    attachment_path = exported["attachments"][0]["file_in_export"]
    assert files[letter_path] == PDF_BYTES
    assert files[attachment_path] == PNG_BYTES
    assert letter_path.startswith(f"cases/{case.reference}/letters/")
    assert attachment_path.startswith(f"cases/{case.reference}/attachments/")


def test_it_lists_every_file_with_its_sha256_in_the_manifest(owner):
    make_case(owner)
    files = unzip(account_export(user=owner))
    lines = [line for line in files["manifest.txt"].decode().splitlines() if not line.startswith("#")]
    listed = {}
    for line in lines:
        digest, size, path = line.split("  ", 2)
        listed[path] = (digest, int(size))
    assert set(listed) == set(files) - {"manifest.txt"}
    for path, (digest, size) in listed.items():
        assert hashlib.sha256(files[path]).hexdigest() == digest
        assert len(files[path]) == size


def test_it_includes_the_deadline_rows(owner):
    from deletion_portal.tracking.models import Deadline

    case, *_ = make_case(owner)
    Deadline.objects.create(case=case, kind="respond_by", due_on=date(2025, 7, 2), version=1,
                            trail=["received 2 June", "+1 month"], citations=["GDPR Art. 12(3)"])
    cases = json.loads(unzip(account_export(user=owner))["cases.json"])
    assert [(d["kind"], d["due_on"], d["trail"]) for d in cases[0]["deadlines"]] == [
        ("respond_by", "2025-07-02", ["received 2 June", "+1 month"])
    ]


def test_it_gives_the_same_bytes_twice(owner):
    make_case(owner)
    make_case(owner, attachment_name="second.png")
    assert account_export(user=owner) == account_export(user=owner)


def test_it_never_contains_another_users_cases_or_files(owner, other):
    make_case(owner)
    theirs, *_ = make_case(other, name="Colin Colleague", email="colin.private@mail.example")
    data = account_export(user=owner)
    assert b"Colin" not in b"".join(unzip(data).values())
    assert theirs.reference not in " ".join(names(data))
    assert json.loads(unzip(account_export(user=other))["cases.json"])[0]["reference"] == theirs.reference


def test_it_exports_an_account_without_cases(owner):
    files = unzip(account_export(user=owner))
    assert json.loads(files["cases.json"]) == []
    assert set(files) == {"account.json", "cases.json", "manifest.txt"}


def test_it_notes_a_file_missing_from_storage_instead_of_failing(owner):
    _, _, _, attachment = make_case(owner)
    attachment.file.storage.delete(attachment.file.name)
    files = unzip(account_export(user=owner))
    assert "# missing from storage: " in files["manifest.txt"].decode()


# --- The page ---------------------------------------------------------------------------------------


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    for method in (client.get, client.post):
        response = method(reverse("accounts:export"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_it_shows_a_page_with_a_download_button(client, owner):
    login(client, owner)
    response = client.get(reverse("accounts:export"))
    assert response.status_code == 200
    assert b'method="post"' in response.content
    assert b"Download my data" in response.content


def test_it_downloads_the_signed_in_users_zip(client, owner, other):
    case, *_ = make_case(owner)
    theirs, *_ = make_case(other, name="Colin Colleague")
    login(client, other)
    response = client.post(reverse("accounts:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "colin" not in response["Content-Disposition"].lower()
    references = [c["reference"] for c in json.loads(unzip(response.content)["cases.json"])]
    assert references == [theirs.reference]  # never the owner's, whatever is posted
    response = client.post(reverse("accounts:export"), {"user": owner.pk, "pk": owner.pk})
    assert [c["reference"] for c in json.loads(unzip(response.content)["cases.json"])] == [theirs.reference]
    assert case.reference.encode() not in b"".join(unzip(response.content).values())


def test_the_account_page_links_to_export_and_deletion(client, owner):
    login(client, owner)
    response = client.get(reverse("accounts:account"))
    assert reverse("accounts:export").encode() in response.content
    assert reverse("accounts:delete").encode() in response.content
