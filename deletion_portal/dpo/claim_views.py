"""The employer side's pages (``/employer/``). Thin: a form, one service, a redirect or the page again.

The claim page answers a 404 to anyone who is not a verified responder/admin of some team (an employee
never learns that employer pages exist). The case access code travels only in POST bodies; nothing here
logs it.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.debug import sensitive_post_parameters

from deletion_portal.cases.models import CaseStatus
from deletion_portal.core.net import client_ip
from deletion_portal.dpo.claims import ClaimRefused, ClaimThrottled, case_claim, claim_teams_for
from deletion_portal.dpo.forms import ClaimForm


@sensitive_post_parameters("code")
@login_required
def claim(request):
    teams = list(claim_teams_for(request.user))
    if not teams:
        raise Http404("No such page.")
    form = ClaimForm(request.POST if request.method == "POST" else None, teams=teams)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                made = case_claim(user=request.user, team=data["team"], reference=data["reference"], code=data["code"],
                                  ip=client_ip(request))
            except ClaimThrottled as refused:
                form.add_error(None, refused.message)
                status = 429
            except ClaimRefused as refused:
                form.add_error(None, refused.message)
                status = 400
            else:
                messages.success(request, f"{made.case.reference} is now {made.team.name}'s to answer."
                                 if made.case.status != CaseStatus.FINALISED else
                                 f"{made.case.reference} is claimed for {made.team.name}; it appears in your list "
                                 "once the employee records it as sent.")
                return redirect("dpo:claim")
        else:
            status = 400
    return render(request, "dpo/claim.html", {"form": form, "teams": teams}, status=status)
