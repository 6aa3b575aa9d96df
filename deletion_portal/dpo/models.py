"""The employer side's own rows: claims of cases by a team, assignment, team-internal notes, and the
access log the employee sees ("viewed by the employer's DPO team on …")."""

from django.conf import settings
from django.db import models

from deletion_portal.cases.models import Case
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
