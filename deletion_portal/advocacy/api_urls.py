"""The campaigns API under /api/v1/ (names in the ``api-v1`` namespace)."""

from django.urls import path

from deletion_portal.advocacy import api

urlpatterns = [
    path("organisations/<int:org_id>/campaigns", api.organisation_campaign_list, name="organisation-campaigns"),
    path("campaigns/<int:campaign_id>", api.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:campaign_id>/members", api.campaign_members, name="campaign-members"),
]
