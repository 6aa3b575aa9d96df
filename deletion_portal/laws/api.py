"""Public, read-only API: law records, applicability and deadlines. No account needed."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view, permission_classes, throttle_classes
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from deletion_portal.core.ratelimit import AnonThrottle
from deletion_portal.laws.applicability import applicable_regimes
from deletion_portal.laws.deadlines import compute_deadlines
from deletion_portal.laws.registry import UnknownRegime, all_regimes, get_regime, regime_keys
from deletion_portal.laws.serializers import (
    ApplicabilitySerializer,
    ApplicableQuerySerializer,
    DeadlineQuerySerializer,
    DeadlineSerializer,
    LawSerializer,
    repeated_query_parameters,
)


def _query(serializer_class, request):
    repeated = repeated_query_parameters(request.query_params)
    if repeated:
        raise ValidationError(repeated)
    serializer = serializer_class(data=request.query_params)
    if not serializer.is_valid():
        raise ValidationError(serializer.errors)
    return serializer.validated_data


@extend_schema(responses=LawSerializer(many=True), summary="Every law record")
@api_view(["GET"])
@permission_classes([AllowAny])
@throttle_classes([AnonThrottle])
def law_list(request):
    return Response(LawSerializer(all_regimes(), many=True).data)


@extend_schema(responses=LawSerializer, summary="One law record")
@api_view(["GET"])
@permission_classes([AllowAny])
@throttle_classes([AnonThrottle])
def law_detail(request, key: str):
    try:
        regime = get_regime(key)
    except UnknownRegime:
        raise NotFound(f"Unknown law '{key[:40]}'. Valid keys: {', '.join(regime_keys())}.") from None
    return Response(LawSerializer(regime).data)


@extend_schema(
    parameters=[ApplicableQuerySerializer],
    responses=ApplicabilitySerializer,
    summary="Which laws protect a person who worked, lives and was employed where given",
)
@api_view(["GET"])
@permission_classes([AllowAny])
@throttle_classes([AnonThrottle])
def law_applicable(request):
    query = _query(ApplicableQuerySerializer, request)
    return Response(ApplicabilitySerializer(applicable_regimes(**query)).data)


@extend_schema(
    parameters=[
        OpenApiParameter("law", str, required=True, description="Law key, e.g. eu-gdpr"),
        OpenApiParameter("received", str, required=True, description="YYYY-MM-DD"),
        OpenApiParameter(
            "region", str, required=True,
            description="Holiday region inside the law's territory, e.g. DE-BY for eu-gdpr, US-CA for us-ca-ccpa",
        ),
    ],
    responses=DeadlineSerializer,
    summary="When an employer must answer a request received on a date",
)
@api_view(["GET"])
@permission_classes([AllowAny])
@throttle_classes([AnonThrottle])
def deadlines(request):
    query = _query(DeadlineQuerySerializer, request)
    result = compute_deadlines(query["law"], received=query["received"], region=query["region"])
    return Response(DeadlineSerializer(result).data)
