import pytest
from django.urls import reverse

from deletion_portal.accounts.models import User
from tests.support.accounts import link_path
from tests.support.world import login

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new long passphrase"


def test_it_emails_a_reset_link_and_sets_the_new_password(client, mailoutbox, employee):
    response = client.post(reverse("accounts:password-reset"), {"email": "owner@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-reset-done")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["owner@example.org"]
    assert "Reset your deletion portal password" == message.subject
    assert message.alternatives[0][1] == "text/html"

    # Django swaps the token for a session marker and redirects to a "set-password" URL.
    form_page = client.get(link_path(message.body), follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert done.status_code == 302
    assert done["Location"] == reverse("accounts:password-reset-complete")
    assert User.objects.get(pk=employee.pk).check_password(NEW_PASSWORD)
    assert client.post(reverse("accounts:login"), {"username": "owner@example.org", "password": NEW_PASSWORD}).status_code == 302


def test_it_builds_reset_links_on_site_url_not_the_host_header(client, mailoutbox, employee):
    client.post(reverse("accounts:password-reset"), {"email": "owner@example.org"}, HTTP_HOST="localhost")
    assert "https://portal.example/accounts/password/reset/" in mailoutbox[0].body


def test_it_gives_the_same_answer_for_an_unknown_address_and_sends_nothing(client, mailoutbox):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-reset-done")
    assert mailoutbox == []


def test_it_refuses_a_used_or_tampered_reset_link(client, mailoutbox, employee):
    client.post(reverse("accounts:password-reset"), {"email": "owner@example.org"})
    path = link_path(mailoutbox[0].body)
    tampered = path.rstrip("/")[:-2] + "zz/"

    response = client.get(tampered, follow=True)

    assert response.status_code == 200
    assert not response.context["validlink"]
    assert b"This password reset link is not valid" in response.content


def test_it_changes_the_password_of_a_signed_in_user(client, employee, password):
    login(client, employee)

    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password-change-done")
    assert User.objects.get(pk=employee.pk).check_password(NEW_PASSWORD)
    assert client.get(reverse("accounts:account")).status_code == 200  # still signed in


def test_it_refuses_a_password_change_with_the_wrong_old_password(client, employee):
    login(client, employee)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": "not it at all", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    assert not User.objects.get(pk=employee.pk).check_password(NEW_PASSWORD)


def test_it_requires_login_for_password_change(client):
    response = client.get(reverse("accounts:password-change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
