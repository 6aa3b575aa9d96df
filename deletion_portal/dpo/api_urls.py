"""The employer side's API, under /api/v1/employer/ (names in the ``api-v1`` namespace, prefixed ``employer-``)."""

from django.urls import path

from deletion_portal.dpo import action_api, api, claim_api

urlpatterns = [
    path("claims", claim_api.claims, name="employer-claims"),
    path("cases", api.employer_case_list, name="employer-case-list"),
    path("cases/<int:pk>", api.employer_case_detail, name="employer-case-detail"),
    path("cases/<int:pk>/actions", action_api.employer_case_actions, name="employer-case-actions"),
]
