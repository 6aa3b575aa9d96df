"""The portal is no mail cannon (issue 13, item 7; cases/sending.py): only a confirmed account has letters
emailed; each account and each recipient address get at most a daily number; an address staff have not
verified is named as such to the sender and, in the email itself, to its recipient."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from deletion_portal.cases.services import case_create, letter_send_email
from deletion_portal.core.models import OutboxMessage
from deletion_portal.employers.models import Employer, Quality
from tests.support.data import DRAFT_FIELDS
from tests.support.world import finalise_directly, login, make_account

pytestmark = pytest.mark.django_db


def final_cases(owner, employer, n):
    return [finalise_directly(case_create(owner=owner, employer=employer, **DRAFT_FIELDS)) for _ in range(n)]


def send(client, case):
    return client.post(reverse("cases:send-email", args=[case.pk]), follow=True)


def test_an_unconfirmed_account_cannot_have_letters_emailed(client, employer):
    unconfirmed = make_account("new@mail.example", "employee")
    unconfirmed.email_confirmed_at = None
    unconfirmed.save(update_fields=["email_confirmed_at"])
    (case,) = final_cases(unconfirmed, employer, 1)
    login(client, unconfirmed)

    page = send(client, case).content.decode()

    assert "Confirm your email address" in page
    assert not OutboxMessage.objects.exists()
    with pytest.raises(ValidationError, match="Confirm your email address"):
        letter_send_email(case=case, actor=unconfirmed)


def test_each_account_sends_at_most_the_daily_number(client, owner, employer, settings):
    settings.MAIL_SENDS_PER_ACCOUNT_PER_DAY = 2
    cases = final_cases(owner, employer, 3)
    login(client, owner)
    with time_machine.travel("2026-03-02 09:00:00Z", tick=False):
        send(client, cases[0]), send(client, cases[1])
        refused = send(client, cases[2]).content.decode()
        assert "2 letters by email in the last 24 hours" in refused
        assert OutboxMessage.objects.count() == 2
        send(client, cases[0])  # pressing again for a queued letter is never refused (and queues nothing)
        assert OutboxMessage.objects.count() == 2
    with time_machine.travel("2026-03-03 09:00:01Z", tick=False):
        send(client, cases[2])
    assert OutboxMessage.objects.count() == 3


def test_each_recipient_gets_at_most_the_daily_number_from_all_accounts(owner, colleague, employer, settings):
    settings.MAIL_SENDS_PER_RECIPIENT_PER_DAY = 2
    # Another directory entry with the same address, in other case: the address is what counts.
    twin = Employer.objects.create(legal_name="Acme Twin", country="DE", privacy_email="PRIVACY@acme.example",
                                   postal_address="Weg 1", quality=Quality.VERIFIED)
    first, second = final_cases(owner, employer, 2)
    (third,) = final_cases(colleague, twin, 1)
    letter_send_email(case=first, actor=owner, today=date(2026, 3, 2))
    letter_send_email(case=second, actor=owner, today=date(2026, 3, 2))
    with pytest.raises(ValidationError, match="has received 2 letters"):
        letter_send_email(case=third, actor=colleague, today=date(2026, 3, 2))


@pytest.mark.parametrize(("quality", "notice"), [(Quality.VERIFIED, False), (Quality.SUBMITTED, True),
                                                 (Quality.UNVERIFIED, True)])
def test_an_unverified_address_is_named_as_such_to_sender_and_recipient(client, owner, employer, quality, notice):
    employer.quality = quality
    employer.save(update_fields=["quality"])
    (case,) = final_cases(owner, employer, 1)
    login(client, owner)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert ("This address is not verified" in page) is notice
    answer = send(client, case).content.decode()
    assert ("not verified in our directory" in answer) is notice
    body = OutboxMessage.objects.get().body
    assert body.startswith("Note from the deletion portal: this message was sent by one of its users to an address "
                           "the portal has not verified") is notice


def test_letters_people_sent_themselves_do_not_count(owner, employer, settings):
    from deletion_portal.cases.services import case_record_event

    settings.MAIL_SENDS_PER_ACCOUNT_PER_DAY = settings.MAIL_SENDS_PER_RECIPIENT_PER_DAY = 1
    recorded, portal = final_cases(owner, employer, 2)
    case_record_event(case=recorded, kind="sent", on=date(2026, 3, 2), actor=owner, details={"channel": "email"})
    letter_send_email(case=portal, actor=owner, today=date(2026, 3, 2))  # not refused
    assert OutboxMessage.objects.filter(key__startswith="letter:").count() == 1
