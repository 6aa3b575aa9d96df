from django.urls import path

from deletion_portal.core import views

app_name = "core"
urlpatterns = [path("healthz", views.healthz, name="healthz")]
