"""The employer side's API, under /api/v1/employer/ (names in the ``api-v1`` namespace, prefixed ``employer-``)."""

from django.urls import path

from deletion_portal.dpo import api

urlpatterns: list = [
    path("claims", api.claims, name="employer-claims"),
]
