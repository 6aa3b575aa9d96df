from django.apps import AppConfig


class AdvocacyConfig(AppConfig):
    name = "deletion_portal.advocacy"
    label = "advocacy"
    verbose_name = "Advocacy organisations"

    def ready(self) -> None:
        # cases sits below advocacy and cannot import it: advocacy adds its rule to the case access policy.
        from deletion_portal.advocacy.access import organisation_access_provider
        from deletion_portal.cases.access import register_case_access_provider

        register_case_access_provider(organisation_access_provider)

        from deletion_portal.advocacy import checks, stats_tasks  # noqa: F401  (the STATS_MIN_CELL check; beat's task)
