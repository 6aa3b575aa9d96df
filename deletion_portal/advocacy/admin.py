from django.contrib import admin

from deletion_portal.advocacy.models import CaseShare, Organisation, OrganisationMembership


class MembershipInline(admin.TabularInline):
    model = OrganisationMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "verified_at")
    search_fields = ("name",)
    inlines = [MembershipInline]


@admin.register(CaseShare)
class CaseShareAdmin(admin.ModelAdmin):
    list_display = ("case", "organisation", "see_case", "act_for", "granted_at", "revoked_at")
    raw_id_fields = ("case",)
    readonly_fields = ("case", "organisation", "see_case", "act_for", "granted_at", "revoked_at")
