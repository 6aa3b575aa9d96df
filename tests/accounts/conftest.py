import pytest

from deletion_portal.accounts.models import Role
from deletion_portal.accounts.services import account_create

PASSWORD = "correct horse battery staple 42"


@pytest.fixture(autouse=True)
def _locmem_mail(settings, outbox_at_once):
    """Mail in memory, and account emails (outbox rows) delivered at once: these tests read their content."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://portal.example"


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def make_account(db):
    def make(email, *, role=Role.EMPLOYEE, confirmed=True, display_name="", password=PASSWORD, **kwargs):
        return account_create(
            email=email, password=password, role=role, display_name=display_name, confirmed=confirmed, **kwargs
        )

    return make


@pytest.fixture
def employee(make_account):
    return make_account("owner@example.org", display_name="Olive Owner")


@pytest.fixture
def colleague(make_account):
    return make_account("colleague@example.org", display_name="Colin Colleague")


@pytest.fixture
def staff(make_account):
    return make_account("staff@example.org", role=Role.STAFF)
