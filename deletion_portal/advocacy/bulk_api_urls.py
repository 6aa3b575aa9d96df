from django.urls import path

from deletion_portal.advocacy import bulk_api

urlpatterns = [
    path("organisations/<int:pk>/bulk-letters", bulk_api.organisation_bulk_letters, name="organisation-bulk-letters"),
    path("campaigns/<int:campaign_id>/bulk-letters", bulk_api.campaign_bulk_letters, name="campaign-bulk-letters"),
    path("jobs/<int:pk>", bulk_api.job_detail, name="job-detail"),
    path("jobs/<int:pk>/zip", bulk_api.job_zip, name="job-zip"),
]
