"""The structured answer through the API: ``POST /api/v1/employer/cases/<id>/files`` and ``…/responses``; the
employee's ``GET /api/v1/cases/<id>`` lists the response letter under ``letters`` and the items under
``response``. Bad input is a 400 naming the field, never a 500; another team gets a 404."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from deletion_portal.cases.models import EventKind
from deletion_portal.dpo.models import ResponseFile
from tests.support.world import login

pytestmark = pytest.mark.django_db

TODAY = date(2025, 5, 20)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def dpo_api(dpo):
    return login(APIClient(), dpo)


@pytest.fixture
def stub_pdf(monkeypatch):
    import deletion_portal.core.pdf as pdf
    from tests.support.data import PDF_BYTES

    monkeypatch.setattr(pdf, "render_pdf", lambda *args, **kwargs: PDF_BYTES)


def post(client, case, body):
    return client.post(reverse("api-v1:employer-case-responses", args=[case.pk]), body, format="json")


def upload(client, case, name: str, content: bytes):
    return client.post(reverse("api-v1:employer-case-files", args=[case.pk]),
                       {"file": SimpleUploadedFile(name, content)}, format="multipart")


def test_a_draft_answers_with_what_is_missing(dpo_api, sent_case):
    response = post(dpo_api, sent_case, {"send": False, "access": {"art15_1_a": {"status": "answered", "text": "Analytics"}}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "draft" and body["letter"] is None and body["complete"] is False
    codes = [gap["code"] for gap in body["missing"]]
    assert "art15_1_a" not in codes and "art15_1_c" in codes
    assert all(gap["label"] for gap in body["missing"])


def test_sending_returns_the_letter_and_the_employee_sees_it(dpo_api, sent_case, owner, stub_pdf):
    file_id = upload(dpo_api, sent_case, "keystrokes.csv", b"when,key\n2025-01-02,a\n").json()["id"]
    response = post(dpo_api, sent_case, {
        "send": True, "files": [file_id],
        "access": {"art15_1_a": {"status": "answered", "text": "Analytics"},
                   "art15_1_c": {"status": "withheld", "ground": "rights_of_others", "text": "Names redacted."}},
        "artefacts": [{"kind": "model", "name": "support-agent-v3", "outcome": "retrained_without",
                       "outcome_date": "2025-05-12", "recipients": "none"}]})
    assert response.status_code == 201, response.content
    letter = response.json()["letter"]
    assert letter["kind"] == "response" and len(letter["sha256"]) == 64 and letter["pdf"].endswith("/pdf")

    employee = APIClient()
    employee.force_authenticate(owner)
    detail = employee.get(reverse("api-v1:case-detail", args=[sent_case.pk])).json()
    assert any(item["kind"] == "response" and item["sha256"] == letter["sha256"] for item in detail["letters"])
    answer = detail["response"]
    assert answer["letter"]["sha256"] == letter["sha256"]
    items = {item["code"]: item for item in answer["items"]}
    assert items["art15_1_c"]["status"] == "withheld" and "Art. 15(4) GDPR" in items["art15_1_c"]["ground"]
    assert items["art15_1_b"]["missing"] is True
    assert answer["artefacts"][0]["plain"] == "Model support-agent-v3: retrained without your data on 12 May 2025"
    assert answer["remedies"]["citation"] == "Art. 12(4) GDPR"  # something was withheld
    assert answer["files"][0]["name"] == "keystrokes.csv"
    assert detail["status"] == "answered"
    pdf = employee.get(letter["pdf"])
    assert pdf.status_code == 200


@pytest.mark.parametrize("body, field", [
    ({"artefacts": [{"kind": "model", "name": "m", "outcome": "forgotten"}]}, "artefacts[0].outcome"),
    ({"artefacts": [{"kind": "model", "name": "m", "outcome": "retained"}]}, "artefacts[0].ground"),  # GDPR 17(3)
    ({"artefacts": [{"kind": "model", "name": "m", "outcome": "deleted", "outcome_date": "2025-05-21"}]},
     "artefacts[0].outcome_date"),
    ({"artefacts": "all gone"}, "artefacts"),
    ({"on": "yesterday"}, "on"),
    ({"send": "yes"}, "send"),
    ({"mood": "happy"}, "mood"),
    ({"files": ["x"]}, "files"),
])
def test_bad_input_is_a_400_naming_the_field(dpo_api, sent_case, body, field):
    response = post(dpo_api, sent_case, body)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not sent_case.events.filter(kind=EventKind.RESPONSE_RECEIVED).exists()


def test_a_body_that_is_not_an_object_is_a_400(dpo_api, sent_case):
    response = dpo_api.post(reverse("api-v1:employer-case-responses", args=[sent_case.pk]), [1, 2], format="json")
    assert response.status_code == 400


def test_another_team_and_the_owner_get_a_404(sent_case, other_dpo, owner):
    for user in (other_dpo, owner):
        client = APIClient()
        client.force_authenticate(user)
        assert post(client, sent_case, {"send": True}).status_code == 404
        assert upload(client, sent_case, "a.csv", b"a,b\n1,2\n").status_code == 404


# --- Files: the content decides; ZIP archives checked without extracting -----------------------------------


def zip_of(entries: dict[str, bytes], *, compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize("name, content, kind", [
    ("copy.pdf", b"%PDF-1.4\n%%EOF\n", "pdf"),
    ("keys.csv", b"when;key\n2025-01-02;a\n2025-01-03;b\n", "csv"),
    ("features.json", b'{"typing_speed": [1, 2]}', "json"),
    ("screens.zip", None, "zip"),
])
def test_accepted_files_are_typed_by_content(dpo_api, sent_case, name, content, kind):
    content = content if content is not None else zip_of({"a.csv": b"x,y\n1,2\n"})
    response = upload(dpo_api, sent_case, name, content)
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == kind and len(response.json()["sha256"]) == 64


@pytest.mark.parametrize("name, content, says", [
    ("copy.pdf", b"when,key\n2025-01-02,a\n", ".pdf"),  # a file that is not what its name says
    ("run.exe", b"MZ\x90\x00\x03" + b"\x00" * 100, "not an accepted type"),
    ("page.html", b"<html><body>hi</body></html>", "not an accepted type"),
    ("bomb.zip", None, "zip bomb"),
    ("many.zip", "many", "entries"),
    ("broken.zip", b"PK\x03\x04garbage", "damaged"),
])
def test_refused_files_are_a_400_naming_the_file(dpo_api, sent_case, name, content, says):
    if content is None:
        content = zip_of({"zeros.bin": b"\x00" * (3 * 1024 * 1024)})
    elif content == "many":
        content = zip_of({f"f{i}.csv": b"a,b\n" for i in range(1001)}, compression=zipfile.ZIP_STORED)
    response = upload(dpo_api, sent_case, name, content)
    assert response.status_code == 400, response.content
    assert says in " ".join(response.json()["file"])
    assert not ResponseFile.objects.exists()


def test_zip_entry_names_are_sanitised(dpo_api, sent_case):
    content = zip_of({"../../etc/passwd.csv": b"a,b\n", "C:\\Windows\\x.csv": b"a,b\n", "ok/\x07bell.csv": b"a,b\n"})
    response = upload(dpo_api, sent_case, "odd.zip", content)
    assert response.status_code == 201
    names = [entry["name"] for entry in response.json()["zip_entries"]]
    assert names == ["etc/passwd.csv", "Windows/x.csv", "ok/bell.csv"]


def test_an_answer_dated_before_the_request_was_sent_names_the_date(dpo_api, sent_case, stub_pdf):
    response = post(dpo_api, sent_case, {"send": True, "on": "2025-05-01"})  # sent on 2025-05-02
    assert response.status_code == 400 and "on" in response.json()
    assert not sent_case.letters.filter(kind="response").exists()


def test_a_letter_too_long_to_render_is_a_400_and_nothing_is_kept(dpo_api, sent_case, monkeypatch):
    import deletion_portal.core.pdf as pdf

    def refuse(*args, **kwargs):
        raise pdf.PdfRenderError("The letter would be longer than 60 pages.")

    monkeypatch.setattr(pdf, "render_pdf", refuse)
    response = post(dpo_api, sent_case, {"send": True})
    assert response.status_code == 400 and "60 pages" in " ".join(response.json()["answer"])
    assert not sent_case.letters.filter(kind="response").exists()
    assert not sent_case.events.filter(kind=EventKind.RESPONSE_RECEIVED).exists()


def test_the_employee_cannot_send_the_response_letter_back(dpo_api, sent_case, owner, stub_pdf):
    letter = post(dpo_api, sent_case, {"send": True}).json()["letter"]
    employee = APIClient()
    employee.force_authenticate(owner)
    response = employee.post(reverse("api-v1:case-letter-send", args=[sent_case.pk, letter["id"]]), {}, format="json")
    assert response.status_code == 400


def test_the_team_sees_its_draft_and_its_sent_answers_in_the_case_detail(dpo_api, sent_case, stub_pdf):
    sent = post(dpo_api, sent_case, {"send": True}).json()
    post(dpo_api, sent_case, {"send": False, "access": {"art15_1_c": {"status": "answered", "text": "Vendor AI Ltd"}}})
    answers = dpo_api.get(reverse("api-v1:employer-case-detail", args=[sent_case.pk])).json()["answers"]
    assert answers["sent"][0]["letter"]["sha256"] == sent["letter"]["sha256"]
    assert answers["draft"]["answer"]["access"]["art15_1_c"]["text"] == "Vendor AI Ltd"
    assert "art15_1_c" not in [gap["code"] for gap in answers["draft"]["missing"]]
