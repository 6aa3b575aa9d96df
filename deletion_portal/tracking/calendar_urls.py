"""The private calendar feed, mounted at ``/calendar/`` (namespace ``calendar``)."""

from django.urls import path

from deletion_portal.tracking import views

app_name = "calendar"
urlpatterns = [
    path("", views.calendar_page, name="page"),
    path("new/", views.calendar_create, name="create"),
    path("revoke/", views.calendar_revoke, name="revoke"),
    path("feed/<slug:token>.ics", views.calendar_feed, name="feed"),
]
