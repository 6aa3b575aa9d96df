from django.apps import AppConfig


class LawsConfig(AppConfig):
    name = "deletion_portal.laws"
    label = "laws"
    verbose_name = "Laws and deadlines"
