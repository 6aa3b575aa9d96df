"""``Cache-Control: no-store`` on case pages, letter PDFs and the case API (issue 13, core/middleware.py);
the public calculator, laws and public API stay cacheable for anonymous visitors."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from deletion_portal.accounts.api_tokens import api_token_create
from tests.support.world import login

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.fixture(autouse=True)
def _media(isolated_media):
    pass


def test_case_pages_and_pdfs_are_never_stored(client, owner, final_case):
    login(client, owner)
    letter = final_case.letters.get(is_final=True)
    for url in (reverse("cases:list"), reverse("cases:detail", args=[final_case.pk]),
                reverse("cases:letter-pdf", args=[final_case.pk, letter.pk]), reverse("accounts:account")):
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response) and "private" in response["Cache-Control"], (url, response.get("Cache-Control"))


def test_the_case_api_is_never_stored(owner, final_case):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=owner)[1]}")
    letter = final_case.letters.get(is_final=True)
    for url in ("/api/v1/cases", f"/api/v1/cases/{final_case.pk}", f"/api/v1/cases/{final_case.pk}/letters/{letter.pk}/pdf"):
        response = api.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url
    # a refused or anonymous answer under the case API is not stored either
    assert no_store(APIClient().get(f"/api/v1/cases/{final_case.pk}"))


def test_public_pages_stay_cacheable_for_anonymous_visitors(client):
    for url in (reverse("laws:calculator"), "/api/v1/laws/eu-gdpr"):
        response = client.get(url)
        assert response.status_code == 200 and not no_store(response), url
