"""The webhooks API (team admins only; token or session): register, list, remove and roll webhooks, list
deliveries and re-send one. Under /api/v1/employer/ with names ``api-v1:employer-webhook…``. A webhook or
delivery of a team the caller does not administer (or any of it for a non-admin) is a 404. The secret is in
the answer to the POST that made it, and never again."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from deletion_portal.dpo.models import Webhook, WebhookDelivery, WebhookDeliveryState
from deletion_portal.dpo.webhooks import (
    webhook_admin_teams,
    webhook_create,
    webhook_deliveries_of,
    webhook_delivery_get_for_admin,
    webhook_delivery_resend,
    webhook_get_for_admin,
    webhook_remove,
    webhook_roll_secret,
    webhooks_of,
)

NOT_FOUND = OpenApiResponse(description="No such webhook or delivery (or not a team you administer)")


class WebhookSerializer(serializers.ModelSerializer):
    team = serializers.IntegerField(source="team_id", read_only=True)

    class Meta:
        model = Webhook
        fields = ["id", "team", "url", "active", "created_at", "secret_rolled_at"]


class WebhookWithSecretSerializer(WebhookSerializer):
    """Only in the answer to the POST that created or rolled it: copy the secret now."""

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class WebhookCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=500, help_text="https:// address of your tool's endpoint")
    team = serializers.IntegerField(required=False, help_text="Your team's id (needed if you administer several)")


class WebhookDeliverySerializer(serializers.ModelSerializer):
    webhook = serializers.IntegerField(source="webhook_id", read_only=True)
    case = serializers.IntegerField(source="case_id", read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "webhook", "case", "event_id", "state", "attempts", "last_status_code", "last_error",
                  "next_attempt_at", "created_at", "delivered_at"]


def _admin_teams(request) -> list:
    teams = list(webhook_admin_teams(user=request.user))
    if not teams:
        raise Http404("No such page.")
    return teams


def _bad_request(error: DjangoValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"detail": error.messages})


@extend_schema(methods=["GET"], responses={200: WebhookSerializer(many=True), 404: NOT_FOUND},
               summary="Your teams' webhooks (never their secrets)")
@extend_schema(methods=["POST"], request=WebhookCreateSerializer,
               responses={201: WebhookWithSecretSerializer, 400: OpenApiResponse(description="The URL is refused, and why"),
                          404: NOT_FOUND},
               summary="Register a webhook (HTTPS only); the answer holds its secret, shown this once")
@api_view(["GET", "POST"])
def webhook_list(request):
    teams = _admin_teams(request)
    if request.method == "GET":
        return Response(WebhookSerializer(webhooks_of(teams=teams), many=True).data)
    given = WebhookCreateSerializer(data=request.data)
    if not given.is_valid():
        raise ValidationError(given.errors)
    by_id = {team.pk: team for team in teams}
    team_id = given.validated_data.get("team")
    team = by_id.get(team_id) if team_id is not None else (teams[0] if len(teams) == 1 else None)
    if team is None:
        raise ValidationError({"team": [f"Give one of your teams' ids: {sorted(by_id)}."]})
    try:
        webhook = webhook_create(team=team, url=given.validated_data["url"], actor=request.user)
    except DjangoValidationError as error:
        raise _bad_request(error) from None
    return Response(WebhookWithSecretSerializer(webhook).data, status=status.HTTP_201_CREATED)


@extend_schema(request=None, responses={204: None, 404: NOT_FOUND}, summary="Remove a webhook (and its deliveries)")
@api_view(["DELETE"])
def webhook_detail(request, pk: int):
    webhook = webhook_get_for_admin(user=request.user, pk=pk)
    if webhook is None:
        raise Http404("No such webhook.")
    webhook_remove(webhook=webhook, actor=request.user)
    return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(request=None, responses={200: WebhookWithSecretSerializer, 404: NOT_FOUND},
               summary="Roll a webhook's secret (the old one stops at once); the answer holds the new one")
@api_view(["POST"])
def webhook_roll(request, pk: int):
    webhook = webhook_get_for_admin(user=request.user, pk=pk)
    if webhook is None:
        raise Http404("No such webhook.")
    return Response(WebhookWithSecretSerializer(webhook_roll_secret(webhook=webhook, actor=request.user)).data)


@extend_schema(
    parameters=[OpenApiParameter("state", str, enum=list(WebhookDeliveryState.values), required=False)],
    responses={200: WebhookDeliverySerializer(many=True), 404: NOT_FOUND},
    summary="The latest 50 deliveries of your teams' webhooks",
)
@api_view(["GET"])
def webhook_delivery_list(request):
    teams = _admin_teams(request)
    state = request.query_params.get("state", "")
    if state and state not in WebhookDeliveryState.values:
        raise ValidationError({"state": [f"One of: {', '.join(WebhookDeliveryState.values)}."]})
    deliveries = webhook_deliveries_of(teams=teams, state=state)
    return Response(WebhookDeliverySerializer(deliveries, many=True).data)


@extend_schema(request=None, responses={202: WebhookDeliverySerializer, 404: NOT_FOUND,
                                        409: OpenApiResponse(description="Being sent right now")},
               summary="Send a delivery again (same event id)")
@api_view(["POST"])
def webhook_delivery_resend_view(request, pk: int):
    delivery = webhook_delivery_get_for_admin(user=request.user, pk=pk)
    if delivery is None:
        raise Http404("No such delivery.")
    try:
        delivery = webhook_delivery_resend(delivery=delivery)
    except DjangoValidationError as error:
        return Response({"detail": error.messages}, status=status.HTTP_409_CONFLICT)
    return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
