"""The employer side's pages, under /employer/ (namespace ``dpo``)."""

from django.urls import path

from deletion_portal.dpo import webhook_views

app_name = "dpo"

urlpatterns: list = [
    # Webhooks (team admins only).
    path("webhooks", webhook_views.webhooks_page, name="webhooks"),
    path("webhooks/<int:pk>/roll", webhook_views.webhook_roll, name="webhook-roll"),
    path("webhooks/<int:pk>/remove", webhook_views.webhook_delete, name="webhook-remove"),
    path("webhooks/deliveries/<int:pk>/resend", webhook_views.webhook_resend, name="webhook-resend"),
]
