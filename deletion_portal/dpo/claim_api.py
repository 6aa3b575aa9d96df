"""The employer side's API (``/api/v1/employer/``). Token or session authentication."""

from __future__ import annotations

from django.http import Http404
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.response import Response

from deletion_portal.cases.access import SENT_STATUSES
from deletion_portal.core.net import client_ip
from deletion_portal.dpo.claims import ClaimRefused, ClaimThrottled, case_claim, claim_teams_for


class ClaimSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=40, help_text="The case reference, e.g. DP-7K3Q-9M2X.")
    code = serializers.CharField(max_length=80, write_only=True,
                                 help_text="The case access code from the request letter or email (dashes optional).")
    team = serializers.IntegerField(required=False,
                                    help_text="The team to claim for; required when you belong to several.")


class ClaimResultSerializer(serializers.Serializer):
    case_id = serializers.IntegerField()
    reference = serializers.CharField()
    team = serializers.IntegerField()
    team_name = serializers.CharField()
    claimed_at = serializers.DateTimeField()
    visible = serializers.BooleanField(help_text="False until the employee records the request as sent.")


class ClaimErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


@extend_schema(
    operation_id="employer_claims_create",
    summary="Claim a case for your team with its case access code",
    description="A verified responder or admin of a team claims the case whose reference and case access code "
                "are printed on the request letter and email. A wrong code and an unknown reference give the "
                "same 400. After 10 failures in an hour per IP or per reference every attempt is a 429.",
    request=ClaimSerializer,
    responses={201: ClaimResultSerializer, 400: ClaimErrorSerializer, 404: OpenApiResponse(description="Not a verified team member."),
               429: ClaimErrorSerializer},
)
@api_view(["POST"])
def claims(request):
    teams = list(claim_teams_for(request.user))
    if not teams:
        raise Http404("No such page.")
    given = ClaimSerializer(data=request.data)
    given.is_valid(raise_exception=True)
    data = given.validated_data
    if "team" in data:
        team = next((t for t in teams if t.pk == data["team"]), None)
        if team is None:
            return Response({"team": ["Choose one of your teams."]}, status=status.HTTP_400_BAD_REQUEST)
    elif len(teams) == 1:
        team = teams[0]
    else:
        return Response({"team": ["You belong to several teams: choose one (team id)."]},
                        status=status.HTTP_400_BAD_REQUEST)
    try:
        made = case_claim(user=request.user, team=team, reference=data["reference"], code=data["code"],
                          ip=client_ip(request))
    except ClaimThrottled as refused:
        return Response({"detail": refused.message}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    except ClaimRefused as refused:
        return Response({"detail": refused.message}, status=status.HTTP_400_BAD_REQUEST)
    body = {"case_id": made.case_id, "reference": made.case.reference, "team": made.team_id, "team_name": made.team.name,
            "claimed_at": made.claimed_at, "visible": made.case.status in SENT_STATUSES}
    return Response(ClaimResultSerializer(body).data, status=status.HTTP_201_CREATED)


# Error reports never show the code (it only ever travels in the POST body).
claims = sensitive_post_parameters("code")(claims)
