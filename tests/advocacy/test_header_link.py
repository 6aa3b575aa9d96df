"""The site header links advocate accounts to their organisations (/organisations/); nobody else sees the link."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deletion_portal.accounts.models import Role
from tests.support.world import login, make_account

pytestmark = pytest.mark.django_db

LINK = 'id="organisations-link"'


def header(client, url: str) -> str:
    page = client.get(url).content.decode()
    return page[page.index('<header class="site-header">'):page.index("</header>")]


def test_an_advocate_gets_the_organisations_link_in_the_header(client, advocate):
    login(client, advocate)
    for url in (reverse("cases:list"), reverse("laws:law-list")):
        top = header(client, url)
        assert LINK in top and f'href="{reverse("advocacy:organisation-list")}"' in top, url
    response = client.get(reverse("advocacy:organisation-list"), follow=True)  # one organisation: straight to it
    assert response.status_code == 200 and advocate.organisation_memberships.get().organisation.name in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "owner", "dpo", "staff"])
def test_nobody_else_sees_it(client, who, request):
    if who == "staff":
        login(client, make_account("staff@portal.example", Role.STAFF, "Stan Staff"))
    elif who != "anonymous":
        login(client, request.getfixturevalue(who))
    top = header(client, reverse("laws:law-list"))
    assert LINK not in top and "/organisations/" not in top
