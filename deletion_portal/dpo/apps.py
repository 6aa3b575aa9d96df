from django.apps import AppConfig


class DpoConfig(AppConfig):
    """The employer side: an employer team's inbox, case view, actions, claims, notes and webhooks."""

    name = "deletion_portal.dpo"
    label = "dpo"
    verbose_name = "Employer DPO workspace"

    def ready(self) -> None:
        from deletion_portal.cases.access import register_case_access_provider
        from deletion_portal.dpo.access import claimed_case_access_provider

        register_case_access_provider(claimed_case_access_provider)

        from deletion_portal.dpo import receivers

        receivers.connect()

        # Webhooks: subscribe to cases.signals.case_changed (kept as its own call for easy merging).
        from deletion_portal.dpo import webhooks

        webhooks.connect()

        # The structured answer: the employee's case page, the case API, bench letters (its own call for easy merging).
        from deletion_portal.dpo import answer_receivers

        answer_receivers.connect()

        # The ML artefacts' outcomes in the outcome statistics (advocacy counts them; its own call for easy merging).
        from deletion_portal.cases.hooks import register_statistics_labeller, register_statistics_source
        from deletion_portal.dpo.statistics import artefact_statistics, artefact_statistics_label

        register_statistics_source(artefact_statistics)
        register_statistics_labeller(artefact_statistics_label)
