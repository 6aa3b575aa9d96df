"""Deadlines as rows, and the reminders the beat sweep claims. The database is the schedule."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from deletion_portal.cases.models import Case, CaseEvent


class DeadlineKind(models.TextChoices):
    ACKNOWLEDGE_BY = "acknowledge_by", "Employer must confirm receipt"
    RESPOND_BY = "respond_by", "Employer must answer"
    EXTENDED_RESPOND_BY = "extended_respond_by", "Employer must answer (extended)"
    SUGGESTED_FOLLOW_UP = "suggested_follow_up", "Suggested follow-up (no legal deadline)"
    FOLLOW_UP_ANSWER_BY = "follow_up_answer_by", "Employer must answer the follow-up"
    COMPLAINT_WINDOW = "complaint_window", "Complain to the supervisory authority"


class Deadline(models.Model):
    """One computed date of a case. Recomputing supersedes the active rows with a new version."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=24, choices=DeadlineKind.choices)
    due_on = models.DateField()
    version = models.PositiveIntegerField()
    trail = models.JSONField(default=list, blank=True)  # the deadline module's steps, as strings
    citations = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "kind"]
        indexes = [
            models.Index(fields=["case", "active"]),
            models.Index(fields=["kind", "due_on"], condition=Q(active=True), name="deadline_active_due"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.due_on} v{self.version}"


class ReminderKind(models.TextChoices):
    CONFIRM_DELIVERY = "confirm_delivery", "Please confirm delivery"
    DUE_IN_7 = "due_in_7", "Due in 7 days"
    DUE_TOMORROW = "due_tomorrow", "Due tomorrow"
    PASSED = "passed", "Deadline passed"
    RETENTION_WARNING = "retention_warning", "Case will be deleted in 14 days"


class ReminderState(models.TextChoices):
    PENDING = "pending", "Pending"
    CLAIMED = "claimed", "Claimed by a sweep"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled (deadline superseded)"


class Reminder(models.Model):
    """Something the sweep must do on ``notify_on``. ``key`` = case, kind and deadline version, so two
    sweeps or two beats can never produce two messages for it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reminders")
    deadline = models.ForeignKey(Deadline, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    notify_on = models.DateField()
    state = models.CharField(max_length=10, choices=ReminderState.choices, default=ReminderState.PENDING)
    key = models.CharField(max_length=120, unique=True)
    claim = models.CharField(max_length=32, blank=True, default="")
    claimed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "notify_on"], name="reminder_state_due")]

    def __str__(self) -> str:
        return self.key


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A private, revocable calendar URL for one user's case dates."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class ChecklistItem(models.Model):
    """One thing the request asked for, ticked when the employer's response covers it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="checklist")
    response = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="checklist")
    code = models.CharField(max_length=60)  # e.g. "art15_1_a", "copy", "category:keystrokes", "erasure:models"
    label = models.CharField(max_length=300)
    answered = models.BooleanField(default=False)
    # Who decided ``answered``: "answer" — filled from the employer's structured answer (dpo.answers, the
    # event's ``details["answered"]``); "employee" — the employee ticked or unticked it against that answer
    # (an override, recorded with its time); "" — a manual checklist.
    set_by = models.CharField(max_length=10, blank=True)
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["response", "code"], name="checklist_item_once")]


class AuditLine(models.Model):
    """What the system did, without personal data (e.g. "purged 3 closed cases")."""

    action = models.CharField(max_length=60)
    count = models.PositiveIntegerField(default=0)
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)
