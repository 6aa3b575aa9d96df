"""POST /api/v1/auth/token: an email address and password for the user's API token."""

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.test import APIClient

from deletion_portal.accounts.api_tokens import key_hash
from deletion_portal.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db

URL = "/api/v1/auth/token"
PASSWORD = "correct horse battery staple 42"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def owner():
    return User.objects.create_user(email="owner@example.org", password=PASSWORD)


def test_it_gives_a_token_for_the_email_key_and_stores_only_its_hash(api, owner):
    response = api.post(URL, {"email": "owner@example.org", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    body = response.json()
    stored = ApiToken.objects.get(user=owner)
    assert body == {"token": body["token"], "name": "API token", "expires_at": stored.expires_at.isoformat()}
    assert stored.key_hash == key_hash(body["token"]) and body["token"] not in stored.key_hash


def test_each_call_makes_a_new_named_token_and_the_same_name_replaces_it(api, owner):
    first = api.post(URL, {"username": "owner@example.org", "password": PASSWORD, "name": "backup script"}, format="json")
    second = api.post(URL, {"username": "Owner@Example.org", "password": PASSWORD, "name": "calendar sync"})  # form body
    assert second.status_code == 200 and second.json()["name"] == "calendar sync"
    assert second.json()["token"] != first.json()["token"]
    assert sorted(ApiToken.objects.filter(user=owner).values_list("name", flat=True)) == ["backup script", "calendar sync"]
    third = api.post(URL, {"email": "owner@example.org", "password": PASSWORD, "name": "backup script"}, format="json")
    assert ApiToken.objects.filter(user=owner).count() == 2
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {first.json()['token']}")
    assert client.get("/api/v1/cases").status_code == 401  # replaced
    client.credentials(HTTP_AUTHORIZATION=f"Token {third.json()['token']}")
    assert client.get("/api/v1/cases").status_code == 200


def test_the_token_authenticates_api_requests(api, owner):
    token = api.post(URL, {"email": "owner@example.org", "password": PASSWORD}, format="json").json()["token"]
    assert APIClient().get("/api/v1/cases").status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/cases").status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"email": "owner@example.org", "password": "wrong password!!"},
        {"email": "nobody@example.org", "password": PASSWORD},
    ],
    ids=["wrong-password", "unknown-email"],
)
def test_it_refuses_wrong_credentials_without_saying_which_part(api, owner, body):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail == "Unable to sign in with that email address and password."
    assert not ApiToken.objects.exists()


def test_it_refuses_an_inactive_account(api, owner):
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert api.post(URL, {"email": "owner@example.org", "password": PASSWORD}, format="json").status_code == 400


@pytest.mark.parametrize(
    "body, field",
    [
        ({"password": PASSWORD}, "email"),
        ({"email": "owner@example.org"}, "password"),
        ({}, "password"),
        ({"email": "", "username": "", "password": PASSWORD}, "email"),
        ({"email": ["owner@example.org"], "password": PASSWORD}, "email"),
        ({"email": "owner@example.org", "password": {"x": 1}}, "password"),
    ],
)
def test_it_names_a_missing_or_malformed_field(api, owner, body, field):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("junk", [b'{"email": "owner@', b"[" * 5000 + b"]" * 5000, b"null", b"[]", b"\xff"])
def test_it_answers_400_to_malformed_json(api, owner, junk):
    response = api.post(URL, junk, content_type="application/json")
    assert response.status_code == 400
    assert isinstance(response.json(), dict)


def test_it_locks_out_after_five_failures_even_with_the_right_password(api, owner):
    with time_machine.travel("2026-03-01 09:00:00Z", tick=False):
        for _ in range(4):
            assert api.post(URL, {"email": "owner@example.org", "password": "wrong password!!"}, format="json").status_code == 400
        fifth = api.post(URL, {"email": "OWNER@example.org", "password": "wrong password!!"}, format="json")
        assert fifth.status_code == 429
        response = api.post(URL, {"username": "owner@example.org", "password": PASSWORD}, format="json")

    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "Too many failed sign-in attempts" in response.json()["detail"]
    assert "15 minutes" in response.json()["detail"]
    assert not ApiToken.objects.exists()

    with time_machine.travel("2026-03-01 09:16:00Z", tick=False):
        response = api.post(URL, {"email": "owner@example.org", "password": PASSWORD}, format="json")
    assert response.status_code == 200


def test_a_lockout_through_the_api_also_locks_the_login_page(api, owner, client):
    for _ in range(5):
        api.post(URL, {"email": "owner@example.org", "password": "wrong password!!"}, format="json")
    response = client.post("/accounts/login/", {"username": "owner@example.org", "password": PASSWORD})
    assert response.status_code == 429
