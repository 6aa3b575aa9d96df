"""The employer side's read API and recording a request received elsewhere, under /api/v1/employer/.

Every case comes through the access policy, narrowed to the user's employer teams
(``dpo.selectors.team_cases`` / ``team_case_get``): another team's case, the employee's own case and a
case the user does not reach are the same 404. Bad filters are a 400 naming the parameter.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from deletion_portal.cases.access import Need
from deletion_portal.dpo.selectors import (
    ASSIGNED_FILTERS,
    STATUS_FILTERS,
    case_page_for_team,
    inbox_cases,
    inbox_filters_parse,
    is_team_member,
    recording_team_for,
    recording_teams,
    team_case_get,
)
from deletion_portal.dpo.serializers import RecordRequestSerializer, TeamCaseSerializer, TeamCaseSummarySerializer
from deletion_portal.dpo.services import case_access_record, case_record_received_elsewhere

API_FIELD = {"law_key": "law", "employer": "employer_id", "requester_name": "requester.name",
             "requester_address": "requester.address", "requester_email": "requester.email", "date": "received_on",
             "__all__": "detail"}
NOT_FOUND = OpenApiResponse(description="No such case (or not one your team may see)")
FILTERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=list(STATUS_FILTERS), description="Default: open"),
    OpenApiParameter("law", OpenApiTypes.STR, description="A law key, e.g. from /api/v1/laws"),
    OpenApiParameter("right", OpenApiTypes.STR, description="Cases asking for this right"),
    OpenApiParameter("due_within", OpenApiTypes.INT, description="Unanswered, respond-by within N days from today"),
    OpenApiParameter("overdue", OpenApiTypes.BOOL, description="Unanswered, respond-by date passed"),
    OpenApiParameter("assigned", OpenApiTypes.STR, enum=list(ASSIGNED_FILTERS)),
    OpenApiParameter("q", OpenApiTypes.STR, description="Reference or requester name contains"),
    OpenApiParameter("sort", OpenApiTypes.STR, enum=["due", "received", "reference"], description="Default: due"),
]


class InboxPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def _team_member(request) -> None:
    if not is_team_member(request.user):
        raise Http404("No such page.")


def _bad_request(exc: DjangoValidationError) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return ValidationError({"detail": exc.messages})
    errors: dict = {}
    for field, messages in exc.message_dict.items():
        *parents, leaf = API_FIELD.get(field, field).split(".")
        target = errors
        for parent in parents:
            target = target.setdefault(parent, {})
        target.setdefault(leaf, []).extend(messages)
    return ValidationError(errors)


def _list(request):
    today = timezone.localdate()
    try:
        filters = inbox_filters_parse(request.query_params)
    except DjangoValidationError as exc:
        raise _bad_request(exc) from None
    paginator = InboxPagination()
    page = paginator.paginate_queryset(inbox_cases(user=request.user, filters=filters, today=today), request)
    return paginator.get_paginated_response(TeamCaseSummarySerializer(page, many=True, context={"today": today}).data)


def _record(request):
    serializer = RecordRequestSerializer(data=request.data)
    if not serializer.is_valid():
        raise ValidationError(serializer.errors)
    data = serializer.validated_data
    team, employer = recording_team_for(recording_teams(request.user), data["employer_id"])
    if employer is None:
        raise ValidationError({"employer_id": [f"No employer with id {data['employer_id']} among your team's "
                                               "employers (or your role may not record requests)."]})
    requester = data["requester"]
    try:
        case = case_record_received_elsewhere(
            team=team, actor=request.user, employer=employer, requester_name=requester["name"],
            requester_address=requester.get("address", ""), requester_email=requester.get("email", ""),
            rights=list(dict.fromkeys(data["rights"])), law_key=data["law"], region=data["region"],
            received_on=data["received_on"], channel=data["channel"])
    except DjangoValidationError as exc:
        raise _bad_request(exc) from None
    return Response(_detail_payload(request, team_case_get(request.user, case.pk)), status=status.HTTP_201_CREATED)


def _detail_payload(request, case) -> dict:
    page = case_page_for_team(case=case, user=request.user)
    context = {"request": request, "today": timezone.localdate(), "page": page}
    case.team_assignments = [page["assignment"]] if page["assignment"] else []
    payload = dict(TeamCaseSerializer(case, context=context).data)
    payload["answers"] = _answers(case)
    return payload


def _answers(case) -> dict:
    """The team's structured answers (dpo.answers): its draft (with its gaps) and the answers sent."""
    from deletion_portal.dpo.answers import response_draft_for, responses_sent

    draft = response_draft_for(case=case, team=case.access.via)
    return {
        "draft": {"id": draft.pk, "answer": draft.answer, "missing": draft.missing} if draft else None,
        "sent": [{"id": r.pk, "team": r.team.name, "on": r.answer.get("on"), "missing": r.missing,
                  "letter": {"id": r.letter.pk, "short_id": r.letter.short_id, "sha256": r.letter.sha256}
                  if r.letter else None} for r in responses_sent(case)],
    }


@extend_schema(methods=["GET"], parameters=FILTERS, responses={200: TeamCaseSummarySerializer(many=True),
               400: OpenApiResponse(description="A bad filter, named")},
               summary="Your team's cases (the inbox), nearest legal date first")
@extend_schema(methods=["POST"], request=RecordRequestSerializer,
               responses={201: TeamCaseSerializer, 400: OpenApiResponse(description="The fields that are wrong")},
               summary="Record a request that arrived outside the portal (email, post, HR portal)")
@api_view(["GET", "POST"])
def employer_case_list(request):
    _team_member(request)
    if request.method == "POST":
        return _record(request)
    return _list(request)


@extend_schema(responses={200: TeamCaseSerializer, 404: NOT_FOUND}, summary="A case your team may see")
@api_view(["GET"])
def employer_case_detail(request, pk: int):
    case = team_case_get(request.user, pk, need=Need.VIEW)
    case_access_record(case=case, user=request.user, team=case.access.via, what="api")
    return Response(_detail_payload(request, case))
