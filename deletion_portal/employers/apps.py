from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "deletion_portal.employers"
    label = "employers"
    verbose_name = "Employer directory"

    def ready(self) -> None:
        from deletion_portal.accounts.hooks import register_export
        from deletion_portal.employers.account_hooks import employers_export

        register_export(employers_export)
