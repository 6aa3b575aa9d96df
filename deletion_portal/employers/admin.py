from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import models
from django.template.response import TemplateResponse
from django.utils import timezone

from deletion_portal.accounts.models import Role
from deletion_portal.employers import teams
from deletion_portal.employers.models import (
    Employer,
    EmployerTeam,
    Quality,
    TeamAuditAction,
    TeamAuditEntry,
    TeamMembership,
)


def _is_portal_staff(request) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and getattr(user, "role", "") == Role.STAFF)


class PortalStaffMayView:
    """Portal staff (role "staff" with ``is_staff``) may view and change these without model permissions."""

    def has_module_permission(self, request):
        return _is_portal_staff(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _is_portal_staff(request) or super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _is_portal_staff(request) or super().has_change_permission(request, obj)


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin):
    """The directory for portal staff: look entries up, correct them, mark them verified.

    Portal staff (role "staff" with ``is_staff``) may view, add and change employers without model
    permissions; deleting still needs Django's permission (superusers), because cases point at them.
    """

    list_display = ("legal_name", "country", "quality", "privacy_email", "updated_at")
    list_filter = ("quality", "country")
    search_fields = ("legal_name", "search_text")
    ordering = ("legal_name",)
    readonly_fields = ("added_by", "created_at", "updated_at")
    actions = ["mark_verified"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = (
        (None, {"fields": ("legal_name", "other_names", "country", "quality")}),
        ("Contact details", {"fields": ("privacy_email", "web_form_url", "postal_address", "preferred_language", "demands_id")}),
        ("Sources", {"fields": ("sources",), "description": "For each contact detail, the public source it comes from."}),
        ("History", {"fields": ("added_by", "created_at", "updated_at")}),
    )

    def has_module_permission(self, request):
        return _is_portal_staff(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _is_portal_staff(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return _is_portal_staff(request) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return _is_portal_staff(request) or super().has_change_permission(request, obj)

    @admin.action(description="Mark as verified by staff", permissions=["change"])
    def mark_verified(self, request, queryset):
        to_verify = list(queryset.exclude(quality=Quality.VERIFIED))
        Employer.objects.filter(pk__in=[e.pk for e in to_verify]).update(
            quality=Quality.VERIFIED, updated_at=timezone.now()
        )
        for employer in to_verify:
            self.log_change(request, employer, "Marked as verified by staff.")
        self.message_user(request, f"{len(to_verify)} employer(s) marked as verified by staff.", messages.SUCCESS)


class TeamMembershipInline(PortalStaffMayView, admin.TabularInline):
    """Members at a glance; verifying goes through the "Verify by staff" action on Team memberships (it asks
    for a note of the evidence and writes the audit row), so the verification columns are read-only here."""

    model = TeamMembership
    extra = 0
    raw_id_fields = ("user",)
    readonly_fields = ("verified_at", "verified_how", "created_at")


@admin.register(TeamMembership)
class TeamMembershipAdmin(PortalStaffMayView, admin.ModelAdmin):
    list_display = ("user", "team", "role", "verified_at", "verified_how")
    list_filter = ("role", "verified_how")
    search_fields = ("user__email", "team__name")
    raw_id_fields = ("user", "team")
    readonly_fields = ("verified_at", "verified_how", "created_at")
    actions = ["verify_by_staff"]

    @admin.action(description="Verify by staff (with a note of the evidence)", permissions=["change"])
    def verify_by_staff(self, request, queryset):
        note = " ".join(request.POST.get("note", "").split())
        if request.POST.get("apply") and note:
            for membership in queryset.select_related("team", "user"):
                teams.team_member_verify_by_staff(membership=membership, actor=request.user, note=note)
                self.log_change(request, membership, f"Verified by staff: {note}")
            self.message_user(request, f"{queryset.count()} member(s) verified by staff.", messages.SUCCESS)
            return None
        if request.POST.get("apply"):
            self.message_user(request, "A note of the evidence is required.", messages.ERROR)
        return TemplateResponse(request, "admin/employers/verify_by_staff.html", {
            **self.admin_site.each_context(request), "title": "Verify by staff", "memberships": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME, "opts": self.model._meta,
        })


class TeamAuditInline(PortalStaffMayView, admin.TabularInline):
    model = TeamAuditEntry
    extra = 0
    can_delete = False
    fields = ("at", "action", "actor", "subject_email", "details")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EmployerTeam)
class EmployerTeamAdmin(PortalStaffMayView, admin.ModelAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name", "employers__legal_name")
    filter_horizontal = ("employers",)
    inlines = [TeamMembershipInline, TeamAuditInline]

    def save_formset(self, request, form, formset, change):
        """Staff edits of the members in the inline are membership changes too: each gets its audit row."""
        if formset.model is not TeamMembership:
            return super().save_formset(request, form, formset, change)
        changed = {f.instance.pk: list(f.changed_data) for f in formset.forms if f.instance.pk and f.has_changed()}
        deleted = [(f.instance.user.email, f.instance.role) for f in formset.deleted_forms if f.instance.pk]
        super().save_formset(request, form, formset, change)
        for membership in formset.new_objects:
            teams.audit(team=membership.team, action=TeamAuditAction.INVITED, actor=request.user,
                        subject_email=membership.user.email, role=membership.role, by="staff in the admin (unverified)")
        for membership, fields in formset.changed_objects:
            teams.audit(team=membership.team, action=TeamAuditAction.ROLE_CHANGED, actor=request.user,
                        subject_email=membership.user.email, new=membership.role, by="staff in the admin",
                        fields=fields or changed.get(membership.pk, []))
        for email, role in deleted:
            teams.audit(team=form.instance, action=TeamAuditAction.REMOVED, actor=request.user, subject_email=email,
                        role=role, by="staff in the admin")
