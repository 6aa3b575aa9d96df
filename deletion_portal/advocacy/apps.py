from django.apps import AppConfig


class AdvocacyConfig(AppConfig):
    name = "deletion_portal.advocacy"
    label = "advocacy"
    verbose_name = "Advocacy organisations"

    def ready(self) -> None:
        # cases sits below advocacy and cannot import it: advocacy adds its rule to the case access policy,
        # its campaigns' locks to the wizard, its additions to letters and emails, its panel to the case page.
        from django.db.models.signals import post_delete

        from deletion_portal.accounts.hooks import register_export
        from deletion_portal.advocacy import account_hooks
        from deletion_portal.advocacy.access import organisation_access_provider
        from deletion_portal.advocacy.bulk import register_bulk_documents
        from deletion_portal.advocacy.campaigns import campaign_case_locks
        from deletion_portal.advocacy.consents import (
            bulk_authorisations,
            campaign_letter_context,
            campaign_letter_envelope,
        )
        from deletion_portal.advocacy.models import Mandate
        from deletion_portal.cases.access import register_case_access_provider
        from deletion_portal.cases.hooks import (
            register_case_export,
            register_case_locks,
            register_case_page_context,
            register_letter_context,
            register_letter_envelope,
        )

        register_case_access_provider(organisation_access_provider)
        register_case_locks(campaign_case_locks)
        register_letter_context(campaign_letter_context)
        register_letter_envelope(campaign_letter_envelope)
        register_bulk_documents(bulk_authorisations)  # each mandated member's signed authorisation in the ZIP
        register_case_page_context(account_hooks.case_page_campaigns,
                                   panels={"after_dates": ["advocacy/_case_campaigns.html"]})
        register_case_export(account_hooks.case_export_campaigns)
        register_export(account_hooks.organisations_export)
        from deletion_portal.advocacy.stats_store import case_deleted_forget
        from deletion_portal.cases.models import Case

        post_delete.connect(case_deleted_forget, sender=Case, dispatch_uid="advocacy-statistics-case-deleted")
        post_delete.connect(account_hooks.mandate_file_delete, sender=Mandate,
                            dispatch_uid="advocacy-mandate-file-delete")

        from deletion_portal.advocacy import checks, stats_tasks  # noqa: F401  (the STATS_MIN_CELL check; beat's task)
