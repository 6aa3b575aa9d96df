"""The campaigns API (organisation members; token or session): an organisation's campaigns, one campaign,
and its members as far as their consent allows. Another organisation's campaign, a case without consent and
a withdrawn consent are all 404s (the latter two: simply absent from the members list, whose detail is the
case access policy's)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from deletion_portal.advocacy import campaigns as campaign_services
from deletion_portal.advocacy.models import LOCKABLE_FIELDS, Campaign, CampaignState
from deletion_portal.advocacy.organisations import ORGANISING_ROLES, organisation_membership_get
from deletion_portal.advocacy.selectors import campaign_get_for, campaign_overview, organisation_campaigns

NOT_FOUND = OpenApiResponse(description="No such campaign or organisation (or not yours)")


class CampaignSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    employers = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = ["id", "organisation", "title", "slug", "description", "employers", "law_keys", "region", "bundle",
                  "rights", "categories", "extra_questions", "language", "locked", "state", "publish_statistics",
                  "created_at", "opened_at", "closed_at", "url"]

    def get_employers(self, obj) -> list[int]:
        return sorted(e.pk for e in obj.employers.all())

    def get_url(self, obj) -> str:
        return f"/c/{obj.slug}"


class CampaignWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    slug = serializers.CharField(max_length=80, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    employers = serializers.ListField(child=serializers.IntegerField(), required=False)
    law_keys = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    region = serializers.CharField(max_length=10, required=False, allow_blank=True)
    bundle = serializers.CharField(max_length=20, required=False, allow_blank=True)
    rights = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    categories = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    extra_questions = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    language = serializers.CharField(max_length=5, required=False, allow_blank=True)
    locked = serializers.ListField(child=serializers.ChoiceField(choices=LOCKABLE_FIELDS), required=False)
    publish_statistics = serializers.BooleanField(
        required=False, help_text="Count the consenting members' cases in the public employer scoreboard")
    state = serializers.ChoiceField(choices=CampaignState.values, required=False,
                                    help_text="open (draft → open, verified organisations only) or closed (open → closed)")


class MemberSerializer(serializers.Serializer):
    reference = serializers.CharField(source="case.reference")
    requester_name = serializers.CharField(source="case.requester_name")
    employer = serializers.CharField(source="case.employer.legal_name", default="")
    law = serializers.CharField(source="case.law_key")
    status = serializers.CharField(source="case.status")
    next_date = serializers.DateField(source="case.next_date")
    next_date_label = serializers.CharField(source="case.next_date_label")
    days_left = serializers.IntegerField(allow_null=True)
    mandate = serializers.BooleanField()


def _bad_request(error: DjangoValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"detail": error.messages})


def _given(request) -> dict:
    given = CampaignWriteSerializer(data=request.data)
    if not given.is_valid():
        raise ValidationError(given.errors)
    return dict(given.validated_data)


@extend_schema(methods=["GET"], responses={200: CampaignSerializer(many=True), 404: NOT_FOUND},
               summary="The organisation's campaigns (its members)")
@extend_schema(methods=["POST"], request=CampaignWriteSerializer,
               responses={201: CampaignSerializer, 400: OpenApiResponse(description="A field is refused, and why"),
                          404: NOT_FOUND}, summary="Create a campaign (a draft; admins and organisers)")
@api_view(["GET", "POST"])
def organisation_campaign_list(request, org_id: int):
    membership = organisation_membership_get(user=request.user, organisation_id=org_id)
    if membership is None:
        raise Http404("No such organisation.")
    if request.method == "GET":
        return Response(CampaignSerializer(organisation_campaigns(organisation_id=org_id), many=True).data)
    if membership.role not in ORGANISING_ROLES:
        raise Http404("No such organisation.")
    fields = _given(request)
    fields.pop("state", None)
    try:
        campaign = campaign_services.campaign_create(organisation=membership.organisation, actor=request.user, **fields)
    except DjangoValidationError as error:
        raise _bad_request(error) from None
    campaign = organisation_campaigns(organisation_id=org_id).get(pk=campaign.pk)
    return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)


@extend_schema(methods=["GET"], responses={200: CampaignSerializer, 404: NOT_FOUND}, summary="One campaign")
@extend_schema(methods=["PATCH"], request=CampaignWriteSerializer,
               responses={200: CampaignSerializer, 400: OpenApiResponse(description="A field is refused, and why"),
                          404: NOT_FOUND},
               summary="Change a campaign (choices only as a draft), or open / close it with state")
@api_view(["GET", "PATCH"])
def campaign_detail(request, campaign_id: int):
    found = campaign_get_for(user=request.user, campaign_id=campaign_id)
    if found is None:
        raise Http404("No such campaign.")
    campaign, membership = found
    if request.method == "PATCH":
        if membership.role not in ORGANISING_ROLES:
            raise Http404("No such campaign.")
        fields = _given(request)
        state = fields.pop("state", None)
        try:
            if fields:
                campaign = campaign_services.campaign_update(campaign=campaign, actor=request.user, **fields)
            if state == CampaignState.OPEN:
                campaign = campaign_services.campaign_open(campaign=campaign, actor=request.user)
            elif state == CampaignState.CLOSED:
                campaign = campaign_services.campaign_close(campaign=campaign, actor=request.user)
            elif state == CampaignState.DRAFT and campaign.state != CampaignState.DRAFT:
                raise DjangoValidationError({"state": "A campaign that was opened cannot become a draft again."})
        except PermissionDenied:
            raise Http404("No such campaign.") from None
        except DjangoValidationError as error:
            raise _bad_request(error) from None
    campaign = organisation_campaigns(organisation_id=campaign.organisation_id).get(pk=campaign.pk)
    return Response(CampaignSerializer(campaign).data)


@extend_schema(responses={200: MemberSerializer(many=True), 404: NOT_FOUND},
               summary="The members who let the group see their case (only what their consent allows)")
@api_view(["GET"])
def campaign_members(request, campaign_id: int):
    found = campaign_get_for(user=request.user, campaign_id=campaign_id)
    if found is None:
        raise Http404("No such campaign.")
    overview = campaign_overview(user=request.user, campaign=found[0], today=timezone.localdate())
    return Response(MemberSerializer(overview["rows"], many=True).data)
