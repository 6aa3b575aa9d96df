from django.apps import AppConfig


class DpoConfig(AppConfig):
    """The employer side: an employer team's inbox, case view, actions, claims, notes and webhooks."""

    name = "deletion_portal.dpo"
    label = "dpo"
    verbose_name = "Employer DPO workspace"

    def ready(self) -> None:
        from deletion_portal.dpo import receivers

        receivers.connect()
