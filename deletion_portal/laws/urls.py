from django.urls import path

from deletion_portal.laws import views

app_name = "laws"
urlpatterns = [
    path("", views.calculator, name="calculator"),
    path("laws/", views.law_list, name="law-list"),
]
