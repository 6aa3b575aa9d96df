"""The bulk letters pages and API: the progress page refreshes itself without JavaScript while the job runs, the
API answers state and counts and the ZIP's URL once finished, another organisation's job is a 404, and the
pages and endpoints cost the same number of queries for 2 letters as for 12 (and jobs)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deletion_portal.advocacy.bulk import bulk_job_start, bulk_job_step
from deletion_portal.advocacy.bulk_models import BulkItemState, BulkJob, BulkJobItem, BulkJobState
from tests.support.world import login

pytestmark = pytest.mark.django_db
SMALL, LARGE = 2, 12


@pytest.fixture(autouse=True)
def _media(isolated_media, settings):
    settings.BULK_CHUNK = 50


def finish(job):
    while bulk_job_step(job_id=job.pk) == "more":
        pass
    job.refresh_from_db()
    return job


def test_the_progress_page_refreshes_itself_while_the_job_runs_and_offers_downloads_when_done(
        client, organisation, org_people, mandated_cases, fake_renderer):
    mandated_cases(3)
    login(client, org_people["organiser"])
    response = client.post(reverse("bulk:jobs", args=[organisation.pk]), {"send_emails": "on"})
    job = BulkJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("bulk:job", args=[job.pk])

    bulk_job_step(job_id=job.pk)  # a worker lists the letters
    page = client.get(reverse("bulk:job", args=[job.pk]))
    assert page["Refresh"] == "3" and b'<meta http-equiv="refresh" content="3">' in page.content
    assert b"0 of 3 letters produced" in page.content and b"Cancel" in page.content

    finish(job)
    page = client.get(reverse("bulk:job", args=[job.pk]))
    assert "Refresh" not in page and b"http-equiv" not in page.content
    assert b"3 of 3 letters produced" in page.content and reverse("bulk:zip", args=[job.pk]).encode() in page.content
    download = client.get(reverse("bulk:zip", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"


def test_a_viewer_sees_progress_but_no_start_cancel_or_downloads(client, organisation, org_people, mandated_cases,
                                                                 fake_renderer):
    mandated_cases(1)
    job = finish(bulk_job_start(organisation=organisation, user=org_people["org_admin"]))
    login(client, org_people["viewer"])
    jobs = client.get(reverse("bulk:jobs", args=[organisation.pk]))
    assert jobs.status_code == 200 and b"Start the bulk job" not in jobs.content
    page = client.get(reverse("bulk:job", args=[job.pk]))
    assert page.status_code == 200 and reverse("bulk:zip", args=[job.pk]).encode() not in page.content


def test_the_api_starts_a_job_and_reports_it_until_the_zip_is_ready(client, organisation, org_people,
                                                                     mandated_cases, fake_renderer):
    cases = mandated_cases(3)
    login(client, org_people["org_admin"])
    response = client.post(reverse("api-v1:organisation-bulk-letters", args=[organisation.pk]),
                           data=json.dumps({"case_ids": [cases[0].pk, cases[1].pk]}), content_type="application/json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["state"], body["total"], body["done"], body["zip_url"]) == ("queued", 0, 0, None)  # not listed yet
    assert response["Location"] == reverse("api-v1:job-detail", args=[body["id"]])

    finish(BulkJob.objects.get(pk=body["id"]))
    detail = client.get(reverse("api-v1:job-detail", args=[body["id"]])).json()
    assert (detail["state"], detail["done"], detail["total"], detail["errors"]) == ("finished", 2, 2, 0)
    assert detail["zip_url"].endswith(reverse("api-v1:job-zip", args=[body["id"]]))
    assert client.get(reverse("api-v1:job-zip", args=[body["id"]])).status_code == 200


def test_bad_input_to_the_api_is_a_400_naming_the_field(client, organisation, org_people, mandated_cases):
    mandated_cases(1)
    other = mandated_cases(1, act_for=False)[0]
    login(client, org_people["org_admin"])
    url = reverse("api-v1:organisation-bulk-letters", args=[organisation.pk])
    wrong_type = client.post(url, data=json.dumps({"case_ids": "all"}), content_type="application/json")
    not_mandated = client.post(url, data=json.dumps({"case_ids": [other.pk]}), content_type="application/json")
    assert wrong_type.status_code == not_mandated.status_code == 400
    assert "case_ids" in wrong_type.json() and "case_ids" in not_mandated.json()
    assert not BulkJob.objects.exists()


def test_another_organisations_job_is_a_404(client, organisation, org_people, mandated_cases, fake_renderer):
    mandated_cases(1)
    job = finish(bulk_job_start(organisation=organisation, user=org_people["org_admin"]))
    login(client, org_people["other_admin"])
    for url in (reverse("api-v1:job-detail", args=[job.pk]), reverse("api-v1:job-zip", args=[job.pk]),
                reverse("bulk:job", args=[job.pk]), reverse("bulk:jobs", args=[organisation.pk])):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("api-v1:organisation-bulk-letters", args=[organisation.pk]),
                       data="{}", content_type="application/json").status_code == 404


# --- Query counts: constant in the number of letters and jobs ---------------------------------------------------


def _job_with(organisation, user, n: int) -> BulkJob:
    """A running job with n letters, half of them failed (the progress page lists the failures)."""
    from deletion_portal.accounts.models import Role
    from deletion_portal.cases.services import case_create
    from tests.support.data import DRAFT_FIELDS
    from tests.support.world import make_account

    job = BulkJob.objects.create(organisation=organisation, created_by=user, state=BulkJobState.RUNNING, total=n)
    for i in range(n):
        member = make_account(f"q{job.pk}-{i}@mail.example", Role.EMPLOYEE)
        case = case_create(owner=member, employer=None, **{k: v for k, v in DRAFT_FIELDS.items()})
        BulkJobItem.objects.create(job=job, case=case, kind="request",
                                   state=BulkItemState.FAILED if i % 2 else BulkItemState.DONE, error="Incomplete")
    return job


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.mark.parametrize("page", ["bulk:job", "api-v1:job-detail", "bulk:jobs"])
def test_the_pages_cost_the_same_queries_for_2_and_12(client, organisation, org_people, page):
    user = org_people["organiser"]
    login(client, user)
    counts = []
    for n in (SMALL, LARGE):
        BulkJob.objects.all().delete()
        if page == "bulk:jobs":
            for _ in range(n):
                job = BulkJob.objects.create(organisation=organisation, created_by=user, state=BulkJobState.FINISHED)
            url = reverse(page, args=[organisation.pk])
        else:
            job = _job_with(organisation, user, n)
            url = reverse(page, args=[job.pk])
        counts.append(_queries(client, url))
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries for {SMALL}, {counts[1]} for {LARGE}"
