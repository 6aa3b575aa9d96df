import pytest
from django.urls import reverse

from tests.support.world import login

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_visitors_to_login(client):
    response = client.get(reverse("accounts:account"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={reverse('accounts:account')}"


def test_it_shows_the_users_own_data_only(client, employee, colleague):
    login(client, employee)

    response = client.get(reverse("accounts:account"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "owner@example.org" in content
    assert "Olive Owner" in content
    assert "Employee" in content
    assert "Confirmed on" in content
    assert reverse("accounts:password-change") in content
    assert "colleague@example.org" not in content
    assert "Colin Colleague" not in content


def test_it_has_no_way_to_ask_for_another_users_page(client, employee, colleague):
    login(client, employee)
    response = client.get(reverse("accounts:account") + f"?id={colleague.pk}&email=colleague@example.org")
    assert response.context["account"] == employee
    assert b"owner@example.org" in response.content
    assert b"Colin Colleague" not in response.content


def test_it_shows_an_unconfirmed_user_the_notice_and_resend_button(client, make_account):
    user = make_account("pending@example.org", confirmed=False)
    login(client, user)

    content = client.get(reverse("accounts:account")).content.decode()

    assert "Please confirm your email address" in content
    assert "Not confirmed yet" in content
    assert reverse("accounts:resend-confirmation") in content


def test_it_uses_no_inline_styles_or_scripts(client, make_account):
    user = make_account("pending@example.org", confirmed=False)
    login(client, user)
    for name in ["accounts:account", "accounts:password-change"]:
        content = client.get(reverse(name)).content.decode()
        assert "<script" not in content and "style=" not in content
    client.logout()
    for name in ["accounts:login", "accounts:sign-up", "accounts:password-reset", "accounts:sign-up-done"]:
        content = client.get(reverse(name)).content.decode()
        assert "<script" not in content and "style=" not in content
