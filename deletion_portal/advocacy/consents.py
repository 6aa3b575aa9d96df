"""The member's consents to share, and mandates (LEGAL.md §5; GDPR Arts 4(11), 7(3), 80(1); 11 CCR §7063).

Three separate choices per campaign membership (:class:`ConsentKind`), each default off, each change an
append-only :class:`Consent` row with the wording's version and the time: the current choice is the latest
row. Withdrawing is one call, effective at once: :func:`share_sync` brings the ``CaseShare`` row the access
policy reads (``advocacy/access.py``) in line in the same transaction, so the group's next request sees
nothing. The group never sees who declined: nothing here is listed to it but live consents.

A mandate (:func:`mandate_sign`) is the signed authorisation: the agreed text (built from the law's
``representation`` facts), its SHA-256, the member's typed signature and name, and a PDF rendered by
``core.pdf.render_pdf``, attached to every letter emailed under it. :func:`mandate_revoke` stops future acts
at once (letters already sent stay valid) and tells the group.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from deletion_portal.advocacy.models import (
    CampaignMember,
    CaseShare,
    Consent,
    ConsentKind,
    Mandate,
    OrganisationMembership,
)
from deletion_portal.advocacy.organisations import ORGANISING_ROLES
from deletion_portal.cases.hooks import LetterEnvelope
from deletion_portal.cases.letters import format_date, month_first_dates
from deletion_portal.core.outbox import outbox_enqueue
from deletion_portal.laws.registry import UnknownRegime, get_regime

#: Every wording a member was ever shown, by kind and version. A ``Consent`` row records the version it was
#: given under and keeps it: a new wording is a new version here, never an edit of an old one, so what each
#: member agreed to can always be shown (:func:`consent_wording_of`). Marked for translation; translated when shown.
WORDINGS: dict[str, dict[str, str]] = {
    ConsentKind.STATISTICS: {
        "2026-12-1": gettext_noop(
            "Count my case in the campaign's statistics. The group sees only outcome-level data, counted together "
            "with other members: dates, statuses and which items of the checklist the employer answered. Never "
            "your name, address, letter text or files. Groups of fewer than 5 are never shown."),
        # Names k (``STATS_MIN_CELL``) instead of a fixed 5: the version recorded is "2026-12-2/k<k>", because a
        # different k is a different promise.
        "2026-12-2": gettext_noop(
            "Count my case in the campaign's statistics. The group sees only outcome-level data, counted together "
            "with other members: dates, statuses and which items of the checklist the employer answered. Never "
            "your name, address, letter text or files. Groups of fewer than %(k)s people are never shown."),
    },
    ConsentKind.SEE_CASE: {
        "2026-12-1": gettext_noop(
            "Let the group see my case: your name, the case's status and dates, your letters and the employer's "
            "answer. Not your notes or the files you did not share."),
    },
    ConsentKind.MANDATE: {
        "2026-12-1": gettext_noop(
            "Mandate the group to act for me: it may send my request, follow-ups and complaints on my behalf, with "
            "the group's contact as the reply address. You still see everything on your case, and you can revoke "
            "the mandate at any time (letters already sent stay valid)."),
    },
}

#: The wording shown now, per kind.
CURRENT_WORDING = {ConsentKind.STATISTICS: "2026-12-2", ConsentKind.SEE_CASE: "2026-12-1",
                   ConsentKind.MANDATE: "2026-12-1"}

#: The versions whose text names k: their recorded version carries it ("2026-12-2/k5").
_NAMES_K = frozenset({(ConsentKind.STATISTICS, "2026-12-2")})


class ConsentError(ValidationError):
    pass


def consent_wording(kind: str) -> tuple[str, str]:
    """The wording shown now for ``kind``: (the version to record, the text in the active language). The
    statistics wording names the smallest group ever shown, k = ``STATS_MIN_CELL``, and its version says which k."""
    version = CURRENT_WORDING[kind]
    if (kind, version) in _NAMES_K:
        version = f"{version}/k{settings.STATS_MIN_CELL}"
    return version, consent_wording_of(kind, version)


def consent_wording_of(kind: str, version: str) -> str | None:
    """The text of a recorded wording version (None for a version this portal never showed)."""
    base, _, k = version.partition("/k")
    template = WORDINGS.get(kind, {}).get(base)
    if template is None or bool(k) != ((kind, base) in _NAMES_K) or (k and not k.isdigit()):
        return None
    return gettext(template) % {"k": int(k)} if k else gettext(template)


def consent_current(*, member: CampaignMember) -> dict[str, bool]:
    """The member's current choice of each kind (no row: off)."""
    state = {kind: False for kind in ConsentKind.values}
    for row in member.consents.order_by("at", "id"):
        state[row.kind] = row.given
    return state


def mandate_live(*, member: CampaignMember) -> Mandate | None:
    return member.mandates.filter(revoked_at=None).first()


@transaction.atomic
def consent_set(*, member: CampaignMember, kind: str, given: bool, actor, signature: str = "") -> Consent | None:
    """Record the member's choice (a row only when it changes) and apply it at once. Giving the mandate needs
    the typed ``signature`` and creates the signed authorisation; withdrawing it revokes the mandate."""
    if kind not in ConsentKind.values:
        raise ConsentError({"kind": f"One of: {', '.join(ConsentKind.values)}."})
    member = CampaignMember.objects.select_for_update().select_related("campaign__organisation", "case").get(pk=member.pk)
    if given and member.left_at is not None:
        raise ConsentError("You left this campaign; join it again to share with the group.")
    given = bool(given)
    if consent_current(member=member)[kind] == given:
        return None
    if kind == ConsentKind.MANDATE:
        if given:
            mandate_sign(member=member, signature=signature)
        else:
            _mandate_revoke(member=member)
    version, _text = consent_wording(kind)
    row = Consent.objects.create(member=member, kind=kind, given=given, wording_version=version, actor=actor)
    share_sync(member=member)
    if kind == ConsentKind.STATISTICS and not given:
        from deletion_portal.advocacy.stats_store import statistics_uncount

        statistics_uncount(case_ids=[member.case_id])  # out of every later figure, the precomputed ones included
    return row


def share_sync(*, member: CampaignMember) -> CaseShare | None:
    """Make the live ``CaseShare`` of the member's case with the organisation say what the member's live
    memberships of the organisation's campaigns allow (see_case; act_for while a mandate is live)."""
    organisation = member.campaign.organisation
    case = member.case
    members = list(CampaignMember.objects.filter(case=case, campaign__organisation=organisation, left_at=None)
                   .prefetch_related("consents", Prefetch("mandates", queryset=Mandate.objects.filter(revoked_at=None))))
    see_case = any(consent_current(member=m)[ConsentKind.SEE_CASE] for m in members)
    act_for = any(m.mandates.all() for m in members)
    share = CaseShare.objects.select_for_update().filter(case=case, organisation=organisation, revoked_at=None).first()
    if not (see_case or act_for):
        if share is not None:
            share.revoked_at = timezone.now()
            share.save(update_fields=["revoked_at"])
        return None
    if share is None:
        return CaseShare.objects.create(case=case, organisation=organisation, see_case=see_case, act_for=act_for)
    if (share.see_case, share.act_for) != (see_case, act_for):
        share.see_case, share.act_for = see_case, act_for
        share.save(update_fields=["see_case", "act_for"])
    return share


# --- Mandates ----------------------------------------------------------------------------------------------


def mandate_scope(case, organisation) -> list[dict]:
    """What the mandate covers under the case's law: the law's ``representation`` facts (rights by proxy /
    authorized agent; complaints and court where the law has them, e.g. GDPR Art. 80(1) — only for a
    not-for-profit body active in data protection, which the organisation's flag says)."""
    try:
        regime = get_regime(case.law_key) if case.law_key else None
    except UnknownRegime:
        regime = None
    representation = regime.representation if regime else None
    if representation is None:
        return [{"what": "Sending the request, follow-ups and complaints on the member's behalf",
                 "rule": "Representation under the general law of agency", "citation": ""}]
    scope = [{"what": "Exercising the member's rights (the request and its follow-ups)",
              "rule": representation.rights.text, "citation": representation.rights.citation}]
    if representation.complaints is not None and organisation.not_for_profit:
        scope.append({"what": "Complaints to the supervisory authority and going to court",
                      "rule": representation.complaints.text, "citation": representation.complaints.citation})
    return scope


def mandate_text(*, member: CampaignMember, signer_name: str, scope: list[dict]) -> str:
    organisation = member.campaign.organisation
    case = member.case
    employer = case.employer.legal_name if case.employer else ""
    lines = [
        f"I, {signer_name}, authorise {organisation.name} ({organisation.country}) to act on my behalf in my "
        f"request {case.reference} to {employer}, made in the campaign “{member.campaign.title}”.",
        "The authorisation covers:",
        *[f"- {item['what']}: {item['rule']}" + (f" ({item['citation']})" if item["citation"] else "")
          for item in scope],
        f"Replies may be sent to {organisation.name}"
        + (f" at {organisation.contact_email}" if organisation.contact_email else "") + ".",
        "I can revoke this authorisation at any time; revoking stops future acts, not those already done.",
    ]
    return "\n".join(lines)


def mandate_sign(*, member: CampaignMember, signature: str) -> Mandate:
    """The signed authorisation (inside ``consent_set``'s transaction)."""
    from deletion_portal.core.pdf import PdfMetadata, PdfRenderError, render_pdf

    signature = " ".join((signature or "").split())
    if not signature:
        raise ConsentError({"signature": "Type your full name to sign the mandate."})
    if len(signature) > 200:
        raise ConsentError({"signature": "At most 200 characters."})
    case = member.case
    signer_name = case.requester_name or signature
    scope = mandate_scope(case, member.campaign.organisation)
    text = mandate_text(member=member, signer_name=signer_name, scope=scope)
    digest = hashlib.sha256(text.encode()).hexdigest()
    version, _text = consent_wording(ConsentKind.MANDATE)
    mandate = Mandate.objects.create(member=member, organisation=member.campaign.organisation, signer_name=signer_name,
                                     signature=signature, scope=scope, wording_version=version, text=text,
                                     text_sha256=digest)
    html = render_to_string("advocacy/authorisation.html", {"mandate": mandate, "member": member, "case": case,
                                                            "organisation": mandate.organisation,
                                                            "paragraphs": text.split("\n")})
    try:
        pdf = render_pdf(html, metadata=PdfMetadata(title=f"Authorisation {case.reference}", author=signer_name,
                                                    subject=mandate.organisation.name, language="en"),
                         footer=f"{case.reference} · authorisation {mandate.pk} · page {{page}} of {{pages}}")
    except PdfRenderError as exc:  # the whole choice is rolled back: no mandate without its authorisation
        raise ConsentError({"signature": f"The authorisation could not be made: {exc}"}) from None
    mandate.pdf.save(f"{case.reference}-authorisation-{mandate.pk}.pdf", ContentFile(pdf), save=False)
    mandate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    mandate.save(update_fields=["pdf", "pdf_sha256"])
    return mandate


def _mandate_revoke(*, member: CampaignMember) -> None:
    for mandate in member.mandates.filter(revoked_at=None):
        mandate.revoked_at = timezone.now()
        mandate.save(update_fields=["revoked_at"])
        organisation = mandate.organisation
        recipients = list(OrganisationMembership.objects.filter(organisation=organisation, role__in=ORGANISING_ROLES)
                          .values_list("user__email", flat=True).order_by("user__email"))
        if organisation.contact_email and organisation.contact_email not in recipients:
            recipients.append(organisation.contact_email)
        if recipients:
            outbox_enqueue(
                key=f"mandate-revoked:{mandate.pk}",
                topic=f"organisation:{organisation.pk}",
                to=recipients,
                subject=f"A member revoked a mandate ({member.campaign.title})",
                body=(f"The member of case {member.case.reference} in the campaign “{member.campaign.title}” revoked "
                      f"the mandate of {timezone.localdate(mandate.signed_at).isoformat()} on "
                      f"{timezone.localdate(mandate.revoked_at).isoformat()}.\n\nFrom now on {organisation.name} may "
                      "not send letters or act for this member. Letters already sent stay valid.\n"),
            )


def mandate_live_for(*, case_id: int, organisation_id: int) -> Mandate | None:
    """The live mandate a case's owner gave the organisation (for acting under it: the bulk letters attach
    its ``pdf``). ``CaseShare.act_for`` says the same for the access policy."""
    return (Mandate.objects.filter(member__case_id=case_id, organisation_id=organisation_id, revoked_at=None,
                                   member__left_at=None).order_by("-signed_at", "-id").first())


def mandate_revoke(*, member: CampaignMember, actor) -> Consent | None:
    return consent_set(member=member, kind=ConsentKind.MANDATE, given=False, actor=actor)


# --- What cases asks (registered in AdvocacyConfig.ready) -----------------------------------------------------


def _live_members(case):
    return list(CampaignMember.objects.filter(case_id=case.pk, left_at=None)
                .select_related("campaign", "campaign__organisation").order_by("pk"))


def _letter_partials(language: str, name: str) -> tuple[str, ...]:
    """The per-language partial of a campaign line (``letters/<lang>/_campaign_<name>.html``), English when the
    letter's language has none."""
    return (f"letters/{language}/_campaign_{name}.html", f"letters/en/_campaign_{name}.html")


def campaign_letter_context(*, case, kind: str, language: str) -> dict:
    """The campaign's additions to the case's letters, in the letter's language (partials
    ``letters/<lang>/_campaign_agent.html`` and ``_campaign_extra.html``): the group's extra questions (plain
    text, escaped by the template), a mention of the campaign only if the member agreed, and, under a live
    mandate, the organisation as the sender on the member's behalf with its contact for replies."""
    if case.pk is None:
        return {}
    extras, agent = [], None
    for member in _live_members(case):
        campaign = member.campaign
        questions = [line.strip() for line in campaign.extra_questions.splitlines() if line.strip()]
        if questions and kind == "request":
            extras.append({"templates": _letter_partials(language, "extra"), "kind": "questions", "lines": questions})
        if member.mention_in_letter:
            extras.append({"templates": _letter_partials(language, "extra"), "kind": "mention",
                           "campaign": campaign.title, "organisation": campaign.organisation.name})
        mandate = mandate_live(member=member)
        if mandate is not None and agent is None:
            organisation = mandate.organisation
            contact = ", ".join(part for part in (organisation.contact_email,
                                                  " · ".join(organisation.contact_address.splitlines())) if part)
            signed_on = timezone.localdate(mandate.signed_at)
            try:
                signed_text = format_date(signed_on, language, us=month_first_dates(case.law_key))
            except (KeyError, ValueError):
                signed_text = signed_on.isoformat()
            agent = {"templates": _letter_partials(language, "agent"), "organisation": organisation.name,
                     "member": mandate.signer_name, "signed_on": signed_text, "text_sha256": mandate.text_sha256,
                     "contact": contact}
    return {"letter_extras": extras, "agent": agent}


def campaign_letter_envelope(*, case, letter) -> LetterEnvelope | None:
    """Under a live mandate the organisation's contact is the Reply-To, in CC, and the signed authorisation
    is attached to the email."""
    for member in _live_members(case):
        mandate = mandate_live(member=member)
        if mandate is None:
            continue
        organisation = mandate.organisation
        contact = (organisation.contact_email,) if organisation.contact_email else ()
        attachments = ({"filename": f"{case.reference}-authorisation.pdf", "content_type": "application/pdf",
                        "storage_name": mandate.pdf.name},) if mandate.pdf else ()
        return LetterEnvelope(reply_to=contact, cc=contact, attachments=attachments)
    return None


def bulk_authorisations(*, organisation, case_ids: list[int]) -> dict:
    """``bulk.register_bulk_documents``: each member's signed authorisation beside their letters in a bulk job's
    ZIP and manifest (kind ``authorisation``) and after each of their letters in the print PDF, for the cases whose owner's mandate to ``organisation`` is live
    now (revoked, or the member left: none). One query; the latest live mandate per case. A stored PDF that
    does not match its recorded SHA-256 stops the ZIP (like a letter's)."""
    from deletion_portal.advocacy.bulk import BulkDocument

    found: dict[int, list[BulkDocument]] = {}
    mandates = (Mandate.objects.filter(organisation=organisation, member__case_id__in=case_ids, revoked_at=None,
                                       member__left_at=None).exclude(pdf="")
                .select_related("member").only("pk", "pdf", "pdf_sha256", "member__case_id")
                .order_by("-signed_at", "-id"))
    for mandate in mandates:
        case_id = mandate.member.case_id
        if case_id in found:
            continue
        with mandate.pdf.open("rb") as handle:
            content = handle.read()
        if mandate.pdf_sha256 and hashlib.sha256(content).hexdigest() != mandate.pdf_sha256:
            raise RuntimeError(f"mandate {mandate.pk}: the stored authorisation does not match its SHA-256")
        found[case_id] = [BulkDocument(kind="authorisation", name=f"{mandate.pk}.pdf", content=content,
                                       printed=True)]
    return found
