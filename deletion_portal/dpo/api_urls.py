"""The employer side's API, under /api/v1/employer/ (names in the ``api-v1`` namespace, prefixed ``employer-``)."""

from django.urls import path

from deletion_portal.dpo import webhook_api

urlpatterns: list = [
    # Webhooks (team admins only).
    path("webhooks", webhook_api.webhook_list, name="employer-webhooks"),
    path("webhooks/<int:pk>", webhook_api.webhook_detail, name="employer-webhook-detail"),
    path("webhooks/<int:pk>/roll", webhook_api.webhook_roll, name="employer-webhook-roll"),
    path("webhooks/deliveries", webhook_api.webhook_delivery_list, name="employer-webhook-deliveries"),
    path("webhooks/deliveries/<int:pk>/resend", webhook_api.webhook_delivery_resend_view,
         name="employer-webhook-resend"),
]
