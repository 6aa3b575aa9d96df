from django.urls import path

from deletion_portal.tracking import views

app_name = "tracking"
urlpatterns = [
    path("<int:pk>/follow-up/", views.follow_up, name="follow-up"),
    path("<int:pk>/complaint/", views.complaint, name="complaint"),
    path("<int:pk>/checklist/<int:event_pk>/", views.checklist, name="checklist"),
    path("<int:pk>/evidence.zip", views.evidence, name="evidence"),
    path("<int:pk>/letters/<int:letter_pk>/finalize/", views.finalize, name="finalize"),
    path("<int:pk>/calendar.ics", views.case_calendar_ics, name="case-calendar"),
    path("<int:pk>/keep/", views.keep, name="keep"),
]
