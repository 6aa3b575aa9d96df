"""The team admin's webhook page (/employer/webhooks): register, remove and roll webhooks, see deliveries and
re-send one. Only verified admins of a team: everybody else gets a 404 (never a hint that the page exists
for them). A new or rolled secret is shown once, in the answer to the POST that made it (never stored in the
session, never in a URL, never cached)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from deletion_portal.dpo.webhooks import (
    webhook_admin_teams,
    webhook_create,
    webhook_deliveries_of,
    webhook_delivery_get_for_admin,
    webhook_delivery_resend,
    webhook_get_for_admin,
    webhook_remove,
    webhook_roll_secret,
    webhooks_of,
)


def _errors(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [message for messages_ in error.message_dict.values() for message in messages_]
    return list(error.messages)


def _page(request, teams, *, new_secret=None, errors=None, url="", status=200):
    response = render(request, "dpo/webhooks.html", {
        "teams": teams,
        "webhooks": webhooks_of(teams=teams),
        "deliveries": webhook_deliveries_of(teams=teams),
        "new_secret": new_secret,
        "errors": errors or [],
        "url": url,
    }, status=status)
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def webhooks_page(request):
    teams = list(webhook_admin_teams(user=request.user))
    if not teams:
        raise Http404("No such page.")
    if request.method == "GET":
        return _page(request, teams)
    url = request.POST.get("url", "")
    by_id = {str(team.pk): team for team in teams}
    team = by_id.get(request.POST.get("team", "")) or (teams[0] if len(teams) == 1 else None)
    if team is None:
        return _page(request, teams, errors=["Choose the team this webhook is for."], url=url, status=400)
    try:
        webhook = webhook_create(team=team, url=url, actor=request.user)
    except ValidationError as error:
        return _page(request, teams, errors=_errors(error), url=url, status=400)
    return _page(request, teams, new_secret=webhook)


@never_cache
@login_required
@require_POST
def webhook_roll(request, pk):
    webhook = webhook_get_for_admin(user=request.user, pk=pk)
    if webhook is None:
        raise Http404("No such webhook.")
    webhook_roll_secret(webhook=webhook, actor=request.user)
    return _page(request, list(webhook_admin_teams(user=request.user)), new_secret=webhook)


@login_required
@require_POST
def webhook_delete(request, pk):
    webhook = webhook_get_for_admin(user=request.user, pk=pk)
    if webhook is None:
        raise Http404("No such webhook.")
    webhook_remove(webhook=webhook, actor=request.user)
    messages.success(request, "The webhook is removed: nothing more is sent to it.")
    return redirect("dpo:webhooks")


@login_required
@require_POST
def webhook_resend(request, pk):
    delivery = webhook_delivery_get_for_admin(user=request.user, pk=pk)
    if delivery is None:
        raise Http404("No such delivery.")
    try:
        webhook_delivery_resend(delivery=delivery)
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    else:
        messages.success(request, f"Event {delivery.event_id} is queued to be sent again (same event id).")
    return redirect("dpo:webhooks")
