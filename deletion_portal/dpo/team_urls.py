"""The team pages (verification, members, invitations), included in ``dpo/urls.py`` (namespace ``dpo``)."""

from django.urls import path

from deletion_portal.dpo import team_views

urlpatterns = [
    path("verify/", team_views.verify, name="verify"),
    path("verify/<int:pk>/", team_views.verify_code, name="verify-code"),
    path("team/", team_views.team_list, name="team-list"),
    path("team/<int:team_id>/", team_views.team, name="team"),
    path("team/<int:team_id>/invite/", team_views.invite, name="team-invite"),
    path("team/<int:team_id>/invitations/<int:invitation_id>/revoke/", team_views.invitation_revoke,
         name="team-invitation-revoke"),
    path("team/<int:team_id>/members/<int:member_id>/remove/", team_views.member_remove, name="team-member-remove"),
    path("team/<int:team_id>/members/<int:member_id>/role/", team_views.member_role, name="team-member-role"),
    path("invitation/<str:token>/", team_views.invitation_accept, name="invitation-accept"),
]
