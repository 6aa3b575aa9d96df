from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from deletion_portal.employers.models import Employer, EmployerTeam

# Case references: no I, L, O, U, 0 or 1, so they can be read aloud and typed from paper.
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


def new_reference() -> str:
    chunk = lambda: "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(4))  # noqa: E731
    return f"DP-{chunk()}-{chunk()}"


def new_access_secret() -> str:
    """The secret half of a case access code: 16 characters of a 30-letter alphabet, about 78 bits."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(16))


def new_short_id() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


class CaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINALISED = "finalised", "Letter ready to send"
    SENT = "sent", "Sent, waiting for the answer"
    ANSWERED = "answered", "Answer received"
    CLOSED = "closed", "Closed"


class Outcome(models.TextChoices):
    """How the case ended, or what the employer has done so far: the closing outcomes (``cases.services
    .OUTCOMES``) and, before closing, ``answered`` / ``refused``."""

    ANSWERED = "answered", "Answered"
    FULFILLED = "fulfilled", "Fulfilled"
    PARTLY_FULFILLED = "partly_fulfilled", "Partly fulfilled"
    REFUSED = "refused", "Refused"
    WITHDRAWN = "withdrawn", "Withdrawn"
    NO_RESPONSE = "no_response", "No response"
    OTHER = "other", "Other"


class Case(models.Model):
    """One employee's request(s) to one employer, with its letters and timeline."""

    # The employee. Empty only for a request an employer's team recorded that reached it elsewhere
    # (``recorded_by_team``): such a case has no employee account and is the team's alone.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cases", null=True,
                              blank=True)
    recorded_by_team = models.ForeignKey(EmployerTeam, on_delete=models.CASCADE, related_name="recorded_cases",
                                         null=True, blank=True)
    employer = models.ForeignKey(Employer, on_delete=models.PROTECT, related_name="cases", null=True, blank=True)
    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    # The case access code printed on the request letter and email is ``reference`` + this secret: whoever
    # holds the letter may claim the case for a verified employer team. Never logged, never in a URL.
    access_secret = models.CharField(max_length=32, default=new_access_secret, editable=False)
    # The employee's choice in the wizard (default yes; withdrawable on the case page): whether the
    # employer's team may see and answer the case in the portal. Withdrawing ends the team's access at once.
    employer_may_answer = models.BooleanField(default=True)
    status = models.CharField(max_length=12, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    wizard_step = models.PositiveSmallIntegerField(default=1)

    # Where the person worked and lives, and which law and holiday region the case runs under.
    work_country = models.CharField(max_length=2, blank=True)
    work_region = models.CharField(max_length=12, blank=True)
    residence_country = models.CharField(max_length=2, blank=True)
    residence_region = models.CharField(max_length=12, blank=True)
    employer_country = models.CharField(max_length=2, blank=True)
    law_key = models.CharField(max_length=40, blank=True)
    region = models.CharField(max_length=12, blank=True, help_text="Holiday region for the deadlines, e.g. DE-BY.")
    language = models.CharField(max_length=8, blank=True)

    # What is asked for.
    bundle = models.CharField(max_length=20, blank=True)
    rights = models.JSONField(default=list, blank=True)
    categories = models.JSONField(default=list, blank=True)
    other_data = models.TextField(blank=True, max_length=2000)

    # The requester's details, as the letter shows them.
    requester_name = models.CharField(max_length=200, blank=True)
    requester_address = models.TextField(blank=True, max_length=500)
    requester_email = models.EmailField(blank=True)
    employee_id = models.CharField(max_length=100, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    employment_start = models.DateField(null=True, blank=True)
    employment_end = models.DateField(null=True, blank=True)
    identity_note = models.TextField(blank=True, max_length=1000)

    sent_outside_portal = models.BooleanField(default=False)

    # The deadline module's answer for the case's current events (recomputed by services).
    received_on = models.DateField(null=True, blank=True)
    received_confirmed = models.BooleanField(default=False)
    respond_by = models.DateField(null=True, blank=True)
    acknowledge_by = models.DateField(null=True, blank=True,
                                      help_text="The date the law's acknowledgement period ends; null when it has none.")
    next_date = models.DateField(null=True, blank=True)
    next_date_label = models.CharField(max_length=120, blank=True)

    # The outcome as queryable columns (statistics), derived from the timeline by ``case_recompute``.
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    answered_on = models.DateField(null=True, blank=True, help_text="First response or refusal.")
    on_time = models.BooleanField(null=True, blank=True, help_text="Answered on or before respond_by; null when unknown.")
    acknowledged_on = models.DateField(null=True, blank=True)
    extended = models.BooleanField(default=False, help_text="The employer notified an extension.")
    extension_valid = models.BooleanField(null=True, blank=True, help_text=(
        "When an extension was notified: whether the deadline module finds it valid under the case's law (in time, "
        "and the law provides one); null when none was notified."))
    refused = models.BooleanField(default=False, help_text="A refusal (in whole or part) was recorded.")

    # Retention: a closed case is deleted CASE_RETENTION_DAYS after closing unless the owner keeps it.
    closed_at = models.DateTimeField(null=True, blank=True)
    keep = models.BooleanField(default=False, help_text="The owner chose to keep this case after it closes.")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["owner", "next_date"]),
            models.Index(fields=["status", "next_date"]),
            # What outcome statistics filter on: per employer, per law, answered in a period.
            models.Index(fields=["employer", "outcome"]),
            models.Index(fields=["employer", "answered_on"]),
            models.Index(fields=["law_key", "outcome"]),
            # Outcome statistics recompute one (employer, law, month received) leaf (advocacy.stats_store).
            models.Index(fields=["employer", "law_key", "received_on"], name="case_employer_law_received"),
        ]

    def __str__(self) -> str:
        return self.reference


class LetterKind(models.TextChoices):
    REQUEST = "request", "Request"
    FOLLOW_UP = "follow_up", "Follow-up"
    COMPLAINT = "complaint", "Complaint"
    RESPONSE = "response", "Employer's response"  # issued by the employer's team (dpo.answers)


class Letter(models.Model):
    """A generated document. A draft is re-rendered freely; a final letter never changes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(max_length=12, choices=LetterKind.choices, default=LetterKind.REQUEST)
    language = models.CharField(max_length=8)
    short_id = models.CharField(max_length=8, unique=True, default=new_short_id, editable=False)
    template_version = models.CharField(max_length=20)
    html = models.TextField()
    pdf = models.FileField(upload_to="letters/%Y/%m/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    is_final = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            # The request letter has one draft per case (``letter_store_draft`` looks for it under the case's
            # lock). Follow-ups and complaints may have several (one per missed date, one per authority).
            models.UniqueConstraint(fields=["case"], condition=models.Q(kind="request", is_final=False),
                                    name="cases_letter_one_request_draft"),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.kind} {self.short_id}"


class Attachment(models.Model):
    """An uploaded file (an employer's response, the original of a request sent elsewhere)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Whether the employer's team may see this file (the employee chooses; the employer's own uploads are).
    shared_with_employer = models.BooleanField(default=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)


class EventKind(models.TextChoices):
    DRAFTED = "drafted", "Drafted"
    FINALISED = "finalised", "Letter finalised"
    SENT = "sent", "Sent"
    RECEIVED = "received", "Received by the employer"
    ACKNOWLEDGED = "acknowledged", "Receipt acknowledged"
    EXTENSION_NOTIFIED = "extension_notified", "Extension notified"
    CLARIFICATION_REQUESTED = "clarification_requested", "Clarification asked for"
    CLARIFICATION_GIVEN = "clarification_given", "Clarification given"
    IDENTITY_REQUESTED = "identity_requested", "Identity information asked for"
    IDENTITY_GIVEN = "identity_given", "Identity information given"
    RESPONSE_RECEIVED = "response_received", "Response received"
    REFUSED = "refused", "Refused"
    CLOSED = "closed", "Closed"
    # The employer side's reach (not the legal clock): a team claimed the case with the case access code;
    # the employee withdrew or gave again the employer's permission to answer online.
    CLAIMED = "claimed", "Claimed by the employer's team"
    EMPLOYER_ACCESS_WITHDRAWN = "employer_access_withdrawn", "Online answers by the employer withdrawn"
    EMPLOYER_ACCESS_GIVEN = "employer_access_given", "Employer may answer online"


class EventSource(models.TextChoices):
    PORTAL = "portal", "Portal"
    API = "api", "API"
    SYSTEM = "system", "System"
    EMPLOYER = "employer", "The employer's team"
    ORGANISATION = "organisation", "An organisation acting for the employee"


class CaseEvent(models.Model):
    """The case's timeline: every state change writes one, in the same transaction."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    on = models.DateField(help_text="The day it happened (may be in the past).")
    details = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=16, choices=EventSource.choices, default=EventSource.PORTAL)
    attachment = models.ForeignKey(Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    # The employer team that acted (source ``employer``), shown to the employee with the member's role.
    team = models.ForeignKey(EmployerTeam, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "recorded_at", "id"]
        indexes = [models.Index(fields=["case", "kind"])]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.kind} {self.on}"
