"""An employer's public page: contact details with their sources and the quality mark."""

import pytest
from django.urls import reverse

from deletion_portal.employers.models import Employer, Quality

pytestmark = pytest.mark.django_db


def test_it_shows_each_contact_detail_with_its_source_and_the_quality(client):
    employer = Employer.objects.create(
        legal_name="Example Analytics GmbH",
        other_names=["ExAna"],
        country="DE",
        postal_address="Demostraße 1\n10115 Berlin",
        privacy_email="dpo@example.com",
        web_form_url="https://example.com/privacy",
        demands_id=True,
        sources={
            "privacy_email": "https://example.com/imprint",
            "postal_address": "Annual report 2024, page 3",
            "web_form_url": "https://example.com/privacy-policy",
        },
        quality=Quality.UNVERIFIED,
    )

    response = client.get(reverse("employers:detail", args=[employer.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Unverified" in body
    assert "ExAna" in body
    assert '<a href="mailto:dpo@example.com"' in body
    assert '<a href="https://example.com/imprint"' in body
    assert "Annual report 2024, page 3" in body
    assert "Demostraße 1<br>10115 Berlin" in body
    assert "Asks for an ID document" in body
    assert "No source recorded" in body  # demands_id has none


def test_it_answers_404_for_an_unknown_employer(client):
    assert client.get(reverse("employers:detail", args=[987654])).status_code == 404
    assert client.get("/employers/abc/").status_code == 404


def test_it_never_links_a_source_that_is_not_a_web_address(client):
    employer = Employer.objects.create(
        legal_name="Sneaky Ltd",
        country="GB",
        privacy_email="dpo@example.org",
        sources={"privacy_email": "javascript:alert(1)"},
    )

    body = client.get(reverse("employers:detail", args=[employer.pk])).content.decode()

    assert 'href="javascript:' not in body
    assert "javascript:alert(1)" in body  # shown as text


def test_it_escapes_hostile_text_everywhere_on_the_page(client):
    employer = Employer.objects.create(
        legal_name="<script>alert(1)</script>",
        other_names=["<img src=x onerror=alert(2)>"],
        country="FR",
        postal_address="<script>alert(3)</script>",
        privacy_email="dpo@example.org",
        sources={"privacy_email": '"><script>alert(4)</script>'},
    )

    body = client.get(reverse("employers:detail", args=[employer.pk])).content.decode()

    assert "<script>alert" not in body
    assert "<img src=x" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
