from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from deletion_portal.accounts.forms import AccountChangeAdminForm, AccountCreationAdminForm
from deletion_portal.accounts.models import Role, User


@admin.register(User)
class AccountAdmin(UserAdmin):
    """Django's UserAdmin adapted to email login (no username, first or last name).

    Portal staff (role "staff" with ``is_staff``) may look accounts up without being granted
    model permissions; adding, changing and deleting still need Django permissions (superusers).
    """

    form = AccountChangeAdminForm
    add_form = AccountCreationAdminForm
    list_display = ("email", "display_name", "role", "is_staff", "email_confirmed_at", "is_active")
    list_filter = ("role", "is_staff", "is_superuser", "is_active")
    search_fields = ("email", "display_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "role", "email_confirmed_at")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "display_name", "role", "usable_password", "password1", "password2"),
            },
        ),
    )

    @staticmethod
    def _is_portal_staff(request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and user.role == Role.STAFF

    def has_module_permission(self, request):
        return self._is_portal_staff(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._is_portal_staff(request) or super().has_view_permission(request, obj)
