"""The employer side's API, under /api/v1/employer/ (names in the ``api-v1`` namespace, prefixed ``employer-``)."""

from django.urls import path

from deletion_portal.dpo import action_api

urlpatterns: list = [
    path("cases/<int:pk>/actions", action_api.employer_case_actions, name="employer-case-actions"),
]
