"""The employee's consent to answers through the portal (``Case.employer_may_answer``): asked in the
wizard (details step, default yes, explained), withdrawn or given again on the case page by a POST; a
withdrawal ends the employer team's access at once, a claim's included."""

from __future__ import annotations

import pytest
from django.urls import reverse

from deletion_portal.cases.access import Need, cases_visible_to
from deletion_portal.cases.letters import case_access_code
from deletion_portal.cases.models import Case, EventKind
from deletion_portal.dpo.models import CaseClaim
from tests.support.world import login

pytestmark = pytest.mark.django_db

DETAILS = {
    "requester_name": "Olive Owner", "requester_email": "olive@mail.example",
    "requester_address": "Gartenweg 5\n80333 München",
}


def step(case, n):
    return reverse("cases:step", args=[case.pk, n])


def test_the_details_step_asks_and_explains(client, owner, draft_case):
    page = login(client, owner).get(step(draft_case, 5)).content.decode()
    assert "May the employer answer you in this portal?" in page
    assert "their access ends at once" in page
    assert 'name="employer_may_answer" value="yes"' in page and "checked" in page


@pytest.mark.parametrize(("posted", "stored"), [({}, True), ({"employer_may_answer": "yes"}, True),
                                                 ({"employer_may_answer": "no"}, False)])
def test_the_wizard_stores_the_choice_default_yes(client, owner, draft_case, posted, stored):
    response = login(client, owner).post(step(draft_case, 5), {**DETAILS, **posted})
    assert response.status_code == 302
    draft_case.refresh_from_db()
    assert draft_case.employer_may_answer is stored


def test_the_case_page_offers_to_withdraw_and_to_give_again(client, owner, sent_case):
    login(client, owner)
    url = reverse("cases:employer-access", args=[sent_case.pk])
    assert 'value="no"' in client.get(reverse("cases:detail", args=[sent_case.pk])).content.decode()
    assert client.post(url, {"allow": "no"}).status_code == 302
    sent_case.refresh_from_db()
    assert sent_case.employer_may_answer is False
    page = client.get(reverse("cases:detail", args=[sent_case.pk])).content.decode()
    assert "Let the employer answer here again" in page and "Online answers by the employer withdrawn" in page
    client.post(url, {"allow": "yes"})
    sent_case.refresh_from_db()
    assert sent_case.employer_may_answer is True
    assert list(sent_case.events.filter(kind__startswith="employer_access").values_list("kind", flat=True)) == [
        EventKind.EMPLOYER_ACCESS_WITHDRAWN, EventKind.EMPLOYER_ACCESS_GIVEN]


def test_the_switch_is_a_post_and_the_owners_only(client, owner, dpo, colleague, sent_case):
    url = reverse("cases:employer-access", args=[sent_case.pk])
    assert login(client, owner).get(url).status_code == 405
    for user in (dpo, colleague):
        assert login(client, user).post(url, {"allow": "no"}).status_code == 404
    assert Case.objects.get(pk=sent_case.pk).employer_may_answer is True


def employer_views(case):
    letter = case.letters.get(is_final=True)
    return [reverse("cases:letter-pdf", args=[case.pk, letter.pk]),
            reverse("api-v1:case-letter-pdf", args=[case.pk, letter.pk])]


@pytest.mark.parametrize("how", ["covers_the_employer", "claimed"])
def test_withdrawing_ends_the_teams_access_at_once(client, owner, dpo, other_dpo, sent_case, how):
    member = dpo
    if how == "claimed":
        member = other_dpo
        response = login(client, other_dpo).post(reverse("api-v1:employer-claims"), {
            "reference": sent_case.reference, "code": case_access_code(sent_case)}, content_type="application/json")
        assert response.status_code == 201 and CaseClaim.objects.exists()
    login(client, member)
    for url in employer_views(sent_case):
        assert client.get(url).status_code == 200
    assert sent_case in cases_visible_to(member, need=Need.VIEW)

    login(client, owner).post(reverse("cases:employer-access", args=[sent_case.pk]), {"allow": "no"})

    login(client, member)
    for url in employer_views(sent_case):
        assert client.get(url).status_code == 404, url
    assert not cases_visible_to(member, need=Need.VIEW).filter(pk=sent_case.pk).exists()
    assert not cases_visible_to(member, need=Need.RESPOND).exists()


@pytest.mark.parametrize(("given", "stored"), [({}, True), ({"employer_may_answer": False}, False)])
def test_the_api_takes_the_choice_default_yes(owner, employer, given, stored):
    from rest_framework.test import APIClient

    api = login(APIClient(), owner)
    response = api.post("/api/v1/cases", {"law": "eu-gdpr", "region": "DE-BY", "language": "en",
                                          "employer_id": employer.pk, "rights": ["access"], **given}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["employer_may_answer"] is stored
    assert Case.objects.get(pk=response.json()["id"]).employer_may_answer is stored
