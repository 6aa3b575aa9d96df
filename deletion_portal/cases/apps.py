from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "deletion_portal.cases"
    label = "cases"
    verbose_name = "Cases and letters"
