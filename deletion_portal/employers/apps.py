from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "deletion_portal.employers"
    label = "employers"
    verbose_name = "Employer directory"
