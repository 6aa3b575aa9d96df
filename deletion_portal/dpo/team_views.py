"""Team pages under /employer/: verify for an employer through its listed mailbox, the team page (members,
pending invitations, audit) and its admin actions, and accepting an invitation.

Only DPO accounts verify; only a verified member sees a team (others get a 404 that does not reveal it);
only its admins change it. A GET writes nothing.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from deletion_portal.accounts.models import Role
from deletion_portal.employers import teams
from deletion_portal.employers.models import TeamInvitation, TeamMembership, TeamRole
from deletion_portal.employers.selectors import employer_search


class CodeForm(forms.Form):
    code = forms.CharField(label="Code from the email", max_length=32, strip=True,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class InviteForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(label="Role", choices=TeamRole.choices, initial=TeamRole.RESPONDER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=TeamRole.choices)


def _dpo_only(request) -> None:
    if request.user.role != Role.DPO:
        raise Http404("Only DPO accounts verify for an employer.")


def _membership_or_404(request, team_id) -> TeamMembership:
    membership = teams.team_membership_get(user=request.user, team_id=team_id)
    if membership is None:
        raise Http404("No such team.")
    return membership


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """Pick an employer of the directory; a code goes to the privacy address it lists."""
    _dpo_only(request)
    error = ""
    if request.method == "POST":
        employer = teams.employers_verifiable().filter(pk=request.POST.get("employer") or 0).first()
        if employer is None:
            error = "Choose an employer of the directory that lists a privacy email address."
        else:
            try:
                proof = teams.mailbox_proof_start(user=request.user, employer=employer)
            except teams.TeamError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, f"We sent a code to {proof.sent_to}, the privacy address the directory "
                                          f"lists for {employer.legal_name}. Ask whoever reads it for the code.")
                return redirect("dpo:verify-code", pk=proof.pk)
    query = request.GET.get("q", "")
    found = [e for e in employer_search(query=query) if e.privacy_email] if query else []
    return render(request, "dpo/verify.html", {"query": query, "found": found, "error": error,
                                               "memberships": teams.memberships_of(user=request.user)},
                  status=400 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def verify_code(request, pk: int):
    _dpo_only(request)
    proof = teams.mailbox_proof_get(user=request.user, pk=pk)
    if proof is None:
        raise Http404("No such code.")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = teams.mailbox_proof_confirm(user=request.user, proof=proof, code=form.cleaned_data["code"])
        except teams.TeamError as exc:
            form.add_error("code", " ".join(exc.messages))
        else:
            messages.success(request, f"Verified: you are {membership.get_role_display().split(' (')[0].lower()} "
                                      f"of {membership.team.name}.")
            return redirect("dpo:team", team_id=membership.team_id)
    return render(request, "dpo/verify_code.html", {"proof": proof, "form": form},
                  status=400 if request.method == "POST" else 200)


@login_required
def team_list(request):
    memberships = list(teams.memberships_of(user=request.user))
    if len(memberships) == 1:
        return redirect("dpo:team", team_id=memberships[0].team_id)
    if not memberships and request.user.role != Role.DPO:
        raise Http404("No team.")
    return render(request, "dpo/team_list.html", {"memberships": memberships})


@login_required
def team(request, team_id: int):
    membership = _membership_or_404(request, team_id)
    the_team = membership.team
    is_admin = membership.role == TeamRole.ADMIN
    return render(request, "dpo/team.html", {
        "team": the_team, "me": membership, "is_admin": is_admin,
        "employers": the_team.employers.order_by("legal_name"),
        "members": the_team.memberships.exclude(verified_at=None).select_related("user").order_by("user__email"),
        "invitations": teams.invitations_pending(team=the_team).select_related("invited_by") if is_admin else [],
        "audit": the_team.audit.select_related("actor").order_by("-at", "-id")[:200] if is_admin else [],
        "invite_form": InviteForm(), "roles": TeamRole.choices,
    })


def _admin_post(request, team_id) -> TeamMembership:
    membership = _membership_or_404(request, team_id)
    if membership.role != TeamRole.ADMIN:
        raise Http404("No such team page.")
    return membership


def _refused(request, exc) -> None:
    messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))


@login_required
@require_POST
def invite(request, team_id: int):
    me = _admin_post(request, team_id)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation, _ = teams.team_invitation_create(team=me.team, actor=request.user, email=form.cleaned_data["email"],
                                                         role=form.cleaned_data["role"])
        except (teams.TeamError, PermissionDenied) as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}; it expires in 7 days.")
    else:
        messages.error(request, "Enter an email address and a role.")
    return redirect("dpo:team", team_id=team_id)


@login_required
@require_POST
def invitation_revoke(request, team_id: int, invitation_id: int):
    me = _admin_post(request, team_id)
    invitation = TeamInvitation.objects.filter(team=me.team, pk=invitation_id).select_related("team").first()
    if invitation is None:
        raise Http404("No such invitation.")
    teams.team_invitation_revoke(invitation=invitation, actor=request.user)
    messages.success(request, f"Invitation to {invitation.email} revoked.")
    return redirect("dpo:team", team_id=team_id)


def _member_or_404(me: TeamMembership, member_id: int) -> TeamMembership:
    member = me.team.memberships.select_related("user", "team").filter(pk=member_id).first()
    if member is None:
        raise Http404("No such member.")
    return member


@login_required
@require_POST
def member_remove(request, team_id: int, member_id: int):
    me = _admin_post(request, team_id)
    member = _member_or_404(me, member_id)
    try:
        teams.team_member_remove(membership=member, actor=request.user)
    except (teams.TeamError, PermissionDenied) as exc:
        _refused(request, exc)
    else:
        messages.success(request, f"{member.user.email} removed from the team.")
    if member.user_id == request.user.pk and not teams.team_membership_get(user=request.user, team_id=team_id):
        return redirect("dpo:team-list")
    return redirect("dpo:team", team_id=team_id)


@login_required
@require_POST
def member_role(request, team_id: int, member_id: int):
    me = _admin_post(request, team_id)
    member = _member_or_404(me, member_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            teams.team_member_role_change(membership=member, actor=request.user, role=form.cleaned_data["role"])
        except (teams.TeamError, PermissionDenied) as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"{member.user.email} is now {member.role}.")
    return redirect("dpo:team", team_id=team_id)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    """Anyone with the link sees the team's name; accepting needs the account with the invited address."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    invitation = teams.invitation_get_live(token=token)
    if invitation is None:
        return render(request, "dpo/invitation.html", {"invitation": None}, status=404)
    error = ""
    if request.method == "POST":
        try:
            membership = teams.team_invitation_accept(token=token, user=request.user)
        except teams.TeamError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"You joined {membership.team.name}.")
            return redirect("dpo:team", team_id=membership.team_id)
    return render(request, "dpo/invitation.html", {"invitation": invitation, "error": error,
                                                   "wrong_account": request.user.email.lower() != invitation.email},
                  status=400 if error else 200)
