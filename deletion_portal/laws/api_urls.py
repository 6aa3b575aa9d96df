from django.urls import path

from deletion_portal.laws import api

urlpatterns = [
    path("laws", api.law_list, name="law-list"),
    path("laws/applicable", api.law_applicable, name="law-applicable"),
    path("laws/<slug:key>", api.law_detail, name="law-detail"),
    path("deadlines", api.deadlines, name="deadlines"),
]
