from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "deletion_portal.tracking"
    label = "tracking"
    verbose_name = "Deadline tracking"

    def ready(self) -> None:
        from deletion_portal.tracking import receivers

        receivers.connect()
