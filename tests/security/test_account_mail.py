"""Account emails go through the outbox (issue 13, item 5): sign-up, confirmation and reset answer the same,
in the same time, for known and unknown addresses; a mail server that is down, refuses or hangs never turns
them into a 500 nor leaves half an account; and each address gets at most ACCOUNT_MAILS_PER_HOUR of them."""

from __future__ import annotations

import statistics
import time

import pytest
from django.urls import reverse

from deletion_portal.accounts import services
from deletion_portal.accounts.models import User
from deletion_portal.core.models import OutboxMessage, OutboxState
from deletion_portal.core.outbox import outbox_deliver
from tests.integration.smtp import SMTPServer
from tests.support.processes import free_port
from tests.support.world import make_account

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple 42"


@pytest.fixture(autouse=True)
def _smtp_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()  # nothing listens: the mail server is down
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 2


def sign_up(client, email):
    return client.post(reverse("accounts:sign-up"), {"email": email, "display_name": "Sam", "password1": PASSWORD,
                                                     "password2": PASSWORD})


def reset(client, email):
    return client.post(reverse("accounts:password-reset"), {"email": email})


def test_sign_up_and_reset_work_while_the_mail_server_is_down(client):
    response = sign_up(client, "new@mail.example")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:sign-up-done")
    user = User.objects.get(email="new@mail.example")
    assert reset(client, "new@mail.example").status_code == 302
    rows = OutboxMessage.objects.filter(topic=f"account:{user.pk}").order_by("pk")
    assert [row.state for row in rows] == [OutboxState.QUEUED, OutboxState.QUEUED]
    assert "Confirm" in rows[0].subject or "confirm" in rows[0].body

    # The worker's attempt fails and is retried later; nothing raises.
    assert outbox_deliver(message_id=rows[0].pk) == OutboxState.RETRYING


def test_a_refusing_then_recovering_mail_server_delivers_the_confirmation_once(client, settings, tmp_path):
    with SMTPServer(directory=tmp_path / "smtp") as smtp:
        settings.EMAIL_PORT = smtp.port
        smtp.reject_first(1)
        assert sign_up(client, "new@mail.example").status_code == 302
        row = OutboxMessage.objects.get(topic__startswith="account:")
        assert outbox_deliver(message_id=row.pk) == OutboxState.RETRYING
        OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=None, state=OutboxState.QUEUED)
        assert outbox_deliver(message_id=row.pk) == OutboxState.SENT
        assert [m.to for m in smtp.messages] == ["new@mail.example"]


def test_no_half_made_account_when_the_email_cannot_be_queued(monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(services, "outbox_enqueue", broken)
    with pytest.raises(RuntimeError):
        services.account_sign_up(email="new@mail.example", password=PASSWORD)
    assert not User.objects.filter(email="new@mail.example").exists()


def test_known_and_unknown_addresses_get_the_same_answer(client):
    make_account("known@mail.example", "employee")
    for action in (sign_up, reset):
        known, unknown = action(client, "known@mail.example"), action(client, "unknown@mail.example")
        assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
        assert client.get(known["Location"]).content == client.get(unknown["Location"]).content


def test_known_and_unknown_addresses_take_the_same_time_even_with_a_hanging_mail_server(client, settings, tmp_path):
    with SMTPServer(directory=tmp_path / "smtp") as smtp:
        settings.EMAIL_PORT = smtp.port
        smtp.hold()  # accepts the connection, never answers the message
        rounds = 6
        for i in range(rounds):
            make_account(f"known{i}@mail.example", "employee")
        timings: dict[str, list[float]] = {"known": [], "unknown": []}
        for i in range(rounds):
            for kind in ("known", "unknown"):
                started = time.perf_counter()
                assert reset(client, f"{kind}{i}@mail.example").status_code == 302
                timings[kind].append(time.perf_counter() - started)
        known, unknown = statistics.median(timings["known"]), statistics.median(timings["unknown"])
        # Sending inside the request would cost the known address EMAIL_TIMEOUT (2 s) here.
        assert known < 0.5 and abs(known - unknown) < 0.05, timings
        smtp.release()


def test_each_address_gets_at_most_account_mails_per_hour(client, settings):
    settings.ACCOUNT_MAILS_PER_HOUR = 2
    user = make_account("known@mail.example", "employee")
    for _ in range(5):
        assert reset(client, "known@mail.example").status_code == 302
    assert OutboxMessage.objects.filter(topic=f"account:{user.pk}").count() == 2
    # another address has its own allowance
    other = make_account("other@mail.example", "employee")
    reset(client, "other@mail.example")
    assert OutboxMessage.objects.filter(topic=f"account:{other.pk}").count() == 1


def test_sign_up_mails_to_one_address_are_limited_too(client, settings):
    settings.ACCOUNT_MAILS_PER_HOUR = 2
    for _ in range(5):
        assert sign_up(client, "someone@mail.example").status_code == 302
    user = User.objects.get(email="someone@mail.example")
    # the confirmation, then two "someone tried to sign up with your address" notes; the rest are dropped. The
    # limit is per kind, so somebody spamming sign-ups with an address cannot use up its owner's reset emails.
    kinds = [row.key.split(":")[2] for row in OutboxMessage.objects.filter(topic=f"account:{user.pk}")]
    assert sorted(kinds) == ["confirm", "sign-up-attempt", "sign-up-attempt"]
    assert reset(client, "someone@mail.example").status_code == 302
    assert OutboxMessage.objects.filter(topic=f"account:{user.pk}", key__contains=":reset:").count() == 1
