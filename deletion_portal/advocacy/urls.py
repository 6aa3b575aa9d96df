from django.urls import path

from deletion_portal.advocacy import bulk_views, stats_views, views

app_name = "advocacy"

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/<int:org_id>/", views.organisation, name="organisation"),
    path("organisations/<int:org_id>/invite", views.invite, name="invite"),
    path("organisations/<int:org_id>/contact", views.contact, name="contact"),
    path("organisations/<int:org_id>/invitations/<int:invitation_id>/revoke", views.invitation_revoke,
         name="invitation-revoke"),
    path("organisations/<int:org_id>/members/<int:member_id>/role", views.member_role, name="member-role"),
    path("organisations/<int:org_id>/members/<int:member_id>/remove", views.member_remove, name="member-remove"),
    path("organisations/invitation/<str:token>", views.invitation_accept, name="invitation-accept"),
    path("organisations/<int:org_id>/campaigns/new", views.campaign_new, name="campaign-new"),
    path("campaigns/<int:campaign_id>/", views.campaign_page, name="campaign"),
    path("campaigns/<int:campaign_id>/edit", views.campaign_edit, name="campaign-edit"),
    path("campaigns/<int:campaign_id>/members.csv", views.campaign_csv, name="campaign-csv"),
    path("campaigns/<int:campaign_id>/bulk-letters", bulk_views.campaign_start, name="campaign-bulk"),
    path("campaigns/<int:campaign_id>/stats", stats_views.campaign_stats, name="campaign-stats"),
    path("campaigns/<int:campaign_id>/stats.csv", stats_views.campaign_stats_csv, name="campaign-stats-csv"),
    path("campaigns/<int:campaign_id>/stats.json", stats_views.campaign_stats_json, name="campaign-stats-json"),
    path("campaigns/<int:campaign_id>/stats.pdf", stats_views.campaign_stats_pdf, name="campaign-stats-pdf"),
    path("campaigns/<int:campaign_id>/<str:action>", views.campaign_state, name="campaign-state"),
    path("c/<slug:slug>", views.landing, name="landing"),
    path("c/<slug:slug>/join", views.join, name="join"),
    path("organisation/cases/<int:pk>/", views.shared_case, name="shared-case"),
    path("cases/<int:pk>/campaigns/<int:member_id>/consent", views.consent, name="consent"),
    path("cases/<int:pk>/campaigns/<int:member_id>/mention", views.mention, name="mention"),
    path("cases/<int:pk>/campaigns/<int:member_id>/leave", views.leave, name="leave"),
    path("cases/<int:pk>/authorisations/<int:mandate_id>", views.authorisation, name="authorisation"),
]
