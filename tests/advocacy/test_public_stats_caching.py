"""The public scoreboard's conditional GETs (advocacy/stats_views.py ``employer_public``): an anonymous visitor's
page, CSV, JSON and PDF carry a strong ETag derived from what they are built from and ``Cache-Control: public,
max-age=<STATS_REFRESH_SECONDS>``; a matching ``If-None-Match`` is a 304 before anything is built; signed-in users
and the campaign dashboards are never made cacheable. Nothing is written on any of these GETs."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deletion_portal.advocacy import stats_pdf, stats_store
from deletion_portal.advocacy.models import Campaign, CampaignMember, Consent, ConsentKind
from deletion_portal.cases.models import Case
from tests.support.data import PDF_BYTES
from tests.support.world import login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stats_today")]

TODAY = date(2026, 6, 1)
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
FORMATS = ("employer-outcomes", "employer-outcomes-csv", "employer-outcomes-json", "employer-outcomes-pdf")


@pytest.fixture(autouse=True)
def _fast_pdf(monkeypatch):
    monkeypatch.setattr(stats_pdf, "render_pdf", lambda *args, **kwargs: PDF_BYTES)


@pytest.fixture
def campaign(organisation, employer):
    campaign = Campaign.objects.create(organisation=organisation, title="Counted", slug="counted", state="open",
                                       law_keys=["eu-gdpr"], publish_statistics=True)
    campaign.employers.add(employer)
    return campaign


def count_cases(campaign, employer, n, *, on_time=True):
    for _ in range(n):
        answered = date(2026, 2, 22) if on_time else date(2026, 3, 14)
        case = Case.objects.create(employer=employer, status="answered", law_key="eu-gdpr", received_on=date(2026, 2, 2),
                                   respond_by=date(2026, 3, 4), answered_on=answered, on_time=on_time,
                                   outcome="answered")
        member = CampaignMember.objects.create(campaign=campaign, case=case)
        Consent.objects.create(member=member, kind=ConsentKind.STATISTICS, given=True)
    stats_store.statistics_refresh(today=TODAY, full=True)


@pytest.mark.parametrize("name", FORMATS)
def test_an_anonymous_answer_is_cacheable_and_a_repeat_is_a_304_built_from_nothing(client, settings, employer,
                                                                                 campaign, monkeypatch, name):
    settings.STATS_REFRESH_SECONDS = 120
    count_cases(campaign, employer, 6)
    url = reverse(f"stats:{name}", args=[employer.pk])
    first = client.get(url, {"law": "eu-gdpr"})
    assert first.status_code == 200
    etag = first["ETag"]
    assert re.fullmatch(r'"[0-9a-f]{40}"', etag)  # strong (no W/)
    assert set(first["Cache-Control"].split(", ")) == {"public", "max-age=120"}
    assert client.get(url, {"law": "eu-gdpr"})["ETag"] == etag  # the same inputs, the same tag

    def built(*args, **kwargs):
        raise AssertionError("a 304 builds nothing")

    monkeypatch.setattr(stats_store, "employer_release", built)
    monkeypatch.setattr(stats_pdf, "report_pdf", built)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, {"law": "eu-gdpr"}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    assert "public" in again["Cache-Control"]
    assert len(queries) == 2  # the employer and its leaf stamp
    assert not [q["sql"] for q in queries if WRITE.match(q["sql"])]


def test_the_tag_changes_with_the_figures_the_filters_and_the_language(client, employer, campaign):
    count_cases(campaign, employer, 6)
    url = reverse("stats:employer-outcomes", args=[employer.pk])
    tag = client.get(url)["ETag"]
    assert client.get(url, {"period": "2026"})["ETag"] != tag
    assert client.get(url, HTTP_ACCEPT_LANGUAGE="de")["ETag"] != tag
    assert client.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 304
    count_cases(campaign, employer, 1, on_time=False)  # a refresh rewrote the employer's leaves
    changed = client.get(url, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag


def test_a_signed_in_user_and_a_waiting_message_get_no_shared_answer(client, employer, campaign, owner):
    count_cases(campaign, employer, 6)
    url = reverse("stats:employer-outcomes", args=[employer.pk])
    tag = client.get(url)["ETag"]
    client.cookies["messages"] = "x"
    assert client.get(url, HTTP_IF_NONE_MATCH=tag).status_code == 200
    del client.cookies["messages"]
    login(client, owner)
    mine = client.get(url, HTTP_IF_NONE_MATCH=tag)  # the page names who is signed in: never the anonymous one
    assert mine.status_code == 200 and "ETag" not in mine
    assert "no-store" in mine["Cache-Control"] and "public" not in mine["Cache-Control"]


def test_a_campaign_dashboard_is_never_made_cacheable(client, employer, campaign, advocate):
    count_cases(campaign, employer, 6)
    login(client, advocate)
    for name in ("campaign-stats", "campaign-stats-csv", "campaign-stats-json", "campaign-stats-pdf"):
        response = client.get(reverse(f"advocacy:{name}", args=[campaign.pk]))
        assert response.status_code == 200 and "ETag" not in response
        assert "no-store" in response["Cache-Control"] and "public" not in response["Cache-Control"]


def test_an_error_is_not_made_cacheable(client, employer):
    response = client.get(reverse("stats:employer-outcomes", args=[employer.pk]), {"period": "June"})
    assert response.status_code == 400 and "ETag" not in response and "public" not in response.get("Cache-Control", "")
    assert client.get(reverse("stats:employer-outcomes", args=[employer.pk + 1000])).status_code == 404


def test_the_code_digest_is_the_code(tmp_path, settings):
    from deletion_portal.advocacy import stats_views

    stats_views.code_digest.cache_clear()
    try:
        for root in ("deletion_portal", "templates", "locale"):
            (tmp_path / root).mkdir()
        settings.BASE_DIR = tmp_path
        (tmp_path / "templates" / "page.html").write_text("one")
        before = stats_views.code_digest()
        stats_views.code_digest.cache_clear()
        (tmp_path / "templates" / "page.html").write_text("two")
        assert stats_views.code_digest() != before
    finally:
        stats_views.code_digest.cache_clear()
