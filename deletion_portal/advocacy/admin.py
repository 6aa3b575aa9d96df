from django.contrib import admin, messages

from deletion_portal.advocacy.models import (
    Campaign,
    CaseShare,
    Organisation,
    OrganisationInvitation,
    OrganisationMembership,
)
from deletion_portal.advocacy.organisations import OrganisationError, organisation_verify


class MembershipInline(admin.TabularInline):
    model = OrganisationMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "not_for_profit", "verified_at")
    list_filter = ("not_for_profit",)
    search_fields = ("name",)
    readonly_fields = ("verified_at", "verified_by")
    inlines = [MembershipInline]
    actions = ["verify"]

    @admin.action(description="Verify (write the evidence in “verification note” first)")
    def verify(self, request, queryset):
        done = 0
        for organisation in queryset:
            try:
                organisation_verify(organisation=organisation, actor=request.user, note=organisation.verification_note)
            except OrganisationError:
                self.message_user(request, f"{organisation.name}: write the evidence you checked in its verification "
                                  "note, then verify.", level=messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, f"{done} organisation(s) verified.")


@admin.register(OrganisationInvitation)
class OrganisationInvitationAdmin(admin.ModelAdmin):
    list_display = ("email", "organisation", "role", "expires_at", "accepted_at", "revoked_at")
    readonly_fields = ("organisation", "email", "role", "token_hash", "invited_by", "expires_at", "accepted_at",
                       "revoked_at")


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "state", "created_at")
    list_filter = ("state",)
    search_fields = ("title", "slug")
    filter_horizontal = ("employers",)


@admin.register(CaseShare)
class CaseShareAdmin(admin.ModelAdmin):
    list_display = ("case", "organisation", "see_case", "act_for", "granted_at", "revoked_at")
    raw_id_fields = ("case",)
    readonly_fields = ("case", "organisation", "see_case", "act_for", "granted_at", "revoked_at")
