from django.conf import settings
from django.db import models

from deletion_portal.accounts.models import Role


class Quality(models.TextChoices):
    VERIFIED = "verified", "Verified by staff"
    SUBMITTED = "submitted", "Submitted by a user"
    UNVERIFIED = "unverified", "Unverified"


#: The longest legal name (a German "… GmbH & Co. KGaA" with its additions runs long): the model, every form, the
#: API, the directory import and the letters accept this many characters, and refuse more with a clear error.
LEGAL_NAME_MAX = 300


class Employer(models.Model):
    """An employer people write to. Contact details carry their public source (``sources``)."""

    legal_name = models.CharField(max_length=LEGAL_NAME_MAX)
    other_names = models.JSONField(default=list, blank=True, help_text="Brands, trading and former names.")
    # Lower-cased legal and other names, one per line, kept in step by ``save()``: what search reads.
    search_text = models.TextField(editable=False, default="")
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code of its establishment.")
    postal_address = models.TextField(blank=True)
    privacy_email = models.EmailField(blank=True)
    web_form_url = models.URLField(blank=True)
    preferred_language = models.CharField(max_length=8, blank=True)
    demands_id = models.BooleanField(null=True, blank=True, help_text="Known to demand a copy of an ID document.")
    sources = models.JSONField(
        default=dict, blank=True, help_text="For each contact detail, the public source it comes from (URL or citation)."
    )
    quality = models.CharField(max_length=12, choices=Quality.choices, default=Quality.UNVERIFIED)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["legal_name"]
        indexes = [models.Index(fields=["country", "legal_name"])]

    def __str__(self) -> str:
        return self.legal_name

    def all_names(self) -> list[str]:
        return [self.legal_name, *[name for name in self.other_names if name]]

    def save(self, *args, **kwargs):
        self.search_text = "\n".join(name.casefold() for name in self.all_names())
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and ({"legal_name", "other_names"} & set(update_fields)):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)


class TeamRole(models.TextChoices):
    ADMIN = "admin", "Admin (invites, removes, manages settings)"
    RESPONDER = "responder", "Responder (acts on cases)"
    VIEWER = "viewer", "Viewer (reads)"


class VerifiedHow(models.TextChoices):
    MAILBOX = "mailbox", "Mailbox proof (a code sent to the listed privacy address)"
    STAFF = "staff", "Staff approval"
    INVITATION = "invitation", "Invited by a verified admin"


class EmployerTeam(models.Model):
    """The data protection office of one employer in the directory (or of several employers of a group)."""

    name = models.CharField(max_length=LEGAL_NAME_MAX + 20)  # "<legal name> privacy team"
    employers = models.ManyToManyField(Employer, related_name="teams", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    """A user who speaks for an employer team. Only a verified membership grants access to cases."""

    team = models.ForeignKey(EmployerTeam, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships")
    role = models.CharField(max_length=12, choices=TeamRole.choices, default=TeamRole.VIEWER)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_how = models.CharField(max_length=12, choices=VerifiedHow.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="unique_team_member")]
        indexes = [models.Index(fields=["user", "verified_at"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"

    def save(self, *args, **kwargs):
        """A verified member speaks for an employer: the account becomes a DPO account, so the second factor
        (``accounts.twofactor``) applies to it whichever way it was verified (mailbox proof, invitation, staff
        in the admin)."""
        super().save(*args, **kwargs)
        if self.verified_at is not None and self.user.role == Role.EMPLOYEE:
            self.user.role = Role.DPO
            self.user.save(update_fields=["role"])


class TeamInvitation(models.Model):
    """An admin's invitation of a further member by email. It expires; accepting it makes a verified member
    (``VerifiedHow.INVITATION``). Only a hash of the token is stored (the link carries the token)."""

    team = models.ForeignKey(EmployerTeam, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=12, choices=TeamRole.choices, default=TeamRole.RESPONDER)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["team", "email"])]


class MailboxProof(models.Model):
    """A code sent to the privacy address the directory lists for ``employer``: entering it proves control of
    the channel the employer published, and verifies ``user`` as the first member (admin) of a team for it.
    Only a hash of the code is stored; attempts are counted and the code expires."""

    employer = models.ForeignKey(Employer, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_to = models.EmailField()
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "employer"])]


class TeamAuditAction(models.TextChoices):
    CREATED = "created", "Team created"
    VERIFIED = "verified", "Member verified"
    INVITED = "invited", "Member invited"
    INVITATION_REVOKED = "invitation_revoked", "Invitation revoked"
    JOINED = "joined", "Member joined"
    ROLE_CHANGED = "role_changed", "Role changed"
    REMOVED = "removed", "Member removed"
    SETTINGS_CHANGED = "settings_changed", "Settings changed"


class TeamAuditEntry(models.Model):
    """Every change of a team's membership or settings: who did what to whom, when. Never edited."""

    team = models.ForeignKey(EmployerTeam, on_delete=models.CASCADE, related_name="audit")
    action = models.CharField(max_length=24, choices=TeamAuditAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subject_email = models.EmailField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
