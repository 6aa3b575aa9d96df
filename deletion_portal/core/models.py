from django.db import models


class Heartbeat(models.Model):
    """When a background process last proved it was alive (beat schedules, a worker runs it)."""

    name = models.CharField(max_length=40, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
