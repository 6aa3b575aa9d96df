"""The employer directory: public search and detail pages, and adding a missing employer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from deletion_portal.employers.forms import EmployerAddForm, EmployerSearchForm
from deletion_portal.employers.selectors import (
    QUERY_MIN,
    employer_contact_details,
    employer_get,
    employer_search,
    search_query_normalize,
)
from deletion_portal.employers.services import NAME_MAX, employer_submit


def _query(request) -> str:
    return (request.GET.get("q") or "")[:1000]


@require_GET
def search(request):
    query = _query(request)
    form = EmployerSearchForm(initial={"q": query[:100]})
    searched = len(search_query_normalize(query)) >= QUERY_MIN
    results = employer_search(query=query) if searched else []
    selected = employer_get(pk=request.GET["selected"]) if request.GET.get("selected") else None
    return render(
        request,
        "employers/search.html",
        {
            "form": form,
            "query": query[:100],
            "searched": searched,
            "too_short": bool(query.strip()) and not searched,
            "results": results,
            "selected": selected,
        },
    )


@require_GET
def search_json(request):
    """Results for the as-you-type script: public directory data only, no one's personal data."""
    results = [
        {
            "id": employer.pk,
            "name": employer.legal_name,
            "other_names": [name for name in employer.other_names if name],
            "country": employer.country,
            "quality": employer.quality,
        }
        for employer in employer_search(query=_query(request))
    ]
    return JsonResponse({"results": results})


@login_required
@require_http_methods(["GET", "POST"])
def add(request):
    if request.method == "POST":
        form = EmployerAddForm(request.POST)
        if form.is_valid():
            try:
                employer = employer_submit(added_by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    f"Thank you: {employer.legal_name} is now in the directory, marked “submitted by a user” until staff check it.",
                )
                return redirect("employers:detail", pk=employer.pk)
        return render(request, "employers/add.html", {"form": form}, status=400)
    form = EmployerAddForm(initial={"legal_name": (request.GET.get("name") or "")[:NAME_MAX]})
    return render(request, "employers/add.html", {"form": form})


@require_GET
def detail(request, pk: int):
    employer = employer_get(pk=pk)
    if employer is None:
        raise Http404("No such employer in the directory.")
    return render(
        request,
        "employers/detail.html",
        {"employer": employer, "details": employer_contact_details(employer=employer)},
    )
