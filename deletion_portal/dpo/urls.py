"""The employer side's pages, under /employer/ (namespace ``dpo``)."""

from django.urls import path  # noqa: F401 - the pages are added here

from deletion_portal.dpo import team_urls

app_name = "dpo"

urlpatterns: list = [
    *team_urls.urlpatterns,  # verification, the team page, invitations
]
