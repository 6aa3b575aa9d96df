"""The employer's structured answer through the API:

* ``POST /api/v1/employer/cases/<id>/files`` (multipart, ``file``): a file for the answer, its type decided by
  content (a ZIP checked without extracting) → ``201 {id, name, kind, size, sha256, zip_entries}``;
* ``POST /api/v1/employer/cases/<id>/responses`` (JSON: the answer, ``dpo.answers``; ``send`` false saves the
  team's draft, true sends it) → the completeness result (``missing``: item codes with labels) and, once
  sent, the ``letter`` (``id``, ``kind``, ``sha256``, ``pdf``).

A case the user may not RESPOND to for the employer is a 404; bad input a 400 naming the field.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, parser_classes
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from deletion_portal.cases.access import Need
from deletion_portal.core.api import JSONParser
from deletion_portal.dpo.answer_files import answer_file_check
from deletion_portal.dpo.answers import response_file_add, response_save
from deletion_portal.dpo.selectors import team_case_get

NOT_FOUND = OpenApiResponse(description="No such case, or you may not answer it for the employer")


def _bad(error: DjangoValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        return ValidationError({field: messages for field, messages in error.message_dict.items()})
    return ValidationError({"detail": error.messages})


@extend_schema(
    operation_id="employer_case_file_upload",
    request={"multipart/form-data": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}},
    responses={201: OpenApiTypes.OBJECT, 400: OpenApiResponse(description="The file is refused (named under 'file')"),
               404: NOT_FOUND},
    summary="Upload a file for the answer (PDF, CSV, JSON, PNG, JPEG, .eml, ZIP checked without extracting)",
)
@api_view(["POST"])
@parser_classes([MultiPartParser])
def employer_case_files(request, pk: int):
    case = team_case_get(request.user, pk, need=Need.RESPOND)
    upload = request.FILES.get("file")
    try:
        checked = answer_file_check(upload)
        row = response_file_add(case=case, user=request.user, checked=checked, name=getattr(upload, "name", "") or "file")
    except PermissionDenied:
        raise Http404("No such case.") from None
    except DjangoValidationError as error:
        raise _bad(error) from None
    return Response({"id": row.pk, "name": row.attachment.original_name, "kind": row.kind, "size": row.attachment.size,
                     "sha256": row.attachment.sha256, "zip_entries": row.zip_entries}, status=status.HTTP_201_CREATED)


@extend_schema(
    operation_id="employer_case_response",
    request=OpenApiTypes.OBJECT,
    responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT,
               400: OpenApiResponse(description="The fields that are wrong, each named (e.g. artefacts[1].ground)"),
               404: NOT_FOUND},
    summary="Save (send: false) or send (send: true) the structured answer; returns what is missing",
    description="The body is the answer: on, access {item: {status, text, ground}}, questions, training [...], "
                "artefacts [{kind, name, purpose, trained_on, recipients, outcome, outcome_date, method, verification, "
                "assessment, ground, note}], erasure {categories [...], backups, vendor_copies, notification}, objection, "
                "refusal, files [ids], note; plus send. Outcomes: deleted, excluded_from_training, retrained_without, "
                "unlearning_applied, anonymous, retained, not_held. 'retained' needs a ground from the law's list, "
                "'anonymous' an assessment; no date in the future. Sending with gaps is allowed: they are recorded.",
    examples=[OpenApiExample("Send in part", request_only=True, value={
        "send": True, "access": {"art15_1_a": {"status": "answered", "text": "Support analytics"}},
        "artefacts": [{"kind": "model", "name": "support-agent-v3", "outcome": "retrained_without",
                       "outcome_date": "2026-11-30"}]})],
)
@api_view(["POST"])
@parser_classes([JSONParser])
def employer_case_responses(request, pk: int):
    case = team_case_get(request.user, pk, need=Need.RESPOND)
    data = request.data
    if not isinstance(data, dict):
        raise ValidationError({"detail": ["Send the answer as a JSON object."]})
    data = dict(data)
    send = data.pop("send", False)
    if not isinstance(send, bool):
        raise ValidationError({"send": ["Say true (send) or false (save a draft)."]})
    try:
        result = response_save(case=case, user=request.user, data=data, send=send)
    except PermissionDenied:
        raise Http404("No such case.") from None
    except DjangoValidationError as error:
        raise _bad(error) from None
    body = {"id": result.response.pk, "status": result.response.status, "missing": result.missing,
            "complete": not result.missing, "letter": None}
    if result.letter is not None:
        letter = result.letter
        body["letter"] = {"id": letter.pk, "short_id": letter.short_id, "kind": letter.kind, "sha256": letter.sha256,
                          "pdf": request.build_absolute_uri(reverse("api-v1:case-letter-pdf", args=[case.pk, letter.pk]))}
    return Response(body, status=status.HTTP_201_CREATED if result.letter is not None else status.HTTP_200_OK)
