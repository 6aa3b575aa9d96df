from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "deletion_portal.cases"
    label = "cases"
    verbose_name = "Cases and letters"

    def ready(self) -> None:
        from deletion_portal.accounts.hooks import register_deletion, register_export, register_summary
        from deletion_portal.cases import account_hooks

        register_export(account_hooks.cases_export)
        register_deletion(account_hooks.cases_delete_for_user)
        register_summary(account_hooks.cases_summary)
