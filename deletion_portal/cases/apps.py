from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "deletion_portal.cases"
    label = "cases"
    verbose_name = "Cases and letters"

    def ready(self) -> None:
        from django.urls import reverse

        from deletion_portal.accounts.hooks import register_deletion, register_export, register_summary
        from deletion_portal.cases import account_hooks
        from deletion_portal.core.links import register_link

        # The pages of the apps below link here by name (core/links.py): the home page, My account, the directory.
        register_link("start-request", lambda: reverse("cases:new"))
        register_link("my-cases", lambda: reverse("cases:list"))
        register_link("use-employer", lambda pk: f"{reverse('cases:new')}?employer={int(pk)}")

        register_export(account_hooks.cases_export)
        register_deletion(account_hooks.cases_delete_for_user)
        register_summary(account_hooks.cases_summary)
