"""The employer side's pages, under /employer/ (namespace ``dpo``)."""

from django.urls import path

from deletion_portal.dpo import action_views

app_name = "dpo"

urlpatterns: list = [
    path("cases/<int:pk>/actions/<str:action>", action_views.case_action, name="case-action"),
    path("cases/acknowledge", action_views.bulk_acknowledge, name="bulk-acknowledge"),
]
