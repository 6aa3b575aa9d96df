"""API tokens end (issue 13, item 2): on a password change or reset, on "Log out everywhere", with the
"Revoke" buttons of the account page, and when they expire (API_TOKEN_DAYS); an account has several, named."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from deletion_portal.accounts.api_tokens import api_token_create
from deletion_portal.accounts.models import ApiToken
from tests.support.world import login

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new long passphrase"


def works(key: str) -> bool:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    status = api.get("/api/v1/cases").status_code
    assert status in (200, 401), status
    return status == 200


@pytest.fixture
def keys(employee):
    return [api_token_create(user=employee, name=name)[1] for name in ("backup script", "calendar sync")]


def test_a_password_change_revokes_every_token(client, employee, keys, colleague):
    theirs = api_token_create(user=colleague, name="theirs")[1]
    login(client, employee)
    response = client.post(reverse("accounts:password-change"), {
        "old_password": "correct horse battery staple 42", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert not any(works(key) for key in keys)
    assert works(theirs)


def test_a_password_reset_revokes_every_token(client, employee, keys):
    uid = urlsafe_base64_encode(force_bytes(employee.pk))
    token = default_token_generator.make_token(employee)
    form = client.get(reverse("accounts:password-reset-confirm", args=[uid, token]), follow=True)
    response = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert not any(works(key) for key in keys)


def test_log_out_everywhere_ends_every_session_and_token(client, employee, keys, django_user_model):
    other_device = client.__class__()
    login(other_device, employee)
    login(client, employee)
    assert other_device.get(reverse("accounts:account")).status_code == 200

    response = client.post(reverse("accounts:logout-everywhere"))

    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert not any(works(key) for key in keys)
    for device in (client, other_device):
        assert device.get(reverse("accounts:account")).status_code == 302  # sent to log in
    employee.refresh_from_db()
    login(client, employee)  # a new sign-in works
    assert client.get(reverse("accounts:account")).status_code == 200


def test_log_out_everywhere_is_post_only(client, employee):
    login(client, employee)
    assert client.get(reverse("accounts:logout-everywhere")).status_code == 405
    assert client.get(reverse("accounts:account")).status_code == 200


def test_the_account_page_lists_the_tokens_and_revokes_one_or_all(client, employee, keys, colleague):
    theirs, their_key = api_token_create(user=colleague, name="theirs")
    login(client, employee)
    page = client.get(reverse("accounts:account")).content.decode()
    assert "backup script" in page and "calendar sync" in page and "theirs" not in page
    assert keys[0] not in page  # the key itself is never shown again

    one = ApiToken.objects.get(user=employee, name="backup script")
    assert client.post(reverse("accounts:tokens-revoke"), {"token": one.pk}).status_code == 302
    assert not works(keys[0]) and works(keys[1])

    assert client.post(reverse("accounts:tokens-revoke"), {"token": theirs.pk}).status_code == 404
    assert works(their_key)

    assert client.post(reverse("accounts:tokens-revoke")).status_code == 302
    assert not works(keys[1]) and works(their_key)


def test_a_token_expires_after_api_token_days(employee, settings):
    settings.API_TOKEN_DAYS = 30
    with time_machine.travel("2026-03-01 09:00:00Z", tick=False):
        token, key = api_token_create(user=employee, name="short-lived")
        assert works(key)
    with time_machine.travel("2026-03-31 08:59:00Z", tick=False):
        assert works(key)
    with time_machine.travel("2026-03-31 09:00:01Z", tick=False):
        assert not works(key)


def test_an_account_keeps_at_most_api_tokens_per_user(employee, settings):
    settings.API_TOKENS_PER_USER = 3
    made = [api_token_create(user=employee, name=f"script {i}")[1] for i in range(5)]
    assert ApiToken.objects.filter(user=employee).count() == 3
    assert [works(key) for key in made] == [False, False, True, True, True]


def test_an_inactive_account_s_token_is_refused(employee, keys):
    employee.is_active = False
    employee.save(update_fields=["is_active"])
    assert not works(keys[0])


def test_the_account_page_lists_2_or_12_tokens_in_the_same_number_of_queries(client, employee, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.API_TOKENS_PER_USER = 20
    login(client, employee)
    counts = []
    for total in (2, 12):
        while employee.api_tokens.count() < total:
            api_token_create(user=employee, name=f"script {employee.api_tokens.count()}")
        with CaptureQueriesContext(connection) as queries:
            page = client.get(reverse("accounts:account"))
        assert page.content.decode().count("<td><code>dp_") == total
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts
