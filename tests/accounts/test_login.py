import pytest
import time_machine
from django.urls import reverse

from deletion_portal.accounts.models import User

pytestmark = pytest.mark.django_db


def login(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_it_labels_the_login_field_email(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert b'<label for="id_username">Email</label>' in response.content
    assert b'type="email" name="username"' in response.content


def test_it_logs_in_with_email_and_password(client, employee, password):
    response = login(client, "owner@example.org", password)

    assert response.status_code == 302
    assert response["Location"] == reverse("laws:calculator")
    assert logged_in_user_id(client) == str(employee.pk)


def test_it_ignores_the_case_of_the_email(client, employee, password):
    login(client, "Owner@Example.ORG", password)
    assert logged_in_user_id(client) == str(employee.pk)


def test_it_refuses_a_wrong_password(client, employee):
    response = login(client, "owner@example.org", "not the password at all")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert logged_in_user_id(client) is None


def test_it_lets_an_unconfirmed_user_log_in_with_a_notice(client, make_account, password):
    user = make_account("unconfirmed@example.org", confirmed=False)

    response = login(client, "unconfirmed@example.org", password)

    assert logged_in_user_id(client) == str(user.pk)
    notices = [str(m) for m in response.wsgi_request._messages]
    assert any("confirm your email" in n for n in notices)


def test_it_gives_a_confirmed_user_no_notice(client, employee, password):
    response = login(client, "owner@example.org", password)
    assert not any("confirm your email" in str(m) for m in response.wsgi_request._messages)


def test_it_logs_out_by_post(client, employee):
    client.force_login(employee)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert logged_in_user_id(client) is None


def test_it_refuses_logout_by_get(client, employee):
    client.force_login(employee)

    response = client.get(reverse("accounts:logout"))

    assert response.status_code == 405
    assert logged_in_user_id(client) == str(employee.pk)


def test_it_hashes_new_passwords_with_argon2(employee):
    assert User.objects.get(pk=employee.pk).password.startswith("argon2")


def test_it_hashes_signed_up_passwords_with_argon2(client):
    client.post(
        reverse("accounts:sign-up"),
        {"email": "new@example.org", "password1": "a long and unusual passphrase", "password2": "a long and unusual passphrase"},
    )
    assert User.objects.get(email="new@example.org").password.startswith("argon2$argon2id$")


class TestThrottling:
    def test_it_locks_out_after_five_failures_even_with_the_right_password(self, client, employee, password):
        with time_machine.travel("2025-03-01 09:00:00Z", tick=False):
            for _ in range(5):
                login(client, "owner@example.org", "wrong password!!")

            response = login(client, "owner@example.org", password)

        assert response.status_code == 429
        assert b"Too many login attempts" in response.content
        assert b"Try again in 15 minutes" in response.content
        assert b"after 09:15" in response.content
        assert logged_in_user_id(client) is None

    def test_it_does_not_lock_out_before_the_fifth_failure(self, client, employee, password):
        for _ in range(4):
            assert login(client, "owner@example.org", "wrong password!!").status_code == 200
        login(client, "owner@example.org", password)
        assert logged_in_user_id(client) == str(employee.pk)

    def test_it_counts_differently_cased_emails_as_one_account(self, client, employee, password):
        for email in ["owner@example.org", "OWNER@example.org", "Owner@Example.org", "owner@EXAMPLE.org", "oWner@example.org"]:
            login(client, email, "wrong password!!")
        assert login(client, "owner@example.org", password).status_code == 429

    def test_it_lets_the_user_in_after_the_cool_off(self, client, employee, password):
        with time_machine.travel("2025-03-01 09:00:00Z", tick=False):
            for _ in range(5):
                login(client, "owner@example.org", "wrong password!!")
            assert login(client, "owner@example.org", password).status_code == 429

        with time_machine.travel("2025-03-01 09:10:00Z", tick=False):
            assert login(client, "owner@example.org", password).status_code == 429

        # Each attempt during the lockout restarts the 15 minutes (the last one was at 09:10).
        with time_machine.travel("2025-03-01 09:25:01Z", tick=False):
            response = login(client, "owner@example.org", password)
            assert response.status_code == 302
            assert logged_in_user_id(client) == str(employee.pk)

    def test_it_locks_out_only_that_account(self, client, employee, colleague, password):
        for _ in range(5):
            login(client, "owner@example.org", "wrong password!!")

        login(client, "colleague@example.org", password)

        assert logged_in_user_id(client) == str(colleague.pk)
