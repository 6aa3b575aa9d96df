"""The shared base (a pytest plugin, registered by tests/conftest.py): one user per role, the employers,
their DPO teams, an organisation, and cases at each stage, so every view has its access-denied tests.

Users (all confirmed, password ``PASSWORD``):

* ``owner``      the employee whose cases these are (olive@mail.example);
* ``colleague``  another employee of the same employer, with no part in the owner's cases;
* ``outsider``   an unrelated employee of another company;
* ``dpo``        a verified *responder* of ``team``, the DPO team that covers ``employer``;
* ``other_dpo``  a verified responder of ``other_team``, which covers ``other_employer`` only;
* ``advocate``   an *organiser* of ``organisation``; it sees a case only once ``share_case(case, …)``
  shares it.

Cases (the owner's, addressed to ``employer``): ``draft_case`` (complete, at the preview, step 7),
``final_case`` (its request letter final on 2025-05-02, not sent), ``sent_case`` (that letter emailed
on 2025-05-02). Helpers: ``team_member(user, team, role=…, verified=…)``, ``share_case(case, …)``.
"""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.support.data import DRAFT_FIELDS, FINALISED_AT, PASSWORD, PDF_BYTES, SENT_ON


def make_account(email: str, role: str, name: str = ""):
    from deletion_portal.accounts.services import account_create

    return account_create(email=email, password=PASSWORD, role=role, display_name=name, confirmed=True)


#: The authenticator secret (hex, django-otp's format) that ``second_factor`` gives DPO and advocate accounts.
TEST_TOTP_KEY = "3132333435363738393031323334353637383930"


def second_factor(user):
    """The confirmed TOTP device of ``user`` (made with ``TEST_TOTP_KEY`` when it has none)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test authenticator", key=TEST_TOTP_KEY, confirmed=True)


def totp_now(key: str = TEST_TOTP_KEY) -> str:
    """The code an authenticator app with ``key`` (hex) shows now."""
    from binascii import unhexlify

    from django_otp.oath import totp

    return f"{totp(unhexlify(key)):06d}"


def login(client, user):
    """Sign ``user`` in on ``client`` (a Django test client or DRF's APIClient) the way every test should,
    so that what a role needs to be let in lives here once: DPO and advocate accounts get a confirmed TOTP
    device (``second_factor``) and the session is marked verified with it, exactly as django-otp's
    ``django_otp.login(request, device)`` does after a code was entered. Returns the client."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from deletion_portal.accounts.twofactor import otp_required_for

    client.force_login(user)
    if otp_required_for(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = second_factor(user).persistent_id
        session.save()
    return client


# --- Employers and their teams ---------------------------------------------------------------------


@pytest.fixture
def employer(db):
    from deletion_portal.employers.models import Employer, Quality

    return Employer.objects.create(
        legal_name="Acme Analytics GmbH", country="DE", privacy_email="privacy@acme.example",
        postal_address="Hauptstraße 1\n80331 München", quality=Quality.VERIFIED,
    )


@pytest.fixture
def other_employer(db):
    from deletion_portal.employers.models import Employer, Quality

    return Employer.objects.create(legal_name="Rival Robotics Ltd", country="GB", privacy_email="privacy@rival.example",
                                   postal_address="1 High Street\nLondon EC1A 1AA", quality=Quality.VERIFIED)


@pytest.fixture
def employer_without_email(db):
    from deletion_portal.employers.models import Employer

    return Employer.objects.create(legal_name="Quiet Works AG", country="DE", postal_address="Weg 2\n80331 München")


@pytest.fixture
def team_member(db):
    """``team_member(user, team, role="responder", verified=True)`` → the TeamMembership."""
    from deletion_portal.employers.models import TeamMembership, TeamRole, VerifiedHow

    def make(user, team, *, role=TeamRole.RESPONDER, verified: bool = True):
        return TeamMembership.objects.create(
            team=team, user=user, role=role, verified_at=timezone.now() if verified else None,
            verified_how=VerifiedHow.MAILBOX if verified else "",
        )

    return make


@pytest.fixture
def team(employer):
    from deletion_portal.employers.models import EmployerTeam

    team = EmployerTeam.objects.create(name="Acme privacy office")
    team.employers.add(employer)
    return team


@pytest.fixture
def other_team(other_employer):
    from deletion_portal.employers.models import EmployerTeam

    team = EmployerTeam.objects.create(name="Rival data protection")
    team.employers.add(other_employer)
    return team


# --- Organisations --------------------------------------------------------------------------------


@pytest.fixture
def organisation(db):
    from deletion_portal.advocacy.models import Organisation

    return Organisation.objects.create(name="Worker Data Collective", country="DE", website="https://wdc.example",
                                       verified_at=timezone.now())


@pytest.fixture
def share_case(organisation):
    """``share_case(case, see_case=True, act_for=False, organisation=…, revoked=False)`` → the CaseShare."""
    from deletion_portal.advocacy.models import CaseShare

    def share(case, *, see_case: bool = True, act_for: bool = False, to=None, revoked: bool = False):
        return CaseShare.objects.create(case=case, organisation=to or organisation, see_case=see_case, act_for=act_for,
                                        revoked_at=timezone.now() if revoked else None)

    return share


# --- Users per role --------------------------------------------------------------------------------


@pytest.fixture
def owner(db):
    from deletion_portal.accounts.models import Role

    return make_account("olive@mail.example", Role.EMPLOYEE, "Olive Owner")


@pytest.fixture
def colleague(db):
    from deletion_portal.accounts.models import Role

    return make_account("colin@mail.example", Role.EMPLOYEE, "Colin Colleague")


@pytest.fixture
def outsider(db):
    from deletion_portal.accounts.models import Role

    return make_account("otto@elsewhere.example", Role.EMPLOYEE, "Otto Outsider")


@pytest.fixture
def dpo(team, team_member):
    from deletion_portal.accounts.models import Role

    user = make_account("dpo@acme.example", Role.DPO, "Dora DPO")
    team_member(user, team)
    return user


@pytest.fixture
def other_dpo(other_team, team_member):
    from deletion_portal.accounts.models import Role

    user = make_account("dpo@rival.example", Role.DPO, "Ravi Rival")
    team_member(user, other_team)
    return user


@pytest.fixture
def advocate(organisation):
    from deletion_portal.accounts.models import Role
    from deletion_portal.advocacy.models import OrganisationMembership, OrganisationRole

    user = make_account("ada@advocates.example", Role.ADVOCATE, "Ada Advocate")
    OrganisationMembership.objects.create(organisation=organisation, user=user, role=OrganisationRole.ORGANISER)
    return user


# --- Cases ----------------------------------------------------------------------------------------------


@pytest.fixture
def draft_case(owner, employer):
    """A complete draft: every field the letter needs, resumed at the preview."""
    from deletion_portal.cases.services import case_create

    return case_create(owner=owner, employer=employer, **DRAFT_FIELDS)


def finalise_directly(case):
    """Give ``case`` a final request letter made on FINALISED_AT (stored directly: no PDF rendering)."""
    from deletion_portal.cases.models import CaseEvent, CaseStatus, EventKind, Letter, LetterKind

    letter = Letter(case=case, kind=LetterKind.REQUEST, language="en", template_version="test",
                    html="<p>Request</p>", sha256=hashlib.sha256(PDF_BYTES).hexdigest(), is_final=True,
                    finalised_at=FINALISED_AT)
    letter.pdf.save(f"{case.reference}-{letter.short_id}.pdf", ContentFile(PDF_BYTES), save=False)
    letter.save()
    case.status = CaseStatus.FINALISED
    case.wizard_step = 8
    case.save()
    CaseEvent.objects.create(case=case, kind=EventKind.FINALISED, on=FINALISED_AT.date(), actor=case.owner,
                             details={"letter": letter.short_id, "sha256": letter.sha256})
    return case


@pytest.fixture
def final_case(draft_case):
    """The draft with a final request letter made on 2025-05-02, not sent yet."""
    return finalise_directly(draft_case)


@pytest.fixture
def sent_case(final_case):
    """The final case, its request emailed to the employer on 2025-05-02 (recorded; nothing queued)."""
    from deletion_portal.cases.models import EventKind
    from deletion_portal.cases.services import case_record_event

    case_record_event(case=final_case, kind=EventKind.SENT, on=SENT_ON, actor=final_case.owner,
                      details={"channel": "email"}, today=SENT_ON)
    final_case.refresh_from_db()
    return final_case


# --- Clients and switches -------------------------------------------------------------------------------


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def upload():
    def make(content: bytes, name: str, content_type: str = "application/octet-stream"):
        return SimpleUploadedFile(name, content, content_type=content_type)

    return make


@pytest.fixture
def eager_celery():
    """Run Celery tasks in-process (the app is configured already, so change it on the app)."""
    from deletion_portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = before


@pytest.fixture
def outbox_at_once(monkeypatch):
    """Deliver each outbox row as soon as it is written (in the test's transaction), through the real
    ``outbox_deliver`` and the configured email backend — for tests about an email's content. What runs in
    production (a worker, after the commit) is tested with real processes in tests/integration."""
    from deletion_portal.core import outbox

    def deliver(task, *args):
        if getattr(task, "name", "") == "core.deliver_outbox_message":
            outbox.outbox_deliver(message_id=args[0])

    monkeypatch.setattr(outbox, "publish_on_commit", deliver)


@pytest.fixture
def pdf_rendering():
    """Skip (with the reason) when the PDF renderer is not importable in this checkout."""
    try:
        from deletion_portal.core.pdf import render_pdf  # noqa: F401
    except ImportError as exc:  # pragma: no cover - only while core/pdf.py is being written
        pytest.skip(f"core/pdf.py is not available yet: {exc}")


@pytest.fixture
def isolated_media(settings, tmp_path):
    """Uploads and letters under tmp_path, mail in memory, a fast password hasher (accounts are fixtures
    here, not the subject). The case and tracking folders use it for every test (their conftest)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
