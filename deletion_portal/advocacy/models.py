"""Organisations (unions, works councils, worker-data NGOs), their members and invitations, their campaigns,
the cases that joined a campaign, the members' consents and mandates, and the cases shared with them.

``CaseShare`` stays the ONE row the case access policy reads (``advocacy/access.py``); the consent and
mandate services keep it in step with the member's choices (``advocacy/consents.py``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from deletion_portal.cases.models import Case
from deletion_portal.employers.models import Employer


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code.")
    website = models.URLField(blank=True)
    contact_email = models.EmailField(blank=True, help_text="Where employers reply to letters sent under a mandate.")
    contact_address = models.TextField(blank=True, help_text="Postal contact, one line per line.")
    not_for_profit = models.BooleanField(
        default=False,
        help_text="A not-for-profit body active in the protection of personal data (GDPR Art. 80(1)).",
    )
    verified_at = models.DateTimeField(null=True, blank=True, help_text="When staff verified the organisation.")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    verification_note = models.TextField(blank=True, help_text="The evidence staff checked.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


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


class OrganisationInvitation(models.Model):
    """An organisation's admin invites an address (only the token's hash is stored; 7 days; revocable)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=12, choices=OrganisationRole.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.email} invited to {self.organisation}"


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


# --- Campaigns ---------------------------------------------------------------------------------------------


class CampaignState(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


#: The case fields a campaign may lock (the wizard refuses other values; ``cases.hooks.FieldLock``).
LOCKABLE_FIELDS = ("employer", "law_key", "region", "rights", "categories", "language")


class Campaign(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="campaigns")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    employers = models.ManyToManyField(Employer, related_name="campaigns")
    law_keys = models.JSONField(default=list, blank=True)
    region = models.CharField(max_length=10, blank=True, help_text="Holiday region (ISO 3166-2), pre-filled.")
    bundle = models.CharField(max_length=20, blank=True)
    rights = models.JSONField(default=list, blank=True)
    categories = models.JSONField(default=list, blank=True)
    extra_questions = models.TextField(blank=True, help_text="Plain text added to every member's letter.")
    language = models.CharField(max_length=5, blank=True)
    locked = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=8, choices=CampaignState.choices, default=CampaignState.DRAFT)
    publish_statistics = models.BooleanField(
        default=False, help_text="Count the consenting members' cases in the public employer scoreboard and ranking.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class CampaignMember(models.Model):
    """A case that joined a campaign. Leaving keeps the case (``left_at``); the row is the case's own."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="campaign_memberships")
    mention_in_letter = models.BooleanField(default=False)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "case"], name="unique_campaign_case")]
        indexes = [models.Index(fields=["campaign", "left_at"])]

    def __str__(self) -> str:
        return f"{self.case} in {self.campaign}"


class ConsentKind(models.TextChoices):
    STATISTICS = "statistics", "Count my case in the campaign's statistics"
    SEE_CASE = "see_case", "Let the group see my case"
    MANDATE = "mandate", "Mandate the group to act for me"


class Consent(models.Model):
    """One choice, as made: append-only. The member's current choice of a kind is the latest row."""

    member = models.ForeignKey(CampaignMember, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(max_length=12, choices=ConsentKind.choices)
    given = models.BooleanField()
    wording_version = models.CharField(max_length=20)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["member", "kind", "at"])]


def mandate_upload_to(instance, filename: str) -> str:
    return f"mandates/{filename}"


class Mandate(models.Model):
    """The member's signed authorisation for the organisation to act for them (revocable)."""

    member = models.ForeignKey(CampaignMember, on_delete=models.CASCADE, related_name="mandates")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="mandates")
    signer_name = models.CharField(max_length=200)
    signature = models.CharField(max_length=200, help_text="The name the member typed as their signature.")
    scope = models.JSONField(default=list)
    wording_version = models.CharField(max_length=20)
    text = models.TextField(help_text="The text the member agreed to.")
    text_sha256 = models.CharField(max_length=64)
    pdf = models.FileField(upload_to=mandate_upload_to, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    signed_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]
# Bulk letters live in their own module (advocacy/bulk_models.py); importing them here registers them.
from deletion_portal.advocacy.bulk_models import BulkItemState, BulkJob, BulkJobItem, BulkJobState  # noqa: E402,F401
from deletion_portal.advocacy.stats_models import (  # noqa: E402,F401  (the statistics' precomputed counts)
    OutcomeDirty,
    OutcomeLeaf,
    PrivateOutcomeLeaf,
    StatisticsAttribution,
    StatisticsState,
)
