from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models


class Role(models.TextChoices):
    EMPLOYEE = "employee", "Employee"
    DPO = "dpo", "Employer's data protection officer"
    ADVOCATE = "advocate", "Advocate"
    STAFF = "staff", "Portal staff"


class AccountManager(UserManager):
    """Email is the login; there is no separate username."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        extra_fields.setdefault("role", Role.STAFF)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.EMPLOYEE)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Raised by "Log out everywhere": every session signed with an older value stops working.
    session_epoch = models.PositiveIntegerField(default=0)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = AccountManager()

    def __str__(self) -> str:
        return self.email

    def _get_session_auth_hash(self, secret=None):
        """Django's session hash (an HMAC of the password), over the session epoch too once "Log out
        everywhere" was used (unchanged before that, so the upgrade logs no one out)."""
        if not self.session_epoch:
            return super()._get_session_auth_hash(secret=secret)
        from django.utils.crypto import salted_hmac

        return salted_hmac("deletion_portal.accounts.session", f"{self.password}:{self.session_epoch}",
                           secret=secret, algorithm="sha256").hexdigest()

class ApiToken(models.Model):
    """A named API token (``Authorization: Token <key>``). Only the SHA-256 of the key is stored: the key
    is shown once, when it is made (``accounts.api_tokens``). It stops working when it expires
    (``API_TOKEN_DAYS``), when it is revoked, and whenever the password changes or is reset, or the owner
    logs out everywhere."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="The key's first characters, to recognise it.")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
