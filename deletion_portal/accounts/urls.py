from django.contrib.auth import views as auth_views
from django.urls import path

from deletion_portal.accounts import twofactor_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("export/", views.export, name="export"),
    path("delete/", views.delete, name="delete"),
    path("deleted/", views.deleted, name="deleted"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),  # POST only (405 on GET)
    path("logout/everywhere/", views.logout_everywhere, name="logout-everywhere"),
    path("tokens/revoke/", views.tokens_revoke, name="tokens-revoke"),
    path("two-factor/setup/", twofactor_views.setup, name="2fa-setup"),
    path("two-factor/verify/", twofactor_views.verify, name="2fa-verify"),
    path("two-factor/backup-codes/", twofactor_views.backup_codes, name="2fa-backup-codes"),
    path("sign-up/", views.sign_up, name="sign-up"),
    path("sign-up/done/", views.sign_up_done, name="sign-up-done"),
    path("confirm/resend/", views.resend_confirmation, name="resend-confirmation"),
    path("confirm/<str:token>/", views.confirm_email, name="confirm-email"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password-change"),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password-change-done",
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password-reset-done",
    ),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password-reset-complete",
    ),
]
