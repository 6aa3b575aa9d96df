"""The employer side's pages, under /employer/ (namespace ``dpo``)."""

from django.urls import path

from deletion_portal.dpo import action_views, answer_views, claim_views, team_urls, views, webhook_views

app_name = "dpo"

urlpatterns = [
    *team_urls.urlpatterns,  # verification, the team page, invitations
    path("claim", claim_views.claim, name="claim"),
    path("", views.inbox, name="inbox"),
    path("inbox.csv", views.inbox_csv, name="inbox-csv"),
    path("cases/new", views.case_new, name="case-new"),
    path("cases/acknowledge", action_views.bulk_acknowledge, name="bulk-acknowledge"),
    path("cases/<int:pk>", views.case_page, name="case"),
    path("cases/<int:pk>/attachments/<int:att_pk>", views.case_attachment, name="case-attachment"),
    path("cases/<int:pk>/notes", views.case_note, name="case-note"),
    path("cases/<int:pk>/assign", views.case_assign_view, name="case-assign"),
    path("cases/<int:pk>/actions/<str:action>", action_views.case_action, name="case-action"),
    path("cases/<int:pk>/answer", answer_views.case_answer, name="case-answer"),
    path("cases/<int:pk>/answer/files", answer_views.case_answer_file, name="case-answer-file"),
    # Webhooks (team admins only).
    path("webhooks", webhook_views.webhooks_page, name="webhooks"),
    path("webhooks/<int:pk>/roll", webhook_views.webhook_roll, name="webhook-roll"),
    path("webhooks/<int:pk>/remove", webhook_views.webhook_delete, name="webhook-remove"),
    path("webhooks/deliveries/<int:pk>/resend", webhook_views.webhook_resend, name="webhook-resend"),
]
