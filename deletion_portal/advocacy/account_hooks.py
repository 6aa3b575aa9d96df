"""advocacy's parts of the case page, the own-data export and account deletion (registered in
``AdvocacyConfig.ready``). Consent rows and mandates belong to the case: the export lists them with each
case, and deleting the case (account deletion, retention) deletes them, the authorisation PDFs included."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch

from deletion_portal.accounts.hooks import AccountExport, export_fields
from deletion_portal.advocacy.models import CampaignMember, Consent, ConsentKind, Mandate, OrganisationMembership


def _members_of(case_ids):
    return (CampaignMember.objects.filter(case_id__in=case_ids)
            .select_related("campaign", "campaign__organisation")
            .prefetch_related(Prefetch("consents", queryset=Consent.objects.order_by("at", "id")),
                              Prefetch("mandates", queryset=Mandate.objects.order_by("signed_at", "id")))
            .order_by("joined_at", "id"))


def case_page_campaigns(*, case, today) -> dict:
    """The case page's campaign panel: each campaign the case joined, the member's current choices with
    their plain-language wording, the live mandate (reads only)."""
    from deletion_portal.advocacy.consents import consent_wording

    rows = []
    for member in _members_of([case.pk]):
        current = {kind: False for kind in ConsentKind.values}
        for consent in member.consents.all():
            current[consent.kind] = consent.given
        live = next((m for m in member.mandates.all() if m.revoked_at is None), None)
        rows.append({
            "member": member,
            "choices": [{"kind": kind, "label": ConsentKind(kind).label, "text": consent_wording(kind)[1], "given": current[kind]}
                        for kind in ConsentKind.values],
            "mandate": live,
            "history": list(member.consents.all()),
        })
    return {"campaign_rows": rows}


def case_export_campaigns(*, cases) -> dict[int, dict]:
    from deletion_portal.advocacy.consents import consent_wording_of

    found: dict[int, dict] = {case.pk: {"campaigns": []} for case in cases}
    for member in _members_of([case.pk for case in cases]):
        found[member.case_id]["campaigns"].append({
            "campaign": member.campaign.title,
            "organisation": member.campaign.organisation.name,
            "joined_at": member.joined_at,
            "left_at": member.left_at,
            "mention_in_letter": member.mention_in_letter,
            "consents": [{"kind": c.kind, "given": c.given, "wording_version": c.wording_version,
                          "wording": consent_wording_of(c.kind, c.wording_version), "at": c.at}
                         for c in member.consents.all()],
            "mandates": [export_fields(m, exclude=("member", "organisation", "pdf")) | {"pdf": m.pdf.name}
                         for m in member.mandates.all()],
        })
    return found


def organisations_export(*, user, export: AccountExport) -> None:
    export.account["organisations"] = [
        {"organisation": m.organisation.name, "role": m.role, "since": m.created_at}
        for m in OrganisationMembership.objects.filter(user=user).select_related("organisation").order_by("pk")
    ]


def mandate_file_delete(sender, instance: Mandate, **kwargs) -> None:
    """A deleted mandate takes its authorisation PDF with it (after the commit)."""
    if instance.pdf:
        storage, name = instance.pdf.storage, instance.pdf.name
        transaction.on_commit(lambda: storage.delete(name))
