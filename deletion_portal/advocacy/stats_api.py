"""``GET /api/v1/employers/<id>/outcomes``: an employer's published outcome figures (public), and
``GET /api/v1/campaigns/<id>/stats``: a campaign's figures (its organisation's members; anyone else a 404).

The same report as the page and the downloads (``stats_views.employer_report``): the same release, the same
suppression. Parameters ``law`` (a law key) and ``period`` (YYYY or YYYY-MM of receipt); ``right`` is a 400
that says why it is not offered.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from deletion_portal.advocacy.reports import FilterError, parse_filters
from deletion_portal.advocacy.selectors import campaign_get_for
from deletion_portal.advocacy.stats_views import campaign_report, employer_report
from deletion_portal.employers.selectors import employer_get
from deletion_portal.laws.registry import regime_keys

#: The filters both endpoints take; the schema says exactly what is accepted (anything else is a 400 naming it).
FILTER_PARAMETERS = [
    OpenApiParameter("law", str, description="Law key, e.g. eu-gdpr", enum=[*regime_keys(), ""]),
    OpenApiParameter("period", str, description="Year (2026) or month (2026-03) the employer received the requests",
                     pattern=r"^(\d{4}(-(0[1-9]|1[0-2]))?)?$"),
    OpenApiParameter("right", str, enum=[""], description="Not offered: any value is a 400 that says why (requests "
                                                          "ask for several rights, so the groups would overlap)"),
]


@extend_schema(
    parameters=FILTER_PARAMETERS,
    responses=OpenApiTypes.OBJECT,
    summary="An employer's outcome statistics, with small cells suppressed (null + suppressed: true)",
)
@api_view(["GET"])
@permission_classes([AllowAny])
@throttle_classes([AnonRateThrottle])
def employer_outcomes(request, pk: int):
    employer = employer_get(pk=pk)
    if employer is None:
        raise NotFound("No such employer in the directory.")
    try:
        filters = parse_filters(request.query_params)
    except FilterError as error:
        raise ValidationError({error.field: [error.message]}) from None
    return Response(employer_report(employer, filters))


@extend_schema(
    parameters=FILTER_PARAMETERS,
    responses=OpenApiTypes.OBJECT,
    summary="A campaign's outcome statistics (its organisation's members; others 404), small cells suppressed",
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def campaign_stats(request, campaign_id: int):
    found = campaign_get_for(user=request.user, campaign_id=campaign_id)
    if found is None:
        raise NotFound("No such campaign.")
    try:
        filters = parse_filters(request.query_params)
    except FilterError as error:
        raise ValidationError({error.field: [error.message]}) from None
    return Response(campaign_report(found[0], filters))
