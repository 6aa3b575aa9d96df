import pytest
import time_machine
from django.urls import reverse

from deletion_portal.accounts.models import Role, User
from tests.support.accounts import link_path
from tests.support.world import login

pytestmark = pytest.mark.django_db

SIGN_UP = reverse("accounts:sign-up")


def sign_up(client, email="new@example.org", password="a long and unusual passphrase", **extra):
    data = {"email": email, "display_name": "Nia New", "password1": password, "password2": password, **extra}
    return client.post(SIGN_UP, data)


def test_it_shows_the_form(client):
    response = client.get(SIGN_UP)
    assert response.status_code == 200
    assert b'name="email"' in response.content
    assert b'name="role"' not in response.content


def test_it_creates_an_unconfirmed_employee_and_emails_a_link(client, mailoutbox):
    response = sign_up(client, email="New@Example.org")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:sign-up-done")
    user = User.objects.get(email="new@example.org")
    assert user.role == Role.EMPLOYEE
    assert user.display_name == "Nia New"
    assert user.email_confirmed_at is None
    assert not user.is_staff and not user.is_superuser
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new@example.org"]
    assert "Confirm your email" in message.subject
    assert message.alternatives and message.alternatives[0][1] == "text/html"
    assert "new@example.org" not in link_path(message.body)


def test_it_confirms_the_email_when_the_link_is_followed(client, mailoutbox):
    sign_up(client)
    path = link_path(mailoutbox[0].body)

    response = client.get(path)

    assert response.status_code == 200
    assert b"Email confirmed" in response.content
    assert User.objects.get(email="new@example.org").email_confirmed_at is not None


def test_it_keeps_the_first_confirmation_time_when_the_link_is_followed_twice(client, mailoutbox):
    sign_up(client)
    path = link_path(mailoutbox[0].body)
    client.get(path)
    first = User.objects.get(email="new@example.org").email_confirmed_at

    assert client.get(path).status_code == 200
    assert User.objects.get(email="new@example.org").email_confirmed_at == first


def test_it_refuses_a_tampered_link_and_changes_nothing(client, mailoutbox):
    sign_up(client)
    path = link_path(mailoutbox[0].body)
    tampered = path[:-3] + ("AAA/" if not path.endswith("AAA/") else "BBB/")

    response = client.get(tampered)

    assert response.status_code == 400
    assert b"This confirmation link is not valid" in response.content
    assert User.objects.get(email="new@example.org").email_confirmed_at is None


def test_it_refuses_a_link_forged_for_another_account(client, mailoutbox, employee):
    from deletion_portal.accounts.tokens import email_confirmation_token_make

    sign_up(client)
    user = User.objects.get(email="new@example.org")
    forged = email_confirmation_token_make(user_id=user.pk, email="someone-else@example.org")

    response = client.get(reverse("accounts:confirm-email", kwargs={"token": forged}))

    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).email_confirmed_at is None


def test_it_refuses_an_expired_link_and_changes_nothing(client, mailoutbox):
    with time_machine.travel("2025-03-01 09:00:00Z", tick=False):
        sign_up(client)
    path = link_path(mailoutbox[0].body)

    with time_machine.travel("2025-03-04 09:00:01Z", tick=False):
        response = client.get(path)

    assert response.status_code == 400
    assert b"This confirmation link has expired" in response.content
    assert User.objects.get(email="new@example.org").email_confirmed_at is None


def test_it_accepts_a_link_just_inside_three_days(client, mailoutbox):
    with time_machine.travel("2025-03-01 09:00:00Z", tick=False):
        sign_up(client)
    path = link_path(mailoutbox[0].body)

    with time_machine.travel("2025-03-04 08:59:00Z", tick=False):
        assert client.get(path).status_code == 200
    assert User.objects.get(email="new@example.org").email_confirmed_at is not None


def test_it_gives_the_same_response_for_a_registered_email_and_notifies_its_owner(client, mailoutbox, employee):
    fresh = sign_up(client, email="fresh@example.org")
    mailoutbox.clear()
    taken = sign_up(client, email="OWNER@example.org", password="another long passphrase")

    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert User.objects.filter(email__iexact="owner@example.org").count() == 1
    employee.refresh_from_db()
    assert employee.check_password("correct horse battery staple 42")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["owner@example.org"]
    assert "tried to sign up" in mailoutbox[0].subject


def test_it_shows_the_same_page_after_either_sign_up(client, employee):
    fresh = client.get(sign_up(client, email="fresh@example.org")["Location"])
    taken = client.get(sign_up(client, email="owner@example.org")["Location"])
    assert fresh.content == taken.content


def test_it_ignores_a_posted_role(client):
    sign_up(client, role="staff", is_staff="on", is_superuser="on")

    user = User.objects.get(email="new@example.org")
    assert user.role == Role.EMPLOYEE
    assert not user.is_staff and not user.is_superuser


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"password1": "short", "password2": "short"}, "password1", "too short"),
        ({"password2": "a different long passphrase"}, "password2", "do not match"),
        ({"password1": "new@example.org", "password2": "new@example.org"}, "password1", "too similar"),
    ],
)
def test_it_shows_form_errors_and_creates_nothing(client, mailoutbox, data, field, message):
    base = {
        "email": "new@example.org",
        "display_name": "",
        "password1": "a long and unusual passphrase",
        "password2": "a long and unusual passphrase",
    }
    response = client.post(SIGN_UP, {**base, **data})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    assert any(message in e for e in errors[field])
    assert User.objects.count() == 0
    assert mailoutbox == []


def test_it_sends_a_new_link_on_request_and_both_still_work(client, mailoutbox):
    sign_up(client)
    user = User.objects.get(email="new@example.org")
    login(client, user)
    mailoutbox.clear()

    response = client.post(reverse("accounts:resend-confirmation"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:account")
    assert len(mailoutbox) == 1
    assert client.get(link_path(mailoutbox[0].body)).status_code == 200
    user.refresh_from_db()
    assert user.email_confirmed_at is not None


def test_it_sends_nothing_when_resend_is_asked_by_a_confirmed_user(client, mailoutbox, employee):
    login(client, employee)
    client.post(reverse("accounts:resend-confirmation"))
    assert mailoutbox == []


def test_it_refuses_resend_by_get_and_for_anonymous_visitors(client, employee):
    assert client.post(reverse("accounts:resend-confirmation")).status_code == 302  # to login
    login(client, employee)
    assert client.get(reverse("accounts:resend-confirmation")).status_code == 405


def test_it_sends_a_signed_in_user_to_their_account_instead_of_the_form(client, employee):
    login(client, employee)
    response = client.get(SIGN_UP)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:account")


def test_it_writes_names_in_plain_text_mail_as_typed_not_html_escaped(client, mailoutbox):
    # Plain-text mail is rendered by the "text" template engine (no HTML autoescaping): an
    # apostrophe or ampersand must not arrive as &#x27; or &amp;. The HTML part stays escaped.
    sign_up(client, display_name="Siobhán O'Brien & <b>co</b>")
    message = mailoutbox[0]
    assert "Siobhán O'Brien & <b>co</b>" in message.body
    html = message.alternatives[0][0]
    assert "&lt;b&gt;co&lt;/b&gt;" in html and "<b>co</b>" not in html
