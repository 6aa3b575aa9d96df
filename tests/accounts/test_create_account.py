import io
import sys

import pytest
from django.core.management import CommandError, call_command

from deletion_portal.accounts.models import Role, User

pytestmark = pytest.mark.django_db

GOOD = "an operator chosen passphrase"


@pytest.fixture
def no_tty(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))


@pytest.fixture
def env_password(monkeypatch, no_tty):
    monkeypatch.setenv("ACCOUNT_PASSWORD", GOOD)


def run(*args):
    out = io.StringIO()
    call_command("create_account", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_confirmed_account_with_the_password_from_the_environment(env_password):
    output = run("DPO@Employer.example", "--role", "dpo", "--name", "Dana DPO")

    user = User.objects.get(email="dpo@employer.example")
    assert user.role == Role.DPO
    assert user.display_name == "Dana DPO"
    assert user.email_confirmed_at is not None
    assert user.check_password(GOOD)
    assert user.password.startswith("argon2")
    assert not user.is_staff and not user.is_superuser
    assert "dpo@employer.example" in output
    assert "Created" in output
    assert GOOD not in output


def test_it_gives_a_staff_account_admin_access_but_not_superuser(env_password):
    run("ops@portal.example", "--role", "staff")
    user = User.objects.get(email="ops@portal.example")
    assert user.is_staff
    assert not user.is_superuser


def test_it_makes_a_superuser_only_when_asked(env_password):
    output = run("root@portal.example", "--role", "staff", "--superuser")
    user = User.objects.get(email="root@portal.example")
    assert user.is_staff and user.is_superuser
    assert "superuser" in output


def test_it_refuses_an_unknown_role_and_lists_the_valid_ones(env_password):
    with pytest.raises(CommandError) as excinfo:
        run("x@example.org", "--role", "boss")
    message = str(excinfo.value)
    for role in ["employee", "dpo", "advocate", "staff"]:
        assert role in message
    assert not User.objects.exists()


def test_it_refuses_an_existing_email(env_password, employee):
    with pytest.raises(CommandError, match="already exists"):
        run("OWNER@example.org", "--role", "dpo")
    assert User.objects.get(email="owner@example.org").role == Role.EMPLOYEE


def test_it_refuses_a_malformed_email(env_password):
    with pytest.raises(CommandError, match="valid email"):
        run("not-an-email", "--role", "dpo")
    assert not User.objects.exists()


@pytest.mark.parametrize(("weak", "reason"), [("tiny", "too short"), ("1234567890123", "entirely numeric"), ("password123", "too common")])
def test_it_refuses_a_weak_password_without_printing_it(monkeypatch, no_tty, weak, reason):
    monkeypatch.setenv("ACCOUNT_PASSWORD", weak)
    with pytest.raises(CommandError) as excinfo:
        run("x@example.org", "--role", "advocate")
    assert reason in str(excinfo.value)
    assert weak not in str(excinfo.value)
    assert not User.objects.exists()


def test_it_fails_clearly_without_a_password_and_without_a_terminal(monkeypatch, no_tty):
    monkeypatch.delenv("ACCOUNT_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="ACCOUNT_PASSWORD"):
        run("x@example.org", "--role", "employee")
    assert not User.objects.exists()


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_it_prompts_twice_in_a_terminal(monkeypatch):
    monkeypatch.delenv("ACCOUNT_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", _Tty(""))
    answers = iter([GOOD, GOOD])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    run("prompted@example.org", "--role", "advocate")

    assert User.objects.get(email="prompted@example.org").check_password(GOOD)


def test_it_refuses_mismatched_prompted_passwords(monkeypatch):
    monkeypatch.delenv("ACCOUNT_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", _Tty(""))
    answers = iter([GOOD, GOOD + "x"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))

    with pytest.raises(CommandError, match="do not match"):
        run("prompted@example.org", "--role", "advocate")
    assert not User.objects.exists()
