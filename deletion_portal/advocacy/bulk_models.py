"""Bulk letters: one job per organiser's action, one item per letter (imported by ``advocacy.models``).

A job produces every pending letter of the cases whose owners mandated the organisation
(``CaseShare.act_for``, not revoked). Each item is an idempotent unit: a worker claims it with a
compare-and-swap update (``pending → running``), finalises the letter through ``cases.services`` and marks
the item ``done`` in the same transaction, so a killed worker leaves the item ``running`` with an old
``claimed_at`` (claimed again after ``BULK_STALE_SECONDS``) and never a second letter: ``letter_finalize``
returns the final letter when there is one.

Jobs of one organisation may run at once (one per campaign and one organisation-wide), so two jobs can cover the
same member. ``BulkJobItem.letter_key`` names the letter an item produces (case, kind, draft) and is unique among
the items that are pending, running or done, in every job: a letter is listed, claimed and produced by ONE job,
and the other jobs leave it out (planning inserts with ``ignore_conflicts``; resuming skips a failed item whose
letter another job now holds).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from deletion_portal.cases.models import Case, Letter, LetterKind


class BulkJobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    CANCELLED = "cancelled", "Cancelled"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"


class BulkItemState(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"  # the mandate was revoked, or the letter is no longer due


class BulkJob(models.Model):
    organisation = models.ForeignKey("advocacy.Organisation", on_delete=models.CASCADE, related_name="bulk_jobs")
    campaign = models.ForeignKey("advocacy.Campaign", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="bulk_jobs",
                                 help_text="Only this campaign's members with a live mandate (empty: the organisation's).")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    state = models.CharField(max_length=12, choices=BulkJobState.choices, default=BulkJobState.QUEUED)
    case_ids = models.JSONField(default=list, blank=True,
                                help_text="The cases the job was limited to (empty: every mandated case).")
    send_emails = models.BooleanField(default=False, help_text="Queue the emailable letters through the outbox.")
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    emailed = models.PositiveIntegerField(default=0)
    zip_file = models.FileField(upload_to="bulk/%Y/%m/", blank=True)
    zip_sha256 = models.CharField(max_length=64, blank=True)
    merged_pdf = models.FileField(upload_to="bulk/%Y/%m/", blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    planned_at = models.DateTimeField(null=True, blank=True, help_text="When a worker listed the job's letters.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="The last time a worker made progress.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"]), models.Index(fields=["state"])]

    def __str__(self) -> str:
        return f"bulk job {self.pk} of {self.organisation_id} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in (BulkJobState.QUEUED, BulkJobState.RUNNING)

    @property
    def percent(self) -> int:
        settled = self.done + self.errors + self.skipped
        return 100 if not self.total else min(100, round(100 * settled / self.total))


class BulkJobItem(models.Model):
    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=LetterKind.choices)
    draft = models.ForeignKey(Letter, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              help_text="The draft to finalise (follow-ups, complaints); empty for the request.")
    letter = models.ForeignKey(Letter, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               help_text="The final letter this item produced.")
    state = models.CharField(max_length=10, choices=BulkItemState.choices, default=BulkItemState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(default=False)
    error = models.CharField(max_length=300, blank=True)
    letter_key = models.CharField(max_length=80, null=True, blank=True,
                                  help_text="The letter this item produces (case:kind:draft); one live item per letter "
                                            "across all jobs.")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["job", "case", "kind"], name="unique_bulk_item"),
            models.UniqueConstraint(fields=["letter_key"], name="unique_live_bulk_letter",
                                    condition=models.Q(state__in=["pending", "running", "done"])),
        ]
        indexes = [models.Index(fields=["job", "state"])]

    def __str__(self) -> str:
        return f"{self.kind} of case {self.case_id} in job {self.job_id} ({self.state})"
