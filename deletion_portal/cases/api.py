"""The cases API: a user's own cases, their letters and timelines. Token or session authentication.

Thin views: check the input's shape with a serializer, call one service, render. Every case is read
through the access policy (``cases.access.case_get_for``), so another user's case is a 404 everywhere.
Services raise Django's ``ValidationError`` naming the field; :func:`_bad_request` turns that into a 400
naming the API field.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view, parser_classes, renderer_classes
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from deletion_portal.cases import services
from deletion_portal.cases.access import Need, case_get_for, cases_visible_to, letter_get_for
from deletion_portal.cases.hooks import case_api_sections
from deletion_portal.cases.models import EventSource
from deletion_portal.cases.selectors import (
    case_deadlines,
    case_events,
    case_final_request_letter,
)
from deletion_portal.cases.sending import recipient_verified
from deletion_portal.cases.serializers import (
    CaseCreateSerializer,
    CaseSerializer,
    CaseSummarySerializer,
    EventCreateSerializer,
    EventResultSerializer,
    LetterSerializer,
    SendResultSerializer,
    SendSerializer,
)
from deletion_portal.cases.uploads import check_upload
from deletion_portal.core.api import JSONParser
from deletion_portal.employers.models import Employer
from deletion_portal.employers.selectors import employer_get

# Model / service field names → the API's names (nested as "requester.name" → {"requester": {"name": …}}).
API_FIELD = {
    "law_key": "law",
    "employer": "employer_id",
    "requester_name": "requester.name",
    "requester_address": "requester.address",
    "requester_email": "requester.email",
    "employee_id": "requester.employee_id",
    "job_title": "requester.job_title",
    "employment_start": "requester.employment_start",
    "employment_end": "requester.employment_end",
    "identity_note": "requester.identity_note",
    "__all__": "detail",
}
EMPLOYER_FIELD = {"legal_name": "name", "privacy_email": "email", "postal_address": "address", "country": "country"}
NOT_FOUND = OpenApiResponse(description="No such case (or not yours)")


PARSERS = [JSONParser, FormParser, MultiPartParser]  # the project default, plus uploads


def _bad_request(exc: DjangoValidationError, mapping: dict[str, str] | None = None, prefix: str = "") -> ValidationError:
    """A DRF 400 from a service's ValidationError, with API field names (nested where dotted)."""
    if not hasattr(exc, "error_dict"):
        return ValidationError({"detail": exc.messages})
    mapping = API_FIELD if mapping is None else mapping
    errors: dict = {}
    for field, messages in exc.message_dict.items():
        name = f"{prefix}{mapping.get(field, field)}"
        target = errors
        *parents, leaf = name.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target.setdefault(leaf, []).extend(messages)
    return ValidationError(errors)


def _valid(serializer_class, request, **kwargs) -> dict:
    serializer = serializer_class(data=request.data, **kwargs)
    if not serializer.is_valid():
        raise ValidationError(serializer.errors)
    return serializer.validated_data


def _case_payload(request, case) -> dict:
    events = case_events(case)
    context = {
        "request": request,
        "events": events,
        "deadlines": case_deadlines(case, events),
        "letters": list(case.letters.order_by("created_at", "pk")),  # drafts too: a script sees what the page shows
    }
    payload = dict(CaseSerializer(case, context=context).data)
    payload.update(case_api_sections(case=case))  # e.g. dpo: the employer's structured "response"
    return payload


# --- Cases ---------------------------------------------------------------------------------------


def _employer(data: dict, user) -> Employer:
    if "employer_id" in data:
        employer = employer_get(pk=data["employer_id"])
        if employer is None:
            raise ValidationError({"employer_id": [f"No employer with id {data['employer_id']}."]})
        return employer
    from deletion_portal.employers.services import DuplicateEmployer, employer_find, employer_submit

    given = data["employer"]
    try:
        return employer_submit(
            added_by=user,
            legal_name=given["name"],
            country=given["country"],
            privacy_email=given.get("email", ""),
            postal_address=given.get("address", ""),
            source="Submitted through the API by a user",
        )
    except DuplicateEmployer as exc:
        existing = employer_find(legal_name=given["name"], country=given["country"].strip().upper())
        hint = f" Use employer_id {existing[0].pk}." if existing else ""
        raise ValidationError({"employer": {"name": [m + hint for m in exc.messages]}}) from None
    except DjangoValidationError as exc:
        raise _bad_request(exc, EMPLOYER_FIELD, prefix="employer.") from None


def _create(request):
    data = _valid(CaseCreateSerializer, request)
    errors = services.validate_case_fields(
        law_key=data["law"], region=data["region"], rights=data["rights"], categories=data["categories"],
        language=data["language"],
    )
    if errors:
        raise ValidationError({field: [message] for field, message in errors.items()})
    requester = data.get("requester") or {}
    fields = {
        "law_key": data["law"],
        "region": data["region"],
        "language": data["language"],
        "rights": list(dict.fromkeys(data["rights"])),
        "categories": list(dict.fromkeys(data["categories"])),
        "other_data": data["other_data"],
        "requester_name": requester.get("name", ""),
        "requester_address": requester.get("address", ""),
        "requester_email": requester.get("email", ""),
        "employee_id": requester.get("employee_id", ""),
        "job_title": requester.get("job_title", ""),
        "employment_start": requester.get("employment_start"),
        "employment_end": requester.get("employment_end"),
        "identity_note": requester.get("identity_note", ""),
        "work_country": data["work_country"],
        "work_region": data["work_region"],
        "residence_country": data["residence_country"],
        "residence_region": data["residence_region"],
        "sent_outside_portal": data["sent_outside_portal"],
        "employer_may_answer": data["employer_may_answer"],
    }
    with transaction.atomic():  # a case that fails its checks leaves no submitted employer behind
        employer = _employer(data, request.user)
        try:
            case = services.case_create(owner=request.user, employer=employer, source=EventSource.API, **fields)
        except DjangoValidationError as exc:
            raise _bad_request(exc) from None
    return Response(_case_payload(request, case), status=status.HTTP_201_CREATED)


@extend_schema(methods=["GET"], responses=CaseSummarySerializer(many=True), summary="Your cases")
@extend_schema(
    methods=["POST"],
    request=CaseCreateSerializer,
    responses={201: CaseSerializer, 400: OpenApiResponse(description="The fields that are wrong, and why")},
    summary="Start a case (a draft request, or one already sent elsewhere)",
)
@api_view(["GET", "POST"])
@parser_classes(PARSERS)
def case_list(request):
    if request.method == "POST":
        return _create(request)
    return Response(CaseSummarySerializer(cases_visible_to(request.user, need=Need.MANAGE), many=True).data)


@extend_schema(responses={200: CaseSerializer, 404: NOT_FOUND}, summary="One of your cases")
@api_view(["GET"])
def case_detail(request, pk: int):
    return Response(_case_payload(request, case_get_for(request.user, pk, need=Need.MANAGE)))


# --- Letters -------------------------------------------------------------------------------------


@extend_schema(
    request=None,
    responses={
        200: OpenApiResponse(LetterSerializer, description="Already final: the same letter"),
        201: OpenApiResponse(LetterSerializer, description="Finalised now"),
        400: OpenApiResponse(description="The fields the letter still needs"),
        404: NOT_FOUND,
    },
    summary="Finalise the request letter (PDF and SHA-256 stored; it never changes afterwards)",
)
@api_view(["POST"])
@parser_classes(PARSERS)
def case_finalize(request, pk: int):
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    return _finalize(request, case, letter=case_final_request_letter(case))


def _finalize(request, case, *, letter):
    """Finalise ``letter`` (None: the request letter): 201 with the letter when finalised now, 200 with the
    same letter when it already was, 400 naming what a draft still needs."""
    from deletion_portal.core.pdf import PdfRenderError

    if letter is not None and letter.is_final:
        return Response(LetterSerializer(letter, context={"request": request}).data, status=status.HTTP_200_OK)
    try:
        final = services.letter_finalize(case=case, letter=letter, actor=request.user, source=EventSource.API)
    except DjangoValidationError as exc:
        raise _bad_request(exc) from None
    except PdfRenderError as exc:
        raise ValidationError({"detail": [str(exc)]}) from None
    return Response(LetterSerializer(final, context={"request": request}).data, status=status.HTTP_201_CREATED)


class PdfRenderer(BaseRenderer):
    """Lets a client ask for ``Accept: application/pdf``; the PDF itself is a FileResponse."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else JSONRenderer().render(data)


@extend_schema(
    responses={(200, "application/pdf"): OpenApiTypes.BINARY, 404: NOT_FOUND},
    summary="A letter's PDF: a final letter's stored bytes (its SHA-256's), a draft's rendered now and never stored",
)
@api_view(["GET"])
@renderer_classes([JSONRenderer, PdfRenderer])
def case_letter_pdf(request, pk: int, letter_pk: int):
    from deletion_portal.core.pdf import PdfRenderError

    if "format" in request.query_params and request.query_params["format"] not in ("json", "pdf"):
        raise ValidationError({"format": ["Use format=pdf (or leave it out), or json for errors as JSON."]})
    letter = letter_get_for(request.user, pk, letter_pk, need=Need.VIEW)  # drafts: the owner only
    case = letter.case
    if letter.is_final:
        if not letter.pdf:
            raise Http404("No such letter.")
        return FileResponse(
            letter.pdf.open("rb"),
            as_attachment=True,
            filename=f"{case.reference}-{letter.short_id}.pdf",
            content_type="application/pdf",
        )
    # A draft: rendered from its current text in its own language; nothing is written (a GET never writes).
    try:
        pdf = services.letter_pdf_bytes(case=case, letter=letter)  # in the letter's own language
    except PdfRenderError as exc:
        raise ValidationError({"detail": [str(exc)]}) from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-{letter.short_id}-draft.pdf"'
    return response


@extend_schema(
    request=SendSerializer,
    responses={202: SendResultSerializer, 400: OpenApiResponse(description="Not final, or no email address"),
               404: NOT_FOUND},
    summary="Send the final letter by email to the employer's privacy address (queued; sent once)",
)
@api_view(["POST"])
@parser_classes(PARSERS)
def case_send(request, pk: int):
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    _valid(SendSerializer, request)
    return _send(request, case, letter=None)


def _send(request, case, *, letter):
    try:
        message = services.letter_send_email(case=case, letter=letter, actor=request.user, source=EventSource.API)
    except DjangoValidationError as exc:
        raise _bad_request(exc) from None
    case.refresh_from_db(fields=["status"])
    return Response({"status": message.state, "case_status": case.status, "recipient_verified": recipient_verified(case)},
                    status=status.HTTP_202_ACCEPTED)


# --- Any letter: the request, a follow-up, a complaint ------------------------------------------------


@extend_schema(
    request=None,
    responses={
        200: OpenApiResponse(LetterSerializer, description="Already final: the same letter, unchanged"),
        201: OpenApiResponse(LetterSerializer, description="Finalised now"),
        400: OpenApiResponse(description="What the letter still needs"),
        404: NOT_FOUND,
    },
    summary="Finalise a draft letter (request, follow-up or complaint): PDF and SHA-256 stored, never changed",
)
@api_view(["POST"])
@parser_classes(PARSERS)
def case_letter_finalize(request, pk: int, letter_pk: int):
    letter = letter_get_for(request.user, pk, letter_pk, need=Need.MANAGE)
    return _finalize(request, letter.case, letter=letter)


@extend_schema(
    request=SendSerializer,
    responses={202: SendResultSerializer,
               400: OpenApiResponse(description="A draft, a complaint (it goes to the authority), or no email address"),
               404: NOT_FOUND},
    summary="Send a final letter (the request or a follow-up) by email to the employer (queued; sent once)",
)
@api_view(["POST"])
@parser_classes(PARSERS)
def case_letter_send(request, pk: int, letter_pk: int):
    letter = letter_get_for(request.user, pk, letter_pk, need=Need.MANAGE)
    _valid(SendSerializer, request)
    return _send(request, letter.case, letter=letter)


# --- Timeline ------------------------------------------------------------------------------------


@extend_schema(
    request={"application/json": EventCreateSerializer, "multipart/form-data": EventCreateSerializer},
    responses={201: EventResultSerializer, 400: OpenApiResponse(description="The fields that are wrong, and why"),
               404: NOT_FOUND},
    summary="Record what happened (possibly in the past); returns the recomputed deadlines",
)
@api_view(["POST"])
@parser_classes(PARSERS)
def case_event_create(request, pk: int):
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    data = _valid(EventCreateSerializer, request)
    upload = None
    if data.get("file") is not None:
        try:
            upload = check_upload(data["file"])
        except DjangoValidationError as exc:
            raise ValidationError({"file": exc.messages}) from None
    details = {name: data[name] for name in EventCreateSerializer.DETAIL_FIELDS if name in data}
    try:
        event = services.case_record_event(
            case=case, kind=data["kind"], on=data["date"], actor=request.user, details=details,
            source=case.access.event_source(EventSource.API), upload=upload, upload_name=getattr(data.get("file"), "name", ""),
        )
    except DjangoValidationError as exc:
        raise _bad_request(exc) from None
    case.refresh_from_db()
    body = {
        "event": event,
        "status": case.status,
        "received_on": case.received_on,
        "received_confirmed": case.received_confirmed,
        "deadlines": case_deadlines(case),
        "next_date": case.next_date,
        "next_date_label": case.next_date_label,
    }
    return Response(EventResultSerializer(body).data, status=status.HTTP_201_CREATED)
