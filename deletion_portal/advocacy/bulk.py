"""Bulk letters: an organisation produces every pending letter of the members who mandated it.

The flow (each step a service; the Celery tasks in ``advocacy/tasks.py`` only call them with ids):

1. :func:`bulk_job_start` (an admin or organiser of the organisation): the job row and one
   :class:`BulkJobItem` per pending letter of every case whose owner mandated the organisation
   (``CaseShare.act_for``, not revoked), optionally limited to some cases. Pending: the request while it is
   not final, the follow-up due and the complaint due (drafted through the drafters tracking registers in
   ``cases.hooks``). A letter that is final already (by the member, or by an earlier job) is not pending, so
   running the job again produces nothing twice.
2. :func:`bulk_job_step` (a worker, repeatedly): claims up to ``BULK_CHUNK`` items with a compare-and-swap
   update (``pending → running``, or ``running`` abandoned longer than ``BULK_STALE_SECONDS`` by a dead
   worker), and for each, in ONE transaction: checks the mandate is still live, finalises the letter with
   ``cases.services.letter_finalize`` (idempotent: it returns the final letter when there is one), queues it
   through the outbox when asked (``letter_send_email``, keyed per letter) and marks the item done with
   the job's counters. A worker killed at any point leaves either the whole unit or nothing.
3. :func:`bulk_job_finish` when no item is left: one ZIP (every PDF and a manifest, CSV and JSON: member
   reference, letter kind, SHA-256) and a merged PDF for printing, both stored with the job.

Cancel (:func:`bulk_job_cancel`) stops it between two letters; resume (:func:`bulk_job_resume`) hands a
cancelled, failed or stalled job to a worker again; :func:`bulk_requeue_stale` (beat) does that for jobs
whose worker died.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from deletion_portal.advocacy.access import ACTING_ROLES
from deletion_portal.advocacy.bulk_models import BulkItemState, BulkJob, BulkJobItem, BulkJobState
from deletion_portal.advocacy.models import Campaign, CaseShare, Mandate, Organisation, OrganisationMembership
from deletion_portal.cases.access import Need, cases_visible_to
from deletion_portal.cases.hooks import due_letter_drafters
from deletion_portal.cases.models import Case, CaseStatus, EventSource, LetterKind
from deletion_portal.cases.selectors import case_final_request_letter
from deletion_portal.cases.services import letter_finalize, letter_send_email
from deletion_portal.core.pdf import PdfRenderError, line_layout_cache, merge_pdfs

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
ERROR_LIMIT = 300
#: Letters per print volume (about 400 pages): pypdf builds a merged PDF in memory, so memory is bounded per
#: volume, not per job (500 letters per volume peaked at 237 MB of Python allocations; see README "Speed").
PRINT_VOLUME_LETTERS = 100
EMAILED_KINDS = (LetterKind.REQUEST, LetterKind.FOLLOW_UP)  # a complaint goes to the authority, not by our email


def chunk_size() -> int:
    return max(1, int(getattr(settings, "BULK_CHUNK", 20)))


def stale_after() -> timedelta:
    return timedelta(seconds=max(1, int(getattr(settings, "BULK_STALE_SECONDS", 300))))


def _today() -> date:
    return timezone.localdate()


# --- Who may see and run jobs ---------------------------------------------------------------------------------


def organisation_get_for(user, pk, *, act: bool = False) -> Organisation:
    """The organisation ``pk`` when ``user`` is a member (``act``: an admin or organiser); else 404."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    memberships = OrganisationMembership.objects.filter(user=user, organisation_id=pk)
    if act:
        memberships = memberships.filter(role__in=ACTING_ROLES)
    organisation = Organisation.objects.filter(pk=pk, memberships__in=memberships).first()
    if organisation is None:
        raise Http404
    return organisation


def campaign_get_acting(user, pk) -> Campaign:
    """The campaign ``pk`` when ``user`` is an admin or organiser of its organisation; else 404."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    acting = OrganisationMembership.objects.filter(user=user, role__in=ACTING_ROLES).values("organisation_id")
    campaign = Campaign.objects.select_related("organisation").filter(pk=pk, organisation_id__in=acting).first()
    if campaign is None:
        raise Http404
    return campaign


def bulk_job_get_for(user, pk, *, organisation_pk=None, act: bool = False) -> BulkJob:
    """A job of an organisation ``user`` belongs to (``act``: as admin or organiser); else the same 404."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    memberships = OrganisationMembership.objects.filter(user=user)
    if act:
        memberships = memberships.filter(role__in=ACTING_ROLES)
    jobs = BulkJob.objects.select_related("organisation").filter(
        pk=pk, organisation_id__in=memberships.values("organisation_id"))
    if organisation_pk is not None:
        jobs = jobs.filter(organisation_id=organisation_pk)
    job = jobs.first()
    if job is None:
        raise Http404
    return job


def bulk_jobs_of(organisation: Organisation, *, campaign: Campaign | None = None, limit: int = 20) -> list[BulkJob]:
    """The organisation's latest jobs (with ``campaign``: that campaign's only), one query."""
    jobs = BulkJob.objects.filter(organisation=organisation)
    if campaign is not None:
        jobs = jobs.filter(campaign=campaign)
    return list(jobs.order_by("-created_at", "-id")[:limit])


def bulk_job_failures(job: BulkJob, *, limit: int = 50) -> list[BulkJobItem]:
    """The items that failed or were skipped, with their case reference (one query)."""
    return list(job.items.filter(state__in=[BulkItemState.FAILED, BulkItemState.SKIPPED])
                .select_related("case").order_by("id")[:limit])


# --- Planning ---------------------------------------------------------------------------------------------------


def mandated_cases(organisation: Organisation, *, user=None, campaign_id: int | None = None):
    """The cases whose owners gave ``organisation`` a live mandate; with ``user``, only those the access policy
    lets that user act for (``Need.ACT_FOR``); with ``campaign_id``, only the members of that campaign whose
    mandate given in it is live (a mandate given in another campaign of the organisation does not count)."""
    shares = CaseShare.objects.filter(organisation=organisation, act_for=True, revoked_at__isnull=True)
    cases = Case.objects.filter(pk__in=shares.values("case_id"))
    if campaign_id is not None:
        cases = cases.filter(pk__in=Mandate.objects.filter(
            organisation=organisation, member__campaign_id=campaign_id, member__left_at__isnull=True,
            revoked_at__isnull=True).values("member__case_id"))
    if user is not None:
        cases = cases.filter(pk__in=cases_visible_to(user, need=Need.ACT_FOR).values("pk"))
    return cases.exclude(status=CaseStatus.CLOSED)


@dataclass(frozen=True)
class PlannedLetter:
    case_id: int
    kind: str
    draft_id: int | None

    @property
    def key(self) -> str:
        """The letter's claim key, the same in every job (``BulkJobItem.letter_key``, unique among live items)."""
        return f"{self.case_id}:{self.kind}:{self.draft_id or '-'}"


LIVE_ITEM_STATES = (BulkItemState.PENDING, BulkItemState.RUNNING, BulkItemState.DONE)  # hold their letter_key
ACTIVE_JOB_STATES = (BulkJobState.QUEUED, BulkJobState.RUNNING)


def _same_scope(organisation_id: int, campaign_id: int | None):
    """The jobs of one scope: a campaign's, or the organisation-wide ones (no campaign)."""
    return BulkJob.objects.filter(organisation_id=organisation_id, campaign_id=campaign_id)


def pending_letters(case: Case, *, today: date) -> list[PlannedLetter]:
    """The letters of ``case`` that are due and not final: the request while it is not final; a follow-up or
    complaint that its app's drafter says is due (it drafts it; a write). Final letters are not pending."""
    planned = []
    if case.status in (CaseStatus.DRAFT, CaseStatus.FINALISED) and not case.sent_outside_portal:
        if case_final_request_letter(case) is None:
            planned.append(PlannedLetter(case.pk, LetterKind.REQUEST, None))
        return planned  # nothing to follow up before the request went out
    for kind, drafter in due_letter_drafters().items():
        letter = drafter(case=case, today=today)
        if letter is not None and not letter.is_final:
            planned.append(PlannedLetter(case.pk, kind, letter.pk))
    return planned


def bulk_job_start(*, organisation: Organisation, user, case_ids: list[int] | None = None,
                   send_emails: bool = False, campaign: Campaign | None = None,
                   today: date | None = None) -> BulkJob:
    """Create a job for the mandated cases (all, or ``case_ids`` among them) and hand it to a worker, which
    lists the pending letters first (:func:`bulk_job_plan`: drafting a due follow-up renders it, too slow for a
    web request with hundreds of members).

    ``user`` must be an admin or organiser of ``organisation`` (the views check it with
    :func:`organisation_get_for`; checked again here). An id that is not one of the organisation's mandated
    cases is a ValidationError naming ``case_ids``; another job still running in the same scope too (one job per
    campaign and one organisation-wide job at a time; jobs of different scopes run at once, and a letter two of
    them cover is produced by one only: see ``BulkJobItem.letter_key``).
    With ``campaign`` (one of the organisation's), the job covers only that campaign's members with a live mandate.
    """
    from deletion_portal.advocacy.tasks import bulk_run
    from deletion_portal.core.outbox import publish_on_commit

    if not OrganisationMembership.objects.filter(organisation=organisation, user=user, role__in=ACTING_ROLES).exists():
        raise ValidationError("Only the organisation's admins and organisers can produce letters in bulk.")
    if campaign is not None and campaign.organisation_id != organisation.pk:
        raise ValidationError({"campaign": "Not a campaign of this organisation."})
    campaign_id = campaign.pk if campaign is not None else None
    wanted: list[int] = []
    if case_ids:
        try:
            wanted = sorted({int(pk) for pk in case_ids})
        except (TypeError, ValueError):
            raise ValidationError({"case_ids": "Give the case ids as a list of numbers."}) from None
        found = set(mandated_cases(organisation, user=user, campaign_id=campaign_id).filter(pk__in=wanted).values_list("pk", flat=True))
        unknown = [pk for pk in wanted if pk not in found]
        if unknown:
            raise ValidationError({"case_ids": f"Not a case that mandated this organisation: {unknown[:10]}."})
    with transaction.atomic():
        # One job at a time per scope (the campaign, or the organisation as a whole): lock the organisation row,
        # then look. Two campaigns' jobs run at once.
        Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
        if _same_scope(organisation.pk, campaign_id).filter(state__in=ACTIVE_JOB_STATES).exists():
            raise ValidationError(_busy_message(campaign_id))
        job = BulkJob.objects.create(organisation=organisation, campaign=campaign, created_by=user, case_ids=wanted,
                                     send_emails=bool(send_emails))
        publish_on_commit(bulk_run, job.pk)
    return job


def _busy_message(campaign_id: int | None) -> str:
    if campaign_id is not None:
        return "A bulk job of this campaign is still running: wait for it or cancel it."
    return "An organisation-wide bulk job is still running: wait for it or cancel it."


def _take_over(job: BulkJob, keys: list[str]) -> int:
    """Free the letters ``keys`` that a cancelled or failed job still lists as pending: they become that job's
    skipped items (counted), so ``job`` may list them. A running job's items are never taken."""
    held = (BulkJobItem.objects.filter(letter_key__in=keys, state=BulkItemState.PENDING,
                                       job__state__in=[BulkJobState.CANCELLED, BulkJobState.FAILED])
            .exclude(job_id=job.pk).values_list("job_id", "id"))
    by_job: dict[int, list[int]] = {}
    for job_id, item_id in held:
        by_job.setdefault(job_id, []).append(item_id)
    taken = 0
    for job_id, ids in by_job.items():
        with transaction.atomic():
            changed = BulkJobItem.objects.filter(id__in=ids, state=BulkItemState.PENDING).update(
                state=BulkItemState.SKIPPED, error=f"Produced by bulk job {job.pk} instead.")
            if changed:
                BulkJob.objects.filter(pk=job_id).update(skipped=F("skipped") + changed)
        taken += changed
    return taken


def bulk_job_plan(*, job: BulkJob, today: date) -> int:
    """List the job's pending letters as items (a worker's first step). Idempotent: an item is unique per job,
    case and kind, so a worker that died while planning leaves nothing that a second planning duplicates.
    A letter another job holds (pending, running or done there: its ``letter_key``) is left out; one that a
    cancelled or failed job still lists as pending is taken over."""
    cases = (mandated_cases(job.organisation, user=job.created_by, campaign_id=job.campaign_id) if job.created_by_id
             else Case.objects.none())
    if job.case_ids:
        cases = cases.filter(pk__in=job.case_ids)
    batch: list[PlannedLetter] = []

    def flush() -> None:
        if batch:
            _take_over(job, [p.key for p in batch])
        BulkJobItem.objects.bulk_create(  # ignore_conflicts: a letter another job holds is not ours
            [BulkJobItem(job=job, case_id=p.case_id, kind=p.kind, draft_id=p.draft_id, letter_key=p.key)
             for p in batch], batch_size=500, ignore_conflicts=True)
        batch.clear()

    for case in cases.select_related("employer").order_by("pk").iterator(chunk_size=200):
        batch.extend(pending_letters(case, today=today))  # drafting is idempotent
        if len(batch) >= 500:
            flush()
    flush()
    total = job.items.count()
    BulkJob.objects.filter(pk=job.pk).update(total=total, planned_at=timezone.now(), heartbeat_at=timezone.now())
    logger.info("bulk job %s planned: %s letter(s)", job.pk, total)
    return total


# --- Running -----------------------------------------------------------------------------------------------------


def _claim(job: BulkJob, limit: int) -> list[int]:
    """Claim up to ``limit`` items: pending ones, or running ones a dead worker left behind."""
    now = timezone.now()
    claimable = Q(state=BulkItemState.PENDING) | Q(state=BulkItemState.RUNNING, claimed_at__lt=now - stale_after())
    with transaction.atomic():
        ids = list(BulkJobItem.objects.select_for_update(skip_locked=True).filter(claimable, job=job)
                   .order_by("id").values_list("id", flat=True)[:limit])
        if not ids:
            return []
        BulkJobItem.objects.filter(claimable, id__in=ids).update(
            state=BulkItemState.RUNNING, claimed_at=now, attempts=F("attempts") + 1)
        claimed = list(BulkJobItem.objects.filter(id__in=ids, state=BulkItemState.RUNNING, claimed_at=now)
                       .values_list("id", flat=True))
    return claimed


def _settle(item: BulkJobItem, state: str, *, letter=None, error: str = "", emailed: bool = False) -> bool:
    """Mark a claimed item settled and count it on the job, once (compare-and-swap on ``running``)."""
    changed = BulkJobItem.objects.filter(pk=item.pk, state=BulkItemState.RUNNING).update(
        state=state, letter=letter, error=error[:ERROR_LIMIT], emailed=emailed)
    if changed:
        counter = {BulkItemState.DONE: "done", BulkItemState.FAILED: "errors", BulkItemState.SKIPPED: "skipped"}[state]
        updates = {counter: F(counter) + 1, "heartbeat_at": timezone.now()}
        if emailed:
            updates["emailed"] = F("emailed") + 1
        BulkJob.objects.filter(pk=item.job_id).update(**updates)
    return bool(changed)


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)[:ERROR_LIMIT]
    if isinstance(error, PdfRenderError):
        return str(error)[:ERROR_LIMIT]
    return "The letter could not be produced; it will be tried again when the job is resumed."


def _process(job: BulkJob, item: BulkJobItem, *, mandated: set[int], actor, today: date) -> None:
    if item.case_id not in mandated:
        _settle(item, BulkItemState.SKIPPED, error="The member's mandate was revoked (or the case closed).")
        return
    try:
        with transaction.atomic():
            case = item.case
            letter = letter_finalize(case=case, letter=item.draft if item.kind != LetterKind.REQUEST else None,
                                     actor=actor, source=EventSource.ORGANISATION, today=today)
            emailed = False
            if (job.send_emails and letter.kind in EMAILED_KINDS and case.employer_id
                    and case.employer.privacy_email):
                letter_send_email(case=case, letter=letter, actor=actor, source=EventSource.ORGANISATION, today=today)
                emailed = True
            _settle(item, BulkItemState.DONE, letter=letter, emailed=emailed)
    except Exception as error:  # noqa: BLE001 - one letter must not stop the others; recorded on the item
        if not isinstance(error, ValidationError | PdfRenderError):
            logger.exception("bulk job %s: item %s failed", job.pk, item.pk)
        message = _error_text(error)
        if isinstance(error, ValidationError | PdfRenderError) or item.attempts >= MAX_ATTEMPTS:
            _settle(item, BulkItemState.FAILED, error=message)
        else:  # a passing failure: back to pending for the next step
            BulkJobItem.objects.filter(pk=item.pk, state=BulkItemState.RUNNING).update(
                state=BulkItemState.PENDING, error=message)


def bulk_job_step(*, job_id: int, limit: int | None = None, today: date | None = None) -> str:
    """Process one chunk of the job. Returns ``"more"`` (call again), ``"finished"``, ``"cancelled"`` or
    ``"idle"`` (nothing to do: the job is not running, or another worker holds the remaining items)."""
    today = today or _today()
    BulkJob.objects.filter(pk=job_id, state=BulkJobState.QUEUED).update(
        state=BulkJobState.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now())
    job = BulkJob.objects.select_related("organisation", "created_by").filter(pk=job_id).first()
    if job is None or job.state != BulkJobState.RUNNING:
        return job.state if job is not None and job.state == BulkJobState.CANCELLED else "idle"
    if job.planned_at is None:
        bulk_job_plan(job=job, today=today)
        return "more"
    ids = _claim(job, limit or chunk_size())
    if ids:
        items = list(BulkJobItem.objects.filter(id__in=ids).select_related("case", "case__employer", "draft")
                     .order_by("id"))
        mandated = set(mandated_cases(job.organisation, campaign_id=job.campaign_id).filter(pk__in=[i.case_id for i in items])
                       .values_list("pk", flat=True))
        creator_acts = job.created_by_id is not None and OrganisationMembership.objects.filter(
            organisation=job.organisation, user_id=job.created_by_id, role__in=ACTING_ROLES).exists()
        if not creator_acts:
            mandated = set()  # the person who started it no longer acts for the organisation
        # The job's letters share line breaks of their common text (byte-identical PDFs; core/pdf_lines.py).
        with line_layout_cache(scope=("bulk", job.pk)):
            for item in items:
                if BulkJob.objects.filter(pk=job.pk, state=BulkJobState.CANCELLED).exists():
                    BulkJobItem.objects.filter(id__in=ids, state=BulkItemState.RUNNING).update(
                        state=BulkItemState.PENDING, claimed_at=None)
                    return "cancelled"
                _process(job, item, mandated=mandated, actor=job.created_by, today=today)
        return "more"
    if job.items.filter(state__in=[BulkItemState.PENDING, BulkItemState.RUNNING]).exists():
        return "idle"  # another worker holds the rest (or a dead one: claimed again once stale)
    bulk_job_finish(job_id=job.pk)
    return "finished"


# --- Finishing: the ZIP and the merged PDF ------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkDocument:
    """A document that goes into a job's ZIP beside a member's letters (e.g. the signed authorisation of a
    mandate): its kind for the manifest, a file name part, and its bytes. ``printed`` (a PDF): it also follows
    each of the member's letters in the print PDF (an authorisation is "attached to every letter sent under it")."""

    kind: str
    name: str
    content: bytes
    printed: bool = False


_document_providers: list = []


def register_bulk_documents(provider) -> None:
    """Add ``provider(*, organisation, case_ids) -> {case id: [BulkDocument, …]}`` (once): what else each
    member's folder of the ZIP holds. Called once per job with every case id, so it reads in a fixed number of
    queries. The campaigns' mandates register their signed authorisation here."""
    if provider not in _document_providers:
        _document_providers.append(provider)


def _extra_documents(organisation, case_ids: list[int]) -> dict[int, list[BulkDocument]]:
    found: dict[int, list[BulkDocument]] = {}
    for provider in _document_providers:
        for case_id, documents in provider(organisation=organisation, case_ids=case_ids).items():
            found.setdefault(case_id, []).extend(documents)
    return found


MANIFEST_FIELDS = ("file", "member_reference", "letter_kind", "letter_id", "sha256", "pages", "emailed")


def bulk_job_finish(*, job_id: int) -> BulkJob | None:
    """Build the ZIP (every letter's PDF, ``manifest.csv`` and ``manifest.json``) and the merged PDF, store them,
    and mark the job finished. Claimed with a compare-and-swap on the job's state, so it runs once; a crash
    before the commit leaves the job running and the next step builds them again."""
    job = BulkJob.objects.filter(pk=job_id, state=BulkJobState.RUNNING).first()
    if job is None:
        return None
    items = (BulkJobItem.objects.filter(job=job, state=BulkItemState.DONE, letter__isnull=False)
             .select_related("case", "letter").defer("letter__html", "case__identity_note")
             .order_by("case__reference", "id"))
    rows = []
    case_ids = sorted(set(items.values_list("case_id", flat=True)))
    extras = _extra_documents(job.organisation, case_ids) if _document_providers else {}
    with tempfile.TemporaryFile() as zipped, tempfile.TemporaryFile() as merged:
        volumes: list[tuple[str, int]] = []
        references: dict[int, str] = {}
        with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_STORED) as archive:
            volume: list[bytes] = []
            volume_rows: list[dict | tuple] = []  # a letter's manifest row, or (case id, name) of a document
            document_pages: dict[tuple, int] = {}

            def flush_volume() -> None:
                if not volume:
                    return
                name = f"print/letters-{len(volumes) + 1:03d}.pdf"
                buffer = io.BytesIO()
                counts = merge_pdfs(volume, buffer)
                for row, count in zip(volume_rows, counts, strict=True):
                    if isinstance(row, dict):
                        row["pages"] = count
                    else:
                        document_pages[row] = count
                pages = sum(counts)
                archive.writestr(name, buffer.getvalue())
                if not volumes:
                    merged.seek(0)
                    merged.truncate()
                    merged.write(buffer.getvalue())
                volumes.append((name, pages))
                volume.clear()
                volume_rows.clear()

            for item in items.iterator(chunk_size=200):
                letter = item.letter
                with letter.pdf.open("rb") as handle:
                    data = handle.read()
                digest = hashlib.sha256(data).hexdigest()
                if letter.sha256 and digest != letter.sha256:
                    raise RuntimeError(f"letter {letter.pk}: the stored PDF does not match its SHA-256")
                name = f"letters/{item.case.reference}-{letter.kind}-{letter.short_id}.pdf"
                archive.writestr(name, data)
                references[item.case_id] = item.case.reference
                rows.append({"file": name, "member_reference": item.case.reference, "letter_kind": letter.kind,
                             "letter_id": letter.short_id, "sha256": digest, "pages": 0, "emailed": item.emailed})
                volume.append(data)
                volume_rows.append(rows[-1])
                for document in extras.get(item.case_id, ()):  # e.g. the authorisation after every letter under it
                    if document.printed:
                        volume.append(document.content)
                        volume_rows.append((item.case_id, document.name))
                if sum(isinstance(row, dict) for row in volume_rows) >= PRINT_VOLUME_LETTERS:
                    flush_volume()
            flush_volume()
            for case_id, documents in extras.items():
                reference = references.get(case_id)
                if reference is None:
                    continue
                for document in documents:
                    safe = "".join(c for c in document.name if c.isalnum() or c in "-_.")[:80] or "document"
                    name = f"documents/{reference}-{document.kind}-{safe}"
                    archive.writestr(name, document.content)
                    rows.append({"file": name, "member_reference": reference, "letter_kind": document.kind,
                                 "letter_id": "", "sha256": hashlib.sha256(document.content).hexdigest(),
                                 "pages": document_pages.get((case_id, document.name), 0), "emailed": False})
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=MANIFEST_FIELDS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            archive.writestr("manifest.csv", text.getvalue())
            archive.writestr("manifest.json", json.dumps(
                {"job": job.pk, "organisation": job.organisation_id, "campaign": job.campaign_id, "letters": rows,
                 "print_volumes": [{"file": name, "pages": pages} for name, pages in volumes]}, indent=2))
        zipped.seek(0)
        digest = hashlib.sha256()
        for block in iter(lambda: zipped.read(1 << 20), b""):
            digest.update(block)
        zipped.seek(0)
        with transaction.atomic():
            locked = BulkJob.objects.select_for_update().filter(pk=job.pk, state=BulkJobState.RUNNING).first()
            if locked is None:
                return None
            locked.zip_file.save(f"bulk-{job.pk}.zip", File(zipped), save=False)
            locked.zip_sha256 = digest.hexdigest()
            if volumes:
                merged.seek(0)
                locked.merged_pdf.save(f"bulk-{job.pk}-print.pdf", File(merged), save=False)
            locked.state = BulkJobState.FINISHED
            locked.finished_at = timezone.now()
            locked.save(update_fields=["zip_file", "zip_sha256", "merged_pdf", "state", "finished_at"])
    logger.info("bulk job %s finished: %s letter(s)", job.pk, len(rows))
    return locked


# --- Cancel, resume, stalled jobs ------------------------------------------------------------------------------


def bulk_job_cancel(*, job: BulkJob) -> bool:
    """Stop a queued or running job between two letters (letters already final stay final)."""
    return bool(BulkJob.objects.filter(pk=job.pk, state__in=[BulkJobState.QUEUED, BulkJobState.RUNNING])
                .update(state=BulkJobState.CANCELLED, finished_at=timezone.now()))


def bulk_job_resume(*, job: BulkJob) -> bool:
    """Hand a cancelled, failed or stalled job to a worker again; failed items are tried once more, unless another
    job holds their letter now (then they are skipped). The items done stay done: a resumed job produces only what
    is missing. A ValidationError when another job of the same scope is running (one per campaign / organisation)."""
    from deletion_portal.advocacy.tasks import bulk_run
    from deletion_portal.core.outbox import publish_on_commit

    with transaction.atomic():
        Organisation.objects.select_for_update().filter(pk=job.organisation_id).first()
        if (_same_scope(job.organisation_id, job.campaign_id).filter(state__in=ACTIVE_JOB_STATES)
                .exclude(pk=job.pk).exists()):
            raise ValidationError(_busy_message(job.campaign_id))
        changed = BulkJob.objects.filter(pk=job.pk, state__in=[BulkJobState.CANCELLED, BulkJobState.FAILED,
                                                                 BulkJobState.RUNNING, BulkJobState.QUEUED]).update(
            state=BulkJobState.RUNNING, finished_at=None, heartbeat_at=timezone.now(), error="")
        if not changed:
            return False
        held_elsewhere = (BulkJobItem.objects.filter(letter_key=OuterRef("letter_key"), state__in=LIVE_ITEM_STATES)
                          .exclude(job_id=job.pk))
        lost = BulkJobItem.objects.filter(Exists(held_elsewhere), job=job, state=BulkItemState.FAILED).update(
            state=BulkItemState.SKIPPED, error="Another bulk job produces this letter.")
        failed = BulkJobItem.objects.filter(job=job, state=BulkItemState.FAILED).update(
            state=BulkItemState.PENDING, attempts=0, error="")
        if failed or lost:
            BulkJob.objects.filter(pk=job.pk).update(errors=F("errors") - failed - lost, skipped=F("skipped") + lost)
        publish_on_commit(bulk_run, job.pk)
    return True


def bulk_requeue_stale() -> int:
    """Beat: hand every running job whose worker made no progress for ``BULK_STALE_SECONDS`` to a worker again."""
    from deletion_portal.advocacy.tasks import bulk_run
    from deletion_portal.core.outbox import publish_on_commit

    cutoff = timezone.now() - stale_after()
    ids = list(BulkJob.objects.filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True),
                                      state__in=[BulkJobState.QUEUED, BulkJobState.RUNNING])
               .values_list("id", flat=True)[:100])
    for pk in ids:
        BulkJob.objects.filter(pk=pk).update(heartbeat_at=timezone.now())
        publish_on_commit(bulk_run, pk)
    return len(ids)


def bulk_files_purge(*, now=None) -> int:
    """Delete the ZIP and merged PDF of jobs finished more than ``BULK_FILES_DAYS`` ago (they copy members'
    letters; each letter stays on its member's case). The job row and its counts stay. Returns how many jobs
    lost their files."""
    from deletion_portal.core.files import delete_stored_files

    days = max(1, int(getattr(settings, "BULK_FILES_DAYS", 7)))
    cutoff = (now or timezone.now()) - timedelta(days=days)
    jobs = list(BulkJob.objects.filter(finished_at__lt=cutoff).exclude(zip_file="", merged_pdf="")[:200])
    files = []
    for job in jobs:
        files += [(field.storage, field.name) for field in (job.zip_file, job.merged_pdf) if field]
    with transaction.atomic():
        BulkJob.objects.filter(pk__in=[job.pk for job in jobs]).update(zip_file="", merged_pdf="")
        transaction.on_commit(lambda: delete_stored_files(files))
    return len(jobs)


def bulk_job_fail(*, job_id: int, reason: str) -> None:
    BulkJob.objects.filter(pk=job_id, state=BulkJobState.RUNNING).update(
        state=BulkJobState.FAILED, error=reason[:ERROR_LIMIT], finished_at=timezone.now())

