"""The employer side's API, under /api/v1/employer/ (names in the ``api-v1`` namespace, prefixed ``employer-``)."""

from django.urls import path  # noqa: F401 - the endpoints are added here

urlpatterns: list = []
