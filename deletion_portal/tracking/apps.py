from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "deletion_portal.tracking"
    label = "tracking"
    verbose_name = "Deadline tracking"

    def ready(self) -> None:
        from deletion_portal.tracking import receivers

        receivers.connect()

        # Bulk letters (advocacy) ask which follow-ups and complaints are due; advocacy cannot import tracking.
        from deletion_portal.cases.hooks import register_due_letter_drafter
        from deletion_portal.tracking.due_letters import due_complaint, due_follow_up

        register_due_letter_drafter("follow_up", due_follow_up)
        register_due_letter_drafter("complaint", due_complaint)
