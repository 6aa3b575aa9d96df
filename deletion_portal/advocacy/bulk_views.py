"""Bulk letters pages for an organisation's members: the jobs list with the start form, a job's progress
(refreshed by the browser while it runs: a ``Refresh`` header and ``<meta http-equiv=refresh>``, no JavaScript
needed), cancel, resume and the downloads. Members see the pages; only admins and organisers start, cancel or
resume. Anybody else gets a 404 (never a hint that the organisation or the job exists)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from deletion_portal.advocacy.access import ACTING_ROLES
from deletion_portal.advocacy.bulk import (
    bulk_job_cancel,
    bulk_job_failures,
    bulk_job_get_for,
    bulk_job_resume,
    bulk_job_start,
    bulk_jobs_of,
    campaign_get_acting,
    mandated_cases,
    organisation_get_for,
)
from deletion_portal.advocacy.models import OrganisationMembership

REFRESH_SECONDS = 3


def _acts(user, organisation) -> bool:
    return OrganisationMembership.objects.filter(organisation=organisation, user=user, role__in=ACTING_ROLES).exists()


def _errors(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return list(error.messages)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def jobs_page(request, pk: int):
    organisation = organisation_get_for(request.user, pk)
    acts = _acts(request.user, organisation)
    errors: list[str] = []
    if request.method == "POST":
        if not acts:
            raise Http404("No such page.")
        try:
            job = bulk_job_start(organisation=organisation, user=request.user,
                                 send_emails=request.POST.get("send_emails") == "on")
        except ValidationError as error:
            errors = _errors(error)
        else:
            messages.success(request, "Bulk job started: a worker lists the pending letters, then produces them.")
            return redirect("bulk:job", pk=job.pk)
    return render(request, "advocacy/bulk_jobs.html", {
        "organisation": organisation, "acts": acts, "jobs": bulk_jobs_of(organisation), "errors": errors,
        "mandated": mandated_cases(organisation).count(),
    }, status=400 if errors else 200)


@login_required
@require_POST
def campaign_start(request, campaign_id: int):
    """The campaign page's "Produce the mandated members' letters" (admins and organisers; anyone else a 404):
    a job for this campaign's members with a live mandate; a refusal goes back to the campaign page."""
    campaign = campaign_get_acting(request.user, campaign_id)
    try:
        job = bulk_job_start(organisation=campaign.organisation, user=request.user, campaign=campaign,
                             send_emails=request.POST.get("send_emails") == "on")
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
        return redirect("advocacy:campaign", campaign_id=campaign.pk)
    messages.success(request, "Bulk job started: a worker lists the mandated members' pending letters, then "
                              "produces them.")
    return redirect("bulk:job", pk=job.pk)


@never_cache
@login_required
@require_GET
def job_page(request, pk: int):
    job = bulk_job_get_for(request.user, pk)
    acts = _acts(request.user, job.organisation)
    response = render(request, "advocacy/bulk_job.html", {
        "job": job, "organisation": job.organisation, "acts": acts,
        # Which members' letters failed (their case references) only for those who act for them.
        "failures": bulk_job_failures(job) if acts else [], "refresh": REFRESH_SECONDS if job.is_active else None,
    })
    if job.is_active:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@login_required
@require_POST
def job_cancel(request, pk: int):
    job = bulk_job_get_for(request.user, pk, act=True)
    if bulk_job_cancel(job=job):
        messages.info(request, "The job was cancelled; the letters already produced stay final.")
    return redirect("bulk:job", pk=job.pk)


@login_required
@require_POST
def job_resume(request, pk: int):
    job = bulk_job_get_for(request.user, pk, act=True)
    try:
        resumed = bulk_job_resume(job=job)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        if resumed:
            messages.info(request, "The job was resumed: only the letters still missing are produced.")
    return redirect("bulk:job", pk=job.pk)


def _download(field, filename: str, content_type: str):
    if not field:
        raise Http404("Not ready.")
    return FileResponse(field.open("rb"), as_attachment=True, filename=filename, content_type=content_type)


@never_cache
@login_required
@require_GET
def job_zip(request, pk: int):
    job = bulk_job_get_for(request.user, pk, act=True)
    return _download(job.zip_file, f"bulk-letters-{job.pk}.zip", "application/zip")


@never_cache
@login_required
@require_GET
def job_print(request, pk: int):
    job = bulk_job_get_for(request.user, pk, act=True)
    return _download(job.merged_pdf, f"bulk-letters-{job.pk}-print.pdf", "application/pdf")
