"""The organisation's pages (members, invitations, campaigns, the overview and its CSV), the public landing
page ``/c/<slug>`` with the join form, and the member's campaign actions on their case page.

Organisation pages answer 404 to anybody who is not a member (advocate accounts only); writes need the
admin (members) or admin/organiser (campaigns) role. Member actions go through the case access policy
(``Need.MANAGE``: the owner only).
"""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from deletion_portal.advocacy import campaigns as campaign_services
from deletion_portal.advocacy import organisations as org_services
from deletion_portal.advocacy.bulk import bulk_jobs_of, mandated_cases
from deletion_portal.advocacy.consents import consent_set
from deletion_portal.advocacy.forms import CampaignForm, ContactForm, InviteForm, JoinForm, RoleForm
from deletion_portal.advocacy.models import (
    Campaign,
    CampaignMember,
    CampaignState,
    ConsentKind,
    Mandate,
    OrganisationRole,
)
from deletion_portal.advocacy.organisations import ORGANISING_ROLES
from deletion_portal.advocacy.selectors import campaign_get_for, campaign_overview, organisation_campaigns
from deletion_portal.cases.access import Need, case_get_for
from deletion_portal.cases.forms import add_service_errors
from deletion_portal.cases.views.common import step_url

CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula (OWASP CSV injection), as the DPO inbox's export."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


def _membership_or_404(request, org_id):
    membership = org_services.organisation_membership_get(user=request.user, organisation_id=org_id)
    if membership is None:
        raise Http404("No such organisation.")
    return membership


def _campaign_or_404(request, campaign_id, *, organising: bool = False):
    found = campaign_get_for(user=request.user, campaign_id=campaign_id)
    if found is None or (organising and found[1].role not in ORGANISING_ROLES):
        raise Http404("No such campaign.")
    return found


def _errors(request, exc) -> None:
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text)


# --- The organisation ---------------------------------------------------------------------------------


@login_required
def organisation_list(request):
    memberships = list(org_services.organisation_memberships_of(user=request.user))
    if len(memberships) == 1:
        return redirect("advocacy:organisation", org_id=memberships[0].organisation_id)
    return render(request, "advocacy/organisation_list.html", {"memberships": memberships})


@login_required
def organisation(request, org_id: int):
    me = _membership_or_404(request, org_id)
    org = me.organisation
    is_admin = me.role == OrganisationRole.ADMIN
    return render(request, "advocacy/organisation.html", {
        "organisation": org, "me": me, "is_admin": is_admin,
        "can_organise": me.role in ORGANISING_ROLES,
        "members": list(org.memberships.select_related("user").order_by("user__email")),
        "invitations": list(org_services.invitations_pending(organisation=org)) if is_admin else [],
        "campaigns": list(organisation_campaigns(organisation_id=org.pk)),
        "invite_form": InviteForm(), "roles": OrganisationRole.choices,
        "contact_form": ContactForm(initial={"website": org.website, "contact_email": org.contact_email,
                                             "contact_address": org.contact_address}),
    })


@login_required
@require_POST
def contact(request, org_id: int):
    me = _membership_or_404(request, org_id)
    if me.role != OrganisationRole.ADMIN:
        raise Http404("No such page.")
    form = ContactForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(f"{form.fields[name].label or name}: {' '.join(errors)}"
                                         for name, errors in form.errors.items()))
    else:
        try:
            org_services.organisation_contact_update(organisation=me.organisation, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "Saved.")
    return redirect("advocacy:organisation", org_id=org_id)


@login_required
@require_POST
def invite(request, org_id: int):
    me = _membership_or_404(request, org_id)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give an email address and a role.")
    else:
        try:
            org_services.organisation_invitation_create(organisation=me.organisation, actor=request.user,
                                                        email=form.cleaned_data["email"], role=form.cleaned_data["role"])
        except PermissionDenied:
            raise Http404("No such page.") from None
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']} (valid 7 days).")
    return redirect("advocacy:organisation", org_id=org_id)


@login_required
@require_POST
def invitation_revoke(request, org_id: int, invitation_id: int):
    me = _membership_or_404(request, org_id)
    invitation = get_object_or_404(me.organisation.invitations, pk=invitation_id)
    try:
        org_services.organisation_invitation_revoke(invitation=invitation, actor=request.user)
    except PermissionDenied:
        raise Http404("No such page.") from None
    messages.success(request, f"The invitation to {invitation.email} is revoked.")
    return redirect("advocacy:organisation", org_id=org_id)


@login_required
@require_POST
def member_role(request, org_id: int, member_id: int):
    me = _membership_or_404(request, org_id)
    member = get_object_or_404(me.organisation.memberships.select_related("user"), pk=member_id)
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise org_services.OrganisationError({"role": "Choose admin, organiser or viewer."})
        org_services.organisation_member_role_change(membership=member, actor=request.user, role=form.cleaned_data["role"])
    except PermissionDenied:
        raise Http404("No such page.") from None
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("advocacy:organisation", org_id=org_id)


@login_required
@require_POST
def member_remove(request, org_id: int, member_id: int):
    me = _membership_or_404(request, org_id)
    member = get_object_or_404(me.organisation.memberships.select_related("user"), pk=member_id)
    try:
        org_services.organisation_member_remove(membership=member, actor=request.user)
    except PermissionDenied:
        raise Http404("No such page.") from None
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("advocacy:organisation", org_id=org_id)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    invitation = org_services.invitation_get_live(token=token)
    if invitation is None:
        return render(request, "advocacy/invitation.html", {"invitation": None}, status=404)
    error = ""
    if request.method == "POST":
        try:
            membership = org_services.organisation_invitation_accept(token=token, user=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"You joined {membership.organisation.name}.")
            return redirect("advocacy:organisation", org_id=membership.organisation_id)
    return render(request, "advocacy/invitation.html", {
        "invitation": invitation, "error": error, "wrong_account": request.user.email.lower() != invitation.email},
        status=400 if error else 200)


# --- Campaigns -------------------------------------------------------------------------------------------


def _campaign_fields(form: CampaignForm) -> dict:
    return {name: value for name, value in form.cleaned_data.items() if name in form.fields and name != "employer_q"}


def _searching(post) -> bool:
    """Whether a POST of the campaign form asks for the employer search: the "Search employers" button, or Enter
    pressed (the form's first, hidden Save button: ``save=enter``) while the search box holds a query whose results
    are not shown yet (``employer_q_searched`` is the query the page showed results for). A click on Save saves."""
    if "search_employers" in post:
        return True
    typed = " ".join(str(post.get("employer_q", "")).split())
    return post.get("save") == "enter" and bool(typed) and typed != " ".join(str(post.get("employer_q_searched", "")).split())


def _campaign_form(request, *, initial: dict | None = None, draft: bool = True) -> CampaignForm:
    """The campaign form: bound to a POST that saves; for the "Search employers" button (works without JavaScript)
    an unbound form showing what was typed and ticked, with the search results, no errors and nothing saved."""
    if request.method == "POST" and _searching(request.POST):
        typed = {name: (request.POST.getlist(name) if name in CampaignForm.MULTIPLE else request.POST.get(name, ""))
                 for name in CampaignForm.base_fields if name in request.POST}
        if "title" in request.POST:  # an unticked box is absent from a POST
            typed.setdefault("publish_statistics", False)
        return CampaignForm(initial={**(initial or {}), **typed}, draft=draft,
                            search=request.POST.get("employer_q", ""))
    return CampaignForm(request.POST if request.method == "POST" else None, initial=initial, draft=draft,
                        search=request.GET.get("employer_q", ""))


@login_required
@require_http_methods(["GET", "POST"])
def campaign_new(request, org_id: int):
    me = _membership_or_404(request, org_id)
    if me.role not in ORGANISING_ROLES:
        raise Http404("No such page.")
    form = _campaign_form(request)
    if form.is_bound and form.is_valid():
        try:
            campaign = campaign_services.campaign_create(organisation=me.organisation, actor=request.user,
                                                         **_campaign_fields(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Campaign saved as a draft. Open it when it is ready.")
            return redirect("advocacy:campaign", campaign_id=campaign.pk)
    return render(request, "advocacy/campaign_form.html", {"form": form, "organisation": me.organisation,
                                                           "campaign": None}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request, campaign_id: int):
    campaign, _me = _campaign_or_404(request, campaign_id, organising=True)
    draft = campaign.state == CampaignState.DRAFT
    initial = {name: getattr(campaign, name) for name in ("title", "slug", "description", "law_keys", "region", "bundle",
                                                           "rights", "categories", "extra_questions", "language", "locked",
                                                           "publish_statistics")}
    initial["employers"] = list(campaign.employers.values_list("pk", flat=True))
    form = _campaign_form(request, initial=initial, draft=draft)
    if form.is_bound and form.is_valid():
        try:
            campaign_services.campaign_update(campaign=campaign, actor=request.user, **_campaign_fields(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Campaign saved.")
            return redirect("advocacy:campaign", campaign_id=campaign.pk)
    return render(request, "advocacy/campaign_form.html", {"form": form, "organisation": campaign.organisation,
                                                           "campaign": campaign}, status=400 if form.errors else 200)


@login_required
@require_POST
def campaign_state(request, campaign_id: int, action: str):
    campaign, _me = _campaign_or_404(request, campaign_id, organising=True)
    service = {"open": campaign_services.campaign_open, "close": campaign_services.campaign_close}.get(action)
    if service is None:
        raise Http404("No such action.")
    try:
        service(campaign=campaign, actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "The campaign is open: share its link." if action == "open" else
                         "The campaign is closed: no new members; tracking goes on.")
    return redirect("advocacy:campaign", campaign_id=campaign.pk)


@login_required
def campaign_page(request, campaign_id: int):
    campaign, me = _campaign_or_404(request, campaign_id)
    today = timezone.localdate()
    can_organise = me.role in ORGANISING_ROLES
    bulk = {"bulk_jobs": bulk_jobs_of(campaign.organisation, campaign=campaign),
            "bulk_mandated": mandated_cases(campaign.organisation, campaign_id=campaign.pk).count()} if can_organise else {}
    return render(request, "advocacy/campaign.html", {
        "campaign": campaign, "me": me, "can_organise": can_organise, **bulk,
        "employers": list(campaign.employers.all()), "today": today,
        "join_url": request.build_absolute_uri(f"/c/{campaign.slug}"), "k": settings.STATS_MIN_CELL,
        **campaign_overview(user=request.user, campaign=campaign, today=today),
    })


@login_required
def campaign_csv(request, campaign_id: int):
    campaign, _me = _campaign_or_404(request, campaign_id)
    today = timezone.localdate()
    overview = campaign_overview(user=request.user, campaign=campaign, today=today)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-{today.isoformat()}.csv"'
    writer = csv.writer(response)
    writer.writerow(["reference", "requester_name", "employer", "law", "status", "next_date", "next_date_label",
                     "days_left", "mandate"])
    for row in overview["rows"]:
        case = row.case
        writer.writerow([csv_safe(v) for v in (
            case.reference, case.requester_name, case.employer.legal_name if case.employer else "", case.law_key,
            case.get_status_display(), case.next_date.isoformat() if case.next_date else "", case.next_date_label,
            "" if row.days_left is None else row.days_left, "yes" if row.mandate else "no")])
    return response


# --- The public landing page and joining ------------------------------------------------------------------


def _public_campaign(slug: str) -> Campaign:
    campaign = (Campaign.objects.select_related("organisation").prefetch_related("employers")
                .filter(slug=slug, state__in=(CampaignState.OPEN, CampaignState.CLOSED)).first())
    if campaign is None:
        raise Http404("No such campaign.")
    return campaign


def _join_context(campaign: Campaign, form: JoinForm) -> dict:
    from deletion_portal.advocacy.consents import consent_wording

    return {"campaign": campaign, "form": form, "employers": list(campaign.employers.all()),
            "wording": {kind: consent_wording(kind)[1] for kind in ConsentKind.values},
            "can_join": campaign.state == CampaignState.OPEN}


def landing(request, slug: str):
    campaign = _public_campaign(slug)
    return render(request, "advocacy/landing.html", _join_context(campaign, JoinForm(employers=[])))


@require_http_methods(["GET", "POST"])
def join(request, slug: str):
    campaign = _public_campaign(slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    employers = list(campaign.employers.all())
    form = JoinForm(request.POST if request.method == "POST" else None, employers=employers)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            employer = next((e for e in employers if e.pk == data.get("employer")), None)
            try:
                member = campaign_services.campaign_join(
                    campaign=campaign, user=request.user, employer=employer, mention_in_letter=data["mention"],
                    consents={kind: data[kind] for kind in ConsentKind.values}, signature=data["signature"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"You joined “{campaign.title}”. Your case is yours: add your own details.")
                return redirect(step_url(member.case, member.case.wizard_step))
        status = 400
    return render(request, "advocacy/join.html", _join_context(campaign, form), status=status)


# --- The member's actions on their case ------------------------------------------------------------------


def _member_or_404(request, pk, member_id) -> CampaignMember:
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    member = CampaignMember.objects.select_related("campaign__organisation").filter(pk=member_id, case=case).first()
    if member is None:
        raise Http404("No such campaign.")
    return member


@login_required
@require_POST
def consent(request, pk: int, member_id: int):
    member = _member_or_404(request, pk, member_id)
    kind = request.POST.get("kind", "")
    given = request.POST.get("given") == "yes"
    if kind not in ConsentKind.values:
        messages.error(request, "Choose what to share.")
        return redirect("cases:detail", pk=pk)
    try:
        consent_set(member=member, kind=kind, given=given, actor=request.user, signature=request.POST.get("signature", ""))
    except ValidationError as exc:
        _errors(request, exc)
    else:
        label = ConsentKind(kind).label
        messages.success(request, f"Done: “{label}” is {'on' if given else 'off'}, from now on.")
    return redirect("cases:detail", pk=pk)


@login_required
@require_POST
def mention(request, pk: int, member_id: int):
    member = _member_or_404(request, pk, member_id)
    campaign_services.campaign_mention_set(member=member, mention=request.POST.get("mention") == "yes")
    return redirect("cases:detail", pk=pk)


@login_required
@require_POST
def leave(request, pk: int, member_id: int):
    member = _member_or_404(request, pk, member_id)
    campaign_services.campaign_leave(member=member, actor=request.user)
    messages.success(request, f"You left “{member.campaign.title}”. Your case stays yours; the group sees nothing of it now.")
    return redirect("cases:detail", pk=pk)


@login_required
def authorisation(request, pk: int, mandate_id: int):
    """The signed authorisation PDF: the member (owner) only."""
    case = case_get_for(request.user, pk, need=Need.MANAGE)
    mandate = Mandate.objects.filter(pk=mandate_id, member__case=case).exclude(pdf="").first()
    if mandate is None:
        raise Http404("No such authorisation.")
    with mandate.pdf.open("rb") as handle:
        content = handle.read()
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.reference}-authorisation.pdf"'
    return response


# --- A shared case, as the group sees it ------------------------------------------------------------------


@login_required
def shared_case(request, pk: int):
    """A case whose owner lets the organisation see it (``Need.VIEW`` through the organisation's rule only: the
    owner has their own page): name, status, dates, the timeline's events, the final letters."""
    from deletion_portal.cases.access import Party
    from deletion_portal.cases.selectors import days_left

    case = case_get_for(request.user, pk, need=Need.VIEW)
    if case.access.party != Party.ORGANISATION:
        raise Http404("No such case.")
    today = timezone.localdate()
    return render(request, "advocacy/shared_case.html", {
        "case": case, "days_left": days_left(case.next_date, today),
        "events": list(case.events.order_by("on", "recorded_at", "id").select_related("team")),
        "letters": list(case.letters.filter(is_final=True).order_by("finalised_at", "id")),
    })
