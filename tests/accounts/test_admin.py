import pytest
from django.urls import reverse

from deletion_portal.accounts.models import User
from tests.support.world import login

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:accounts_user_changelist"


def test_it_lets_portal_staff_list_and_search_accounts(client, staff, employee):
    login(client, staff)

    response = client.get(reverse(CHANGELIST), {"q": "owner@"})

    assert response.status_code == 200
    assert b"owner@example.org" in response.content
    assert b"staff@example.org" not in response.content.split(b"<tbody>")[-1]


def test_it_filters_accounts_by_role(client, staff, employee):
    login(client, staff)
    response = client.get(reverse(CHANGELIST), {"role__exact": "staff"})
    rows = response.content.split(b"<tbody>")[-1]
    assert b"staff@example.org" in rows
    assert b"owner@example.org" not in rows


def test_it_lets_portal_staff_view_but_not_edit_an_account(client, staff, employee):
    login(client, staff)
    url = reverse("admin:accounts_user_change", args=[employee.pk])
    response = client.get(url)
    assert response.status_code == 200
    response = client.post(url, {"email": "hijacked@example.org"})
    assert response.status_code == 403
    employee.refresh_from_db()
    assert employee.email == "owner@example.org"


def test_it_lets_a_superuser_add_an_account(client, make_account):
    admin = make_account("root@example.org", role="staff", superuser=True)
    login(client, admin)

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Added@Example.org",
            "display_name": "",
            "role": "dpo",
            "usable_password": "true",
            "password1": "an added account passphrase",
            "password2": "an added account passphrase",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(email="added@example.org").password.startswith("argon2")


def test_it_redirects_an_employee_to_the_admin_login(client, employee):
    login(client, employee)

    response = client.get(reverse(CHANGELIST))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_it_redirects_anonymous_visitors_to_the_admin_login(client):
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
