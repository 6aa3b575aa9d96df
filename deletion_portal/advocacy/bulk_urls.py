from django.urls import path

from deletion_portal.advocacy import bulk_views

app_name = "bulk"

urlpatterns = [
    path("<int:pk>/bulk-letters/", bulk_views.jobs_page, name="jobs"),
    path("bulk-letters/<int:pk>/", bulk_views.job_page, name="job"),
    path("bulk-letters/<int:pk>/cancel", bulk_views.job_cancel, name="cancel"),
    path("bulk-letters/<int:pk>/resume", bulk_views.job_resume, name="resume"),
    path("bulk-letters/<int:pk>/letters.zip", bulk_views.job_zip, name="zip"),
    path("bulk-letters/<int:pk>/print.pdf", bulk_views.job_print, name="print"),
]
