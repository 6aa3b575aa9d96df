"""The employer side's pages, under /employer/ (namespace ``dpo``)."""

from django.urls import path

from deletion_portal.dpo import team_urls, views

app_name = "dpo"

urlpatterns: list = [
    *team_urls.urlpatterns,  # verification, the team page, invitations
    path("claim", views.claim, name="claim"),
]
