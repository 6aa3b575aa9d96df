"""Who may open the employer side's team pages (no case id in the URL): a verified member of an employer
team. Anybody else signed in gets the same 404 as for a page that does not exist; anonymous visitors are
sent to log in. Case-scoped pages check the case through ``dpo.selectors.team_case_get`` instead."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404

from deletion_portal.dpo.selectors import is_team_member


def team_member_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_team_member(request.user):
            raise Http404("No such page.")
        return view(request, *args, **kwargs)

    return wrapped
