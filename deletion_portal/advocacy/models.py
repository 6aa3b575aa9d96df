"""Organisations (unions, works councils, worker-data NGOs) and the cases their members share with them.

Minimal on purpose: campaigns, consent wording versions and mandates' signed authorisations come with
the advocacy issue; what is here is what the case access policy needs (who belongs to which
organisation, and which case a member shares with it, revocably).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from deletion_portal.cases.models import Case


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code.")
    website = models.URLField(blank=True)
    verified_at = models.DateTimeField(null=True, blank=True, help_text="When staff verified the organisation.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationRole(models.TextChoices):
    ADMIN = "admin", "Admin"
    ORGANISER = "organiser", "Organiser"
    VIEWER = "viewer", "Viewer"


class OrganisationMembership(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_memberships")
    role = models.CharField(max_length=12, choices=OrganisationRole.choices, default=OrganisationRole.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="unique_organisation_member")]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} ({self.role})"


class CaseShare(models.Model):
    """A case's owner shares it with an organisation: ``see_case`` lets its members read the case,
    ``act_for`` is the mandate to act for the owner. A revoked share grants nothing."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="shares")
    see_case = models.BooleanField(default=False)
    act_for = models.BooleanField(default=False, help_text="A mandate to act for the case's owner.")
    granted_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "revoked_at"]), models.Index(fields=["case", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.case} shared with {self.organisation}"


from deletion_portal.advocacy.stats_models import OutcomeLeaf  # noqa: E402,F401  (the statistics' precomputed counts)
