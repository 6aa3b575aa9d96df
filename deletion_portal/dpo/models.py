"""The employer side's own rows: claims of cases by a team, assignment, team-internal notes, and the
access log the employee sees ("viewed by the employer's DPO team on …")."""

from django.conf import settings
from django.db import models

from deletion_portal.cases.models import Attachment, Case, CaseEvent, Letter
from deletion_portal.employers.models import EmployerTeam


class CaseClaim(models.Model):
    """A verified team's claim of a case through the case access code on the letter (the employer had no
    team when the request arrived, or the team covers the employer under another directory entry)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="claims")
    team = models.ForeignKey(EmployerTeam, on_delete=models.CASCADE, related_name="claims")
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    claimed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "team"], name="unique_case_claim")]


class CaseAssignment(models.Model):
    """Which member of a team handles a case (team-internal)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    team = models.ForeignKey(EmployerTeam, on_delete=models.CASCADE, related_name="assignments")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "team"], name="unique_case_assignment")]
        indexes = [models.Index(fields=["team", "assignee"])]


class TeamNote(models.Model):
    """A note visible to the team only (never to the employee, never in the employee's export)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team_notes")
    team = models.ForeignKey(EmployerTeam, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class CaseAccessLog(models.Model):
    """A team member opened a case (or downloaded a letter, exported a list that named it): who, when, what.
    Shown to the employee. Written by POST-free views too: an audit row is the one write a GET may make,
    on purpose (people trust what they can audit)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="access_log")
    team = models.ForeignKey(EmployerTeam, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    what = models.CharField(max_length=40)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]


# --- Webhooks: for teams that run their own DSAR tool (dpo/webhooks.py) -------------------------------------


def new_webhook_secret() -> str:
    """32 random bytes, hex: the HMAC-SHA256 key of a webhook (``whsec_`` + 64 hex characters)."""
    import secrets

    return "whsec_" + secrets.token_hex(32)


class Webhook(models.Model):
    """An endpoint of the team's own tool that the portal POSTs every event of the team's cases to, signed
    with ``secret`` (shown to the admin once, when created or rolled)."""

    team = models.ForeignKey(EmployerTeam, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=80, default=new_webhook_secret, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    secret_rolled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.team}: {self.url}"


class WebhookDeliveryState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    DELIVERED = "delivered", "Delivered"
    RETRYING = "retrying", "Retrying"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one webhook: the row is the source of truth, a task sends it (compare-and-swap claim,
    retries with back-off, like the outbox). ``last_error`` is short and never holds the payload."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    # The case it is about: deleting the case (account deletion, the retention purge) deletes its payloads.
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=40)
    payload = models.JSONField(default=dict)
    state = models.CharField(max_length=12, choices=WebhookDeliveryState.choices, default=WebhookDeliveryState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["webhook", "event_id"], name="unique_webhook_event")]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]


# --- The structured answer (dpo.answers) -----------------------------------------------------------------


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"


class EmployerResponse(models.Model):
    """One answer of an employer team to a case: a draft the team edits, or a sent answer with its letter
    (``Letter`` of kind ``response``) and its ``response_received`` event. A partial answer can be followed
    by further ones; each is its own row and letter. ``answer`` is the document ``dpo.answers.answer_clean``
    validated (per right, training contributions, ML artefacts, erasure, objection, refusal, file ids);
    ``missing`` the gaps the completeness check found ([{code, label}]), frozen when sent."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="employer_responses")
    team = models.ForeignKey(EmployerTeam, on_delete=models.CASCADE, related_name="responses")
    status = models.CharField(max_length=8, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT)
    answer = models.JSONField(default=dict, blank=True)
    missing = models.JSONField(default=list, blank=True)
    letter = models.OneToOneField(Letter, null=True, blank=True, on_delete=models.SET_NULL, related_name="employer_response")
    event = models.OneToOneField(CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="employer_response")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "team"], condition=models.Q(status="draft"),
                                               name="one_draft_response_per_team")]


class ResponseFile(models.Model):
    """A file the employer's team uploaded for its answer (the copy under Art. 15(3) …): an ``Attachment`` of
    the case (type decided by content; a ZIP checked without extracting), and its sanitised ZIP listing."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="response_files")
    team = models.ForeignKey(EmployerTeam, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(EmployerResponse, null=True, blank=True, on_delete=models.SET_NULL, related_name="files")
    attachment = models.OneToOneField(Attachment, on_delete=models.CASCADE, related_name="response_file")
    kind = models.CharField(max_length=8)  # pdf, png, jpg, eml, csv, json, zip
    zip_entries = models.JSONField(default=list, blank=True)  # [{"name": sanitised, "size": uncompressed bytes}]
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
