from django.urls import path

from deletion_portal.laws import views

app_name = "laws"
urlpatterns = [
    path("", views.calculator, name="calculator"),
    path("deadlines.ics", views.calculator_ics, name="calculator-ics"),
    path("laws/", views.law_list, name="law-list"),
    path("laws/<slug:key>/", views.law_detail, name="law-detail"),
]
