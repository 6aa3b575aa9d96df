from django.db import models


class Heartbeat(models.Model):
    """When a background process last proved it was alive (beat schedules, a worker runs it)."""

    name = models.CharField(max_length=40, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class OutboxState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    RETRYING = "retrying", "Retrying"
    FAILED = "failed", "Failed"


class OutboxMessage(models.Model):
    """A message to send. The row exists before any task runs; its unique ``key`` means the same
    message is never queued twice, and a compare-and-swap claim means it is never sent twice."""

    key = models.CharField(max_length=200, unique=True)
    topic = models.CharField(max_length=60, db_index=True, help_text='What it belongs to, e.g. "case:42".')
    to = models.JSONField(default=list)
    cc = models.JSONField(default=list, blank=True)
    reply_to = models.JSONField(default=list, blank=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    html_body = models.TextField(blank=True)
    # [{"filename": ..., "content_type": ..., "storage_name": ...}] read from default storage at send time
    attachments = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=10, choices=OutboxState.choices, default=OutboxState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"
