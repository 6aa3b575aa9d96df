"""The printable PDF report of a campaign's dashboard (organisation members only) and of an employer's public
scoreboard: rendered through core.pdf.render_pdf from the SAME report as the page, so it holds the headline
figures, reads "suppressed" (explained as fewer than k) where the page does, and shows nothing the page does not.
Query counts (2 vs 12 employers) and "a GET never writes" are in test_campaign_statistics.py with the other
dashboard URLs."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from deletion_portal.accounts.models import Role
from deletion_portal.advocacy import stats_pdf, stats_store
from deletion_portal.advocacy.consents import consent_set
from deletion_portal.advocacy.models import Campaign, CampaignMember, ConsentKind, Organisation, OrganisationMembership
from deletion_portal.core.pdf import PdfRenderError
from tests.support.stats import outcome_case as make_case
from tests.support.tracking import pdf_text
from tests.support.world import login, make_account

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("pdf_rendering", "stats_today")]

TODAY = date(2026, 6, 1)
FIGURE = re.compile(r"\b\d+ \(\d+(?:\.\d+)?%\)")


@pytest.fixture
def campaign(organisation, employer):
    campaign = Campaign.objects.create(organisation=organisation, title="Keystrokes", slug="keystrokes",
                                       law_keys=["eu-gdpr"], state="open", publish_statistics=True)
    campaign.employers.add(employer)
    return campaign


def join(campaign, case):
    member = CampaignMember.objects.create(campaign=campaign, case=case)
    consent_set(member=member, kind=ConsentKind.STATISTICS, given=True, actor=None)
    return member


def fill(campaign, employer, *, late_in_march=5):
    for outcome in ["on_time"] * 6 + ["late"] * 5 + ["none"] * 5:
        join(campaign, make_case(employer, outcome=outcome))
    for outcome in ["on_time"] * 6 + ["late"] * late_in_march + ["none"] * 5:
        join(campaign, make_case(employer, outcome=outcome, received=date(2026, 3, 3)))
    # a publishing campaign's dashboard is built from the public leaves (disclosure rule 7): refresh them
    stats_store.statistics_refresh(today=TODAY, full=True)


def get_pdf(client, url, params=None):
    response = client.get(url, params or {})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    return response.content


def test_the_campaign_report_holds_the_dashboards_figures_and_charts(client, advocate, employer, campaign):
    fill(campaign, employer)
    login(client, advocate)
    page = client.get(reverse("advocacy:campaign-stats", args=[campaign.pk])).content.decode()
    url = reverse("advocacy:campaign-stats-pdf", args=[campaign.pk])
    assert url in page  # linked from the dashboard
    data = get_pdf(client, url)
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "Statistics of the campaign “Keystrokes”" in text
    assert "32 counted cases" in text and "received 2026-02 to 2026-03" in text
    assert "12 (37.5%)" in text and "10 (31.2%)" in text  # on time / late, as on the page
    assert "By employer" in text and employer.legal_name in text
    assert "Answers by month of receipt" in text  # the chart's table
    assert "Answered on time Answered late Not answered, date passed" in text  # the SVG chart's legend, in one line
    # Nothing the dashboard does not show: every figure "n (x%)" of the PDF is on the page.
    figures_in_pdf = set(FIGURE.findall(text))
    assert figures_in_pdf and figures_in_pdf <= set(FIGURE.findall(page))
    # A row the page suppresses is suppressed here, with the rule naming k.
    assert "fewer than 5 people" in text and "suppressed" in text


def test_where_the_page_suppresses_the_report_does_too(client, advocate, employer, campaign, settings):
    fill(campaign, employer, late_in_march=4)  # 4 late in March: that month's row is suppressed, so no month series
    settings.STATS_MIN_CELL = 5
    login(client, advocate)
    params = {"period": "2026-03"}
    text = pdf_text(get_pdf(client, reverse("advocacy:campaign-stats-pdf", args=[campaign.pk]), params))
    page = client.get(reverse("advocacy:campaign-stats", args=[campaign.pk]), params).content.decode()
    assert "received in 2026-03" in text
    assert "4 (" not in text and "6 (40.0%)" not in text  # no cell of the suppressed row
    assert "Answered late suppressed" in text and "fewer than 5" in text
    assert set(FIGURE.findall(text)) <= set(FIGURE.findall(page))


def test_k_is_named_as_set(client, advocate, employer, campaign, settings):
    fill(campaign, employer)
    settings.STATS_MIN_CELL = 7
    login(client, advocate)
    text = pdf_text(get_pdf(client, reverse("advocacy:campaign-stats-pdf", args=[campaign.pk])))
    assert "fewer than 7 people" in text and "fewer than 5" not in text


def test_only_the_organisations_members_get_it(client, employer, campaign):
    fill(campaign, employer)
    url = reverse("advocacy:campaign-stats-pdf", args=[campaign.pk])
    assert client.get(url).status_code == 302  # anonymous: to the login page
    rival = make_account("rival@union.example", Role.ADVOCATE)
    OrganisationMembership.objects.create(organisation=Organisation.objects.create(name="Rival", country="DE"),
                                          user=rival, role="organiser")
    login(client, rival)
    assert client.get(url).status_code == 404


def test_a_bad_filter_is_a_400_and_a_failed_render_goes_back_with_the_reason(client, advocate, campaign, monkeypatch):
    login(client, advocate)
    url = reverse("advocacy:campaign-stats-pdf", args=[campaign.pk])
    response = client.get(url, {"law": "nope"})
    assert response.status_code == 400 and "law" in response.content.decode()

    def refuse(*args, **kwargs):
        raise PdfRenderError("The document would have more than 40 pages.")

    monkeypatch.setattr(stats_pdf, "render_pdf", refuse)
    response = client.get(url, {"period": "2026"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("advocacy:campaign-stats", args=[campaign.pk]) + "?period=2026"
    assert "more than 40 pages" in response.content.decode()


def test_the_public_scoreboard_has_its_pdf(client, employer, campaign):
    fill(campaign, employer)
    page = client.get(reverse("stats:employer-outcomes", args=[employer.pk])).content.decode()
    url = reverse("stats:employer-outcomes-pdf", args=[employer.pk])
    assert url in page
    text = pdf_text(get_pdf(client, url))
    assert f"Outcomes of requests to {employer.legal_name}" in text and "32 counted cases" in text
    assert "12 (37.5%)" in text and "By employer" not in text
    assert set(FIGURE.findall(text)) <= set(FIGURE.findall(page))
    assert client.get(reverse("stats:employer-outcomes-pdf", args=[987654])).status_code == 404
