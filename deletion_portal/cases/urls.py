from django.urls import path

from deletion_portal.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("track/", views.case_track, name="track"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/step/<int:n>/", views.case_step, name="step"),
    path("<int:pk>/preview.pdf", views.case_preview_pdf, name="preview-pdf"),
    path("<int:pk>/finalize/", views.case_finalize, name="finalize"),
    path("<int:pk>/letters/<int:letter_pk>/pdf", views.letter_pdf, name="letter-pdf"),
    path("<int:pk>/attachments/<int:att_pk>", views.attachment_download, name="attachment"),
    path("<int:pk>/attachments/<int:att_pk>/share", views.attachment_share, name="attachment-share"),
    path("<int:pk>/delete/", views.case_delete, name="delete"),
    path("<int:pk>/employer-access/", views.case_employer_access, name="employer-access"),
    path("<int:pk>/send-email/", views.case_send_email, name="send-email"),
    path("<int:pk>/record/post/", views.record_post, name="record-post"),
    path("<int:pk>/record/web-form/", views.record_web_form, name="record-web-form"),
    path("<int:pk>/record/event/", views.record_event, name="record-event"),
]
