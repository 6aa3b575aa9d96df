"""The employer side's API, under /api/v1/employer/ (names in the ``api-v1`` namespace, prefixed ``employer-``)."""

from django.urls import path

from deletion_portal.dpo import action_api, answer_api, api, claim_api, webhook_api

urlpatterns = [
    path("claims", claim_api.claims, name="employer-claims"),
    path("cases", api.employer_case_list, name="employer-case-list"),
    path("cases/<int:pk>", api.employer_case_detail, name="employer-case-detail"),
    path("cases/<int:pk>/actions", action_api.employer_case_actions, name="employer-case-actions"),
    path("cases/<int:pk>/responses", answer_api.employer_case_responses, name="employer-case-responses"),
    path("cases/<int:pk>/files", answer_api.employer_case_files, name="employer-case-files"),
    # Webhooks (team admins only).
    path("webhooks", webhook_api.webhook_list, name="employer-webhooks"),
    path("webhooks/<int:pk>", webhook_api.webhook_detail, name="employer-webhook-detail"),
    path("webhooks/<int:pk>/roll", webhook_api.webhook_roll, name="employer-webhook-roll"),
    path("webhooks/deliveries", webhook_api.webhook_delivery_list, name="employer-webhook-deliveries"),
    path("webhooks/deliveries/<int:pk>/resend", webhook_api.webhook_delivery_resend_view,
         name="employer-webhook-resend"),
]
