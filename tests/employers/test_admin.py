"""The directory in the admin: for portal staff only, with "Mark as verified by staff"."""

import pytest
from django.urls import reverse

from deletion_portal.accounts.models import Role
from deletion_portal.accounts.services import account_create
from deletion_portal.employers.models import Employer, Quality
from tests.support.world import login

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:employers_employer_changelist"
PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def staff():
    return account_create(email="staff@example.org", password=PASSWORD, role=Role.STAFF, confirmed=True)


@pytest.fixture
def employee():
    return account_create(email="owner@example.org", password=PASSWORD, role=Role.EMPLOYEE, confirmed=True)


@pytest.fixture
def employers():
    return [
        Employer.objects.create(legal_name="Alpha GmbH", country="DE", quality=Quality.SUBMITTED, privacy_email="a@example.com"),
        Employer.objects.create(legal_name="Beta SA", country="FR", other_names=["BetaBrand"]),
        Employer.objects.create(legal_name="Gamma Ltd", country="GB"),
    ]


def test_it_lets_portal_staff_list_filter_and_search_employers(client, staff, employers):
    login(client, staff)

    listing = client.get(reverse(CHANGELIST))
    by_other_name = client.get(reverse(CHANGELIST), {"q": "betabrand"})
    by_quality = client.get(reverse(CHANGELIST), {"quality__exact": "submitted"})

    assert listing.status_code == 200
    assert b"a@example.com" in listing.content
    assert b"Beta SA" in by_other_name.content and b"Alpha GmbH" not in by_other_name.content
    assert b"Alpha GmbH" in by_quality.content and b"Gamma Ltd" not in by_quality.content


def test_it_marks_the_chosen_employers_as_verified_by_staff(client, staff, employers):
    login(client, staff)
    alpha, beta, gamma = employers

    response = client.post(
        reverse(CHANGELIST),
        {"action": "mark_verified", "_selected_action": [alpha.pk, beta.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "2 employer(s) marked as verified by staff." in response.content.decode()
    assert Employer.objects.get(pk=alpha.pk).quality == Quality.VERIFIED
    assert Employer.objects.get(pk=beta.pk).quality == Quality.VERIFIED
    assert Employer.objects.get(pk=gamma.pk).quality == Quality.UNVERIFIED


def test_it_lets_portal_staff_correct_an_entry_but_not_delete_it(client, staff, employers):
    login(client, staff)
    alpha = employers[0]

    change = client.get(reverse("admin:employers_employer_change", args=[alpha.pk]))
    delete = client.get(reverse("admin:employers_employer_delete", args=[alpha.pk]))

    assert change.status_code == 200
    assert delete.status_code == 403


def test_it_refuses_the_admin_to_an_employee(client, employee, employers):
    login(client, employee)

    listing = client.get(reverse(CHANGELIST))
    action = client.post(reverse(CHANGELIST), {"action": "mark_verified", "_selected_action": [employers[0].pk]})

    assert listing.status_code == 302
    assert listing["Location"].startswith(reverse("admin:login"))
    assert action.status_code == 302
    assert Employer.objects.get(pk=employers[0].pk).quality == Quality.SUBMITTED


def test_it_refuses_the_admin_to_an_anonymous_visitor(client, employers):
    response = client.get(reverse(CHANGELIST))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
