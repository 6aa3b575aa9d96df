"""/api/v1/docs/ works under the site's Content-Security-Policy (issue 12): Swagger UI (vendored by
drf-spectacular-sidecar) loads with 'self'-only scripts and styles, lists the operations, reports no CSP
violation, and axe finds nothing."""

from __future__ import annotations

import pytest

from tests.support.axe import assert_no_axe_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_list_the_operations_under_the_csp(page, live_server):
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text
            or "Refused to" in message.text else None)
    response = page.goto(live_server.url + "/api/v1/docs/")
    csp = response.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    page.locator(".opblock").first.wait_for(timeout=15_000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/deadlines" in path for path in paths), paths
    assert any("/api/v1/cases" in path for path in paths), paths
    assert page.locator(".opblock").count() >= 10
    assert not refused, refused
    assert_no_axe_violations(page)
