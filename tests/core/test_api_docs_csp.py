"""/api/v1/docs/ under the site's CSP (issue 12): no inline script or style; the start-up script is a
same-origin file; the Swagger UI files are the pinned drf-spectacular-sidecar's, served by the site."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_docs_page_has_no_inline_script_or_style(client):
    response = client.get(reverse("api-v1:docs"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/' in attrs and not body.strip() for attrs, body in scripts)
    assert "<style" not in html and "style=" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html


def test_the_start_up_script_is_served_as_javascript(client):
    response = client.get(reverse("api-v1:docs") + "?script=")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert reverse("api-v1:schema") in response.content.decode()
