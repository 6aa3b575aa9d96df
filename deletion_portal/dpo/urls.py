"""The employer side's pages, under /employer/ (namespace ``dpo``)."""

from django.urls import path

from deletion_portal.dpo import views

app_name = "dpo"

urlpatterns: list = [
    path("claim", views.claim, name="claim"),
]
