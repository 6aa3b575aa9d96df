"""The employer side's pages, under /employer/ (namespace ``dpo``)."""

from django.urls import path  # noqa: F401 - the pages are added here

app_name = "dpo"

urlpatterns: list = []
