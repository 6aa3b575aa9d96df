from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "deletion_portal.accounts"
    label = "accounts"
    verbose_name = "Accounts"
