"""Campaigns: an organisation's pre-drafted request that many employees of one employer file.

* :func:`campaign_create` / :func:`campaign_update` (organisers and admins), :func:`campaign_open` (only a
  verified organisation; draft → open), :func:`campaign_close` (open → closed: no new members, tracking goes on).
* :func:`campaign_join` — an employee joins an open campaign: a new case of their own, pre-filled with the
  campaign's choices (employer, law, holiday region, rights, categories, language), the campaign's locks
  (``cases.hooks.register_case_locks``: the wizard refuses other values), the member's consents (each its
  own row, default off) and whether the letter may mention the campaign (default no).
* :func:`campaign_leave` — the member leaves: every consent is withdrawn and the mandate revoked, the
  campaign's locks and letter additions stop; the case stays the member's.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from deletion_portal.advocacy.models import (
    LOCKABLE_FIELDS,
    Campaign,
    CampaignMember,
    CampaignState,
    ConsentKind,
    Organisation,
)
from deletion_portal.advocacy.organisations import ORGANISING_ROLES, organisation_membership_get
from deletion_portal.cases.hooks import FieldLock
from deletion_portal.cases.services import case_create, validate_case_fields
from deletion_portal.cases.taxonomy import BUNDLE_BY_CODE, CATEGORY_CODES, bundle_rights
from deletion_portal.employers.models import Employer
from deletion_portal.laws.registry import UnknownRegime, get_regime

FIELD_LABELS = {"employer": "employer", "law_key": "law", "region": "holiday region", "rights": "rights asked for",
                "categories": "data asked about", "language": "letter's language"}
CHOICE_FIELDS = ("employers", "law_keys", "region", "bundle", "rights", "categories", "language", "locked")
TEXT_FIELDS = ("title", "description", "extra_questions")
EXTRA_QUESTIONS_LIMIT = 2000


class CampaignError(ValidationError):
    """A campaign operation the rules refuse (the message names the field)."""


def organiser_check(*, organisation: Organisation, actor):
    membership = organisation_membership_get(user=actor, organisation_id=organisation.pk)
    if membership is None or membership.role not in ORGANISING_ROLES:
        raise PermissionDenied("Only the organisation's admins and organisers run its campaigns.")
    return membership


def _unique_slug(title: str, *, exclude_pk=None) -> str:
    base = slugify(title)[:60] or "campaign"
    slug, n = base, 2
    while Campaign.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _clean(fields: dict, *, campaign: Campaign | None) -> dict:
    """Validate a campaign's fields; a ``CampaignError`` naming each bad field."""
    errors: dict[str, str] = {}
    cleaned: dict = {}
    for name in TEXT_FIELDS:
        if name in fields:
            value = str(fields[name] or "").replace("\x00", "").strip()
            cleaned[name] = value
    if "title" in cleaned and not cleaned["title"]:
        errors["title"] = "Give the campaign a title."
    elif len(cleaned.get("title", "")) > 200:
        errors["title"] = "At most 200 characters."
    if len(cleaned.get("extra_questions", "")) > EXTRA_QUESTIONS_LIMIT:
        errors["extra_questions"] = f"At most {EXTRA_QUESTIONS_LIMIT} characters."
    if "slug" in fields and fields["slug"]:
        slug = slugify(str(fields["slug"]))[:80]
        if not slug:
            errors["slug"] = "Use letters, digits and hyphens."
        elif Campaign.objects.filter(slug=slug).exclude(pk=campaign.pk if campaign else None).exists():
            errors["slug"] = "Another campaign uses this address; choose another."
        cleaned["slug"] = slug
    if "employers" in fields:
        ids = []
        for value in fields["employers"] or []:
            ids.append(value.pk if isinstance(value, Employer) else value)
        try:
            ids = [int(v) for v in ids]
        except (TypeError, ValueError):
            errors["employers"] = "Employers are given by their directory ids."
            ids = []
        found = list(Employer.objects.filter(pk__in=ids))
        if len(found) != len(set(ids)):
            errors["employers"] = "Choose employers from the directory."
        cleaned["employers"] = found
    if "law_keys" in fields:
        keys = [str(k) for k in (fields["law_keys"] or [])]
        for key in keys:
            try:
                get_regime(key)
            except UnknownRegime:
                errors["law_keys"] = f"Unknown law {key!r}."
        cleaned["law_keys"] = list(dict.fromkeys(keys))
    if "publish_statistics" in fields:
        value = fields["publish_statistics"]
        if isinstance(value, str):
            value = value.strip().lower() in ("1", "true", "on", "yes")
        if not isinstance(value, bool) and value is not None:
            errors["publish_statistics"] = "Answer true or false."
        cleaned["publish_statistics"] = bool(value)
    for name in ("region", "bundle", "language"):
        if name in fields:
            cleaned[name] = str(fields[name] or "").strip()
    if cleaned.get("bundle") and cleaned["bundle"] not in BUNDLE_BY_CODE:
        errors["bundle"] = f"Choose one of: {', '.join(BUNDLE_BY_CODE)}."
    for name in ("rights", "categories"):
        if name in fields:
            cleaned[name] = list(dict.fromkeys(str(v) for v in (fields[name] or [])))
    if any(c not in CATEGORY_CODES for c in cleaned.get("categories", [])):
        errors["categories"] = f"Choose among: {', '.join(CATEGORY_CODES)}."
    if "locked" in fields:
        locked = list(dict.fromkeys(str(v) for v in (fields["locked"] or [])))
        if any(v not in LOCKABLE_FIELDS for v in locked):
            errors["locked"] = f"Only these can be locked: {', '.join(LOCKABLE_FIELDS)}."
        elif "region" in locked and not (cleaned.get("region") if "region" in cleaned else
                                         getattr(campaign, "region", "")):
            errors["region"] = "Give the holiday region to lock it (e.g. DE-BY), or untick its lock."
        cleaned["locked"] = locked
    # The law's own checks (rights it has, a holiday region inside its territory, a language its letter exists in).
    merged = {name: getattr(campaign, name) for name in ("law_keys", "region", "rights", "language", "categories",
                                                          "bundle")} if campaign else {}
    merged.update({k: v for k, v in cleaned.items() if k in merged or campaign is None})
    if not errors:
        for key in merged.get("law_keys") or []:
            rights = merged.get("rights") or []
            if merged.get("bundle") and merged["bundle"] != "custom":
                rights = []  # a bundle keeps the rights the member's law has
            found = validate_case_fields(law_key=key, region=merged.get("region", "") if len(merged["law_keys"]) == 1 else "",
                                         rights=rights or None, categories=merged.get("categories") or None,
                                         language=merged.get("language", ""))
            for field_name, message in found.items():
                errors.setdefault({"law": "law_keys"}.get(field_name, field_name), message)
    if errors:
        raise CampaignError(errors)
    return cleaned


def _apply(campaign: Campaign, cleaned: dict) -> None:
    employers = cleaned.pop("employers", None)
    for name, value in cleaned.items():
        setattr(campaign, name, value)
    campaign.save()
    if employers is not None:
        campaign.employers.set(employers)


@transaction.atomic
def campaign_create(*, organisation: Organisation, actor, **fields) -> Campaign:
    organiser_check(organisation=organisation, actor=actor)
    fields.setdefault("title", "")
    cleaned = _clean(fields, campaign=None)
    if not cleaned.get("slug"):
        cleaned["slug"] = _unique_slug(cleaned["title"])
    campaign = Campaign(organisation=organisation, created_by=actor)
    _apply(campaign, cleaned)
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, actor, **fields) -> Campaign:
    """Change a campaign. Its choices (employers, laws, rights … locks) change only while it is a draft:
    members joined under them."""
    organiser_check(organisation=campaign.organisation, actor=actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    changing = [name for name in CHOICE_FIELDS + ("slug",) if name in fields]
    if changing and campaign.state != CampaignState.DRAFT:
        raise CampaignError({changing[0]: "Members joined with these choices: they change only while the campaign is a draft."})
    was_published = campaign.publish_statistics
    _apply(campaign, _clean(fields, campaign=campaign))
    if was_published != campaign.publish_statistics:
        from deletion_portal.advocacy.stats_store import private_leaves_drop

        # who each of the organisation's own dashboards counts may change: counted live until the next refresh
        private_leaves_drop(organisation_id=campaign.organisation_id)
    if was_published and not campaign.publish_statistics:
        from deletion_portal.advocacy.stats_store import statistics_uncount

        statistics_uncount(case_ids=CampaignMember.objects.filter(campaign=campaign).values_list("case_id", flat=True))
    elif campaign.publish_statistics and not was_published:
        from deletion_portal.advocacy.stats_store import statistics_mark

        # its members count from the next refresh on (no case event marks their employers)
        statistics_mark(case_ids=CampaignMember.objects.filter(campaign=campaign).values_list("case_id", flat=True))
    return campaign


@transaction.atomic
def campaign_open(*, campaign: Campaign, actor) -> Campaign:
    organiser_check(organisation=campaign.organisation, actor=actor)
    campaign = Campaign.objects.select_for_update().select_related("organisation").get(pk=campaign.pk)
    if campaign.state == CampaignState.OPEN:
        return campaign
    if campaign.state != CampaignState.DRAFT:
        raise CampaignError({"state": "A closed campaign stays closed."})
    if not campaign.organisation.verified:
        raise CampaignError({"state": "Only a verified organisation can open a campaign: ask the portal's staff to verify yours."})
    if not campaign.employers.exists():
        raise CampaignError({"employers": "Choose at least one employer from the directory."})
    if not campaign.law_keys:
        raise CampaignError({"law_keys": "Choose the law the requests are made under."})
    campaign.state, campaign.opened_at = CampaignState.OPEN, timezone.now()
    campaign.save(update_fields=["state", "opened_at"])
    return campaign


@transaction.atomic
def campaign_close(*, campaign: Campaign, actor) -> Campaign:
    organiser_check(organisation=campaign.organisation, actor=actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.state == CampaignState.CLOSED:
        return campaign
    if campaign.state != CampaignState.OPEN:
        raise CampaignError({"state": "Only an open campaign can be closed."})
    campaign.state, campaign.closed_at = CampaignState.CLOSED, timezone.now()
    campaign.save(update_fields=["state", "closed_at"])
    return campaign


# --- Members -----------------------------------------------------------------------------------------------


def campaign_case_fields(campaign: Campaign, *, employer: Employer) -> dict:
    """The case fields a new member's draft starts with."""
    fields: dict = {"employer": employer, "employer_country": employer.country}
    if len(campaign.law_keys) == 1:
        law_key = campaign.law_keys[0]
        fields["law_key"] = law_key
        available = {r.code for r in get_regime(law_key).rights}
        if campaign.bundle and campaign.bundle != "custom":
            fields["bundle"], fields["rights"] = campaign.bundle, bundle_rights(campaign.bundle, available)
        elif campaign.rights:
            fields["bundle"], fields["rights"] = "custom", [r for r in campaign.rights if r in available]
        if campaign.region:
            fields["region"] = campaign.region
        if campaign.language:
            fields["language"] = campaign.language
    if campaign.categories:
        fields["categories"] = list(campaign.categories)
    return fields


@transaction.atomic
def campaign_join(*, campaign: Campaign, user, employer: Employer | None = None, consents: dict | None = None,
                  mention_in_letter: bool = False, signature: str = "") -> CampaignMember:
    """Join an open campaign with a new draft case of the user's own (pre-filled and locked as the group
    chose). ``consents``: {kind: bool} for statistics / see_case / mandate (each default off); a mandate
    needs the typed ``signature``. Joining again returns the live membership."""
    from deletion_portal.advocacy.consents import consent_set

    campaign = Campaign.objects.select_related("organisation").get(pk=campaign.pk)
    if campaign.state != CampaignState.OPEN:
        raise CampaignError({"campaign": "This campaign does not accept new members."})
    existing = (CampaignMember.objects.select_related("case")
                .filter(campaign=campaign, case__owner=user, left_at=None).first())
    if existing is not None:
        return existing
    employers = list(campaign.employers.all())
    if employer is None and len(employers) == 1:
        employer = employers[0]
    if employer is None or employer.pk not in {e.pk for e in employers}:
        raise CampaignError({"employer": "Choose one of the campaign's employers."})
    if (consents or {}).get(ConsentKind.MANDATE) and not (signature or "").strip():
        raise CampaignError({"signature": "Type your full name to sign the mandate, or leave the mandate unticked."})
    fields = campaign_case_fields(campaign, employer=employer)
    case = case_create(owner=user, wizard_step=2, **fields)
    member = CampaignMember.objects.create(campaign=campaign, case=case, mention_in_letter=bool(mention_in_letter))
    for kind in (ConsentKind.STATISTICS, ConsentKind.SEE_CASE, ConsentKind.MANDATE):
        if (consents or {}).get(kind):
            consent_set(member=member, kind=kind, given=True, actor=user, signature=signature)
    return member


@transaction.atomic
def campaign_leave(*, member: CampaignMember, actor) -> CampaignMember:
    """Leave the campaign: every consent withdrawn (recorded), the mandate revoked; the case stays."""
    from deletion_portal.advocacy.consents import consent_current, consent_set

    member = CampaignMember.objects.select_for_update().get(pk=member.pk)
    if member.left_at is not None:
        return member
    for kind, given in consent_current(member=member).items():
        if given:
            consent_set(member=member, kind=kind, given=False, actor=actor)
    member.left_at = timezone.now()
    member.save(update_fields=["left_at"])
    from deletion_portal.advocacy.stats_store import statistics_uncount

    statistics_uncount(case_ids=[member.case_id])
    return member


@transaction.atomic
def campaign_mention_set(*, member: CampaignMember, mention: bool) -> CampaignMember:
    member.mention_in_letter = bool(mention)
    member.save(update_fields=["mention_in_letter"])
    return member


# --- What cases asks the apps above it (registered in AdvocacyConfig.ready) ----------------------------------


def _live_memberships(case):
    return (CampaignMember.objects.filter(case_id=case.pk, left_at=None)
            .select_related("campaign", "campaign__organisation").order_by("pk"))


def campaign_case_locks(*, case) -> list[FieldLock]:
    """The fields the case's live campaigns locked, with the values allowed."""
    locks = []
    for member in _live_memberships(case):
        campaign = member.campaign
        for name in campaign.locked:
            allowed = _allowed(campaign, name, case)
            if allowed is None:
                continue
            reason = (f"The campaign “{campaign.title}” of {campaign.organisation.name} set the "
                      f"{FIELD_LABELS.get(name, name)}; it cannot be changed here.")
            locks.append(FieldLock(field=name, allowed=allowed, reason=reason))
    return locks


def _allowed(campaign: Campaign, name: str, case) -> tuple | None:
    if name == "employer":
        return tuple(campaign.employers.values_list("pk", flat=True))
    if name == "law_key":
        return tuple(campaign.law_keys) or None
    if name == "language":
        return (campaign.language,) if campaign.language else None
    if name == "region":  # the holiday region the deadlines count with (LEGAL.md §2)
        return (campaign.region,) if campaign.region else None
    if name == "categories":
        return (tuple(sorted(campaign.categories)),) if campaign.categories else None
    if name == "rights":
        try:
            available = {r.code for r in get_regime(case.law_key).rights} if case.law_key else None
        except UnknownRegime:
            available = None
        if available is None:
            return None
        if campaign.bundle and campaign.bundle != "custom":
            return (tuple(sorted(bundle_rights(campaign.bundle, available))),)
        if campaign.rights:
            return (tuple(sorted(r for r in campaign.rights if r in available)),)
    return None
