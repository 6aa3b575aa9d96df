"""The bulk letters API: ``POST /api/v1/organisations/<id>/bulk-letters`` starts a job (admins and organisers of
the organisation; ``POST /api/v1/campaigns/<id>/bulk-letters`` one for that campaign's mandated members), ``GET /api/v1/jobs/<id>`` tells its state and counts, and the ZIP's URL once finished
(``GET /api/v1/jobs/<id>/zip``). Another organisation's job, or one of an organisation the caller does not
belong to, is a 404."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from deletion_portal.advocacy.bulk import (
    bulk_job_get_for,
    bulk_job_start,
    campaign_get_acting,
    organisation_get_for,
)
from deletion_portal.advocacy.bulk_models import BulkJob, BulkJobState


class BulkStartSerializer(serializers.Serializer):
    case_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=10000,
                                     help_text="Only these mandated cases (default: every case that mandated the organisation).")
    send_emails = serializers.BooleanField(required=False, default=False,
                                           help_text="Also queue the emailable letters through the outbox.")


class BulkJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.IntegerField(source="organisation_id")
    campaign = serializers.IntegerField(source="campaign_id", allow_null=True)
    state = serializers.ChoiceField(choices=BulkJobState.choices)
    total = serializers.IntegerField(help_text="Letters to produce; 0 until a worker has listed them (planned).")
    planned = serializers.SerializerMethodField()
    done = serializers.IntegerField()
    errors = serializers.IntegerField()
    skipped = serializers.IntegerField()
    emailed = serializers.IntegerField()
    send_emails = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    zip_url = serializers.SerializerMethodField()
    zip_sha256 = serializers.CharField()

    def get_planned(self, job: BulkJob) -> bool:
        return job.planned_at is not None

    def get_zip_url(self, job: BulkJob) -> str | None:
        if job.state != BulkJobState.FINISHED or not job.zip_file:
            return None
        return self.context["request"].build_absolute_uri(reverse("api-v1:job-zip", args=[job.pk]))


def _payload(request, job: BulkJob) -> dict:
    return BulkJobSerializer(job, context={"request": request}).data


def _start(request, *, organisation, campaign=None) -> Response:
    serializer = BulkStartSerializer(data=request.data)
    if not serializer.is_valid():
        raise ValidationError(serializer.errors)
    try:
        job = bulk_job_start(organisation=organisation, user=request.user, campaign=campaign,
                             case_ids=serializer.validated_data.get("case_ids"),
                             send_emails=serializer.validated_data["send_emails"])
    except DjangoValidationError as error:
        if hasattr(error, "error_dict"):
            raise ValidationError(error.message_dict) from None
        raise ValidationError({"detail": error.messages}) from None
    response = Response(_payload(request, job), status=status.HTTP_202_ACCEPTED)
    response["Location"] = reverse("api-v1:job-detail", args=[job.pk])
    return response


@extend_schema(request=BulkStartSerializer, responses={202: BulkJobSerializer, 400: OpenApiTypes.OBJECT,
                                                       404: OpenApiResponse(description="No such organisation")})
@api_view(["POST"])
def organisation_bulk_letters(request, pk: int):
    return _start(request, organisation=organisation_get_for(request.user, pk, act=True))


@extend_schema(request=BulkStartSerializer, responses={202: BulkJobSerializer, 400: OpenApiTypes.OBJECT,
                                                       404: OpenApiResponse(description="No such campaign")})
@api_view(["POST"])
def campaign_bulk_letters(request, campaign_id: int):
    """The letters of the campaign's members with a live mandate (``case_ids``: only these among them)."""
    campaign = campaign_get_acting(request.user, campaign_id)
    return _start(request, organisation=campaign.organisation, campaign=campaign)


@extend_schema(responses={200: BulkJobSerializer, 404: OpenApiResponse(description="No such job")})
@api_view(["GET"])
def job_detail(request, pk: int):
    return Response(_payload(request, bulk_job_get_for(request.user, pk)))


@extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY, 404: OpenApiResponse(description="No such job")})
@api_view(["GET"])
def job_zip(request, pk: int):
    job = bulk_job_get_for(request.user, pk, act=True)
    if job.state != BulkJobState.FINISHED or not job.zip_file:
        raise Http404("Not ready.")
    return FileResponse(job.zip_file.open("rb"), as_attachment=True, filename=f"bulk-letters-{job.pk}.zip",
                        content_type="application/zip")
