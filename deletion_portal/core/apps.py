from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "deletion_portal.core"
    label = "core"
    verbose_name = "Core"
