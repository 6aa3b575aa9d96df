"""Two-factor authentication is mandatory for DPO and advocate accounts (django-otp): until a confirmed device
is set up and a code given in this session, they see nothing but the set-up / verify pages and logout."""

from base64 import b32decode
from binascii import hexlify

import pytest
from django.core.cache import cache
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from deletion_portal.accounts.api_tokens import api_token_create, key_hash
from deletion_portal.accounts.models import ApiToken
from tests.support.data import PASSWORD
from tests.support.world import login, second_factor, totp_now

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token"


@pytest.fixture(autouse=True)
def _clear_cache(isolated_media):
    cache.clear()
    yield
    cache.clear()


def key_of(base32: str) -> str:
    return hexlify(b32decode(base32 + "=" * (-len(base32) % 8))).decode()


# --- The gate --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dpo", "advocate"])
def test_it_sends_an_account_without_a_device_to_the_set_up_page(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)  # signed in with a password only, no device

    for url in (reverse("cases:list"), reverse("accounts:account"), reverse("dpo:team-list"), reverse("dpo:verify")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:2fa-setup")), url
    assert client.get(reverse("accounts:2fa-setup")).status_code == 200


def test_it_sends_an_account_with_a_device_but_no_code_this_session_to_verify(client, dpo):
    second_factor(dpo)
    client.force_login(dpo)

    response = client.get(reverse("cases:list"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:2fa-verify"))


def test_it_refuses_the_api_with_a_clear_message_until_the_second_factor(client, dpo):
    client.force_login(dpo)

    response = client.get("/api/v1/cases")

    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"].lower()


def test_employees_need_no_second_factor(client, owner):
    client.force_login(owner)

    assert client.get(reverse("cases:list")).status_code == 200


def test_login_helper_passes_the_second_factor(client, dpo):
    login(client, dpo)

    assert client.get(reverse("accounts:account")).status_code == 200


def test_logout_stays_open(client, dpo):
    client.force_login(dpo)

    response = client.post(reverse("accounts:logout"))

    assert response.status_code == 302 and "_auth_user_id" not in client.session


# --- Set-up ----------------------------------------------------------------------------------------------


def test_it_sets_up_an_authenticator_confirmed_by_a_code_and_shows_ten_backup_codes_once(client, dpo):
    client.force_login(dpo)
    page = client.get(reverse("accounts:2fa-setup"))
    assert not TOTPDevice.objects.filter(user=dpo).exists()  # a GET writes nothing
    secret = page.context["secret"]
    assert secret in page.content.decode() and page.context["uri"].startswith("otpauth://totp/")

    wrong = client.post(reverse("accounts:2fa-setup"), {"key": page.context["signed_key"], "code": "000000"})
    assert wrong.status_code == 400 and not TOTPDevice.objects.filter(user=dpo).exists()

    done = client.post(reverse("accounts:2fa-setup"),
                       {"key": page.context["signed_key"], "code": totp_now(key_of(secret))})

    assert done.status_code == 200
    device = TOTPDevice.objects.get(user=dpo)
    assert device.confirmed and device.key == key_of(secret)
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert set(StaticToken.objects.filter(device__user=dpo).values_list("token", flat=True)) == set(codes)
    assert client.get(reverse("cases:list")).status_code == 200  # this session is verified


def test_a_tampered_set_up_secret_is_refused(client, dpo):
    client.force_login(dpo)
    response = client.post(reverse("accounts:2fa-setup"), {"key": "3132333435363738393031323334353637383930",
                                                           "code": totp_now()})
    assert response.status_code == 400 and not TOTPDevice.objects.filter(user=dpo).exists()


def test_an_unverified_session_cannot_replace_the_device(client, dpo):
    second_factor(dpo)
    client.force_login(dpo)

    response = client.get(reverse("accounts:2fa-setup"))

    assert response.status_code == 302 and response["Location"] == reverse("accounts:2fa-verify")


# --- Verify at sign-in -----------------------------------------------------------------------------------


def test_it_verifies_a_session_with_the_current_code(client, dpo):
    second_factor(dpo)
    client.force_login(dpo)

    wrong = client.post(reverse("accounts:2fa-verify"), {"code": "123456" if totp_now() != "123456" else "654321"})
    assert wrong.status_code == 400
    assert client.get(reverse("cases:list")).status_code == 302
    TOTPDevice.objects.filter(user=dpo).update(throttling_failure_count=0, throttling_failure_timestamp=None)

    right = client.post(reverse("accounts:2fa-verify"), {"code": totp_now(), "next": reverse("cases:list")})

    assert right.status_code == 302 and right["Location"] == reverse("cases:list")
    assert client.get(reverse("cases:list")).status_code == 200


def test_wrong_codes_are_throttled(client, dpo):
    second_factor(dpo)
    client.force_login(dpo)
    client.post(reverse("accounts:2fa-verify"), {"code": "000000" if totp_now() != "000000" else "111111"})

    # Right after a failure even the right code waits (django-otp's growing delay).
    response = client.post(reverse("accounts:2fa-verify"), {"code": totp_now()})

    assert response.status_code == 400
    assert TOTPDevice.objects.get(user=dpo).throttling_failure_count == 1


def test_a_backup_code_works_once(client, dpo):
    second_factor(dpo)
    device = StaticDevice.objects.create(user=dpo, name="Backup codes", confirmed=True)
    device.token_set.create(token="backup12")
    client.force_login(dpo)

    assert client.post(reverse("accounts:2fa-verify"), {"code": "backup12"}).status_code == 302
    assert not device.token_set.exists()
    client.post(reverse("accounts:logout"))
    client.force_login(dpo)
    assert client.post(reverse("accounts:2fa-verify"), {"code": "backup12"}).status_code == 400


def test_new_backup_codes_replace_the_old_ones(client, dpo):
    login(client, dpo)
    first = client.post(reverse("accounts:2fa-backup-codes")).context["codes"]
    second = client.post(reverse("accounts:2fa-backup-codes")).context["codes"]
    assert set(StaticToken.objects.filter(device__user=dpo).values_list("token", flat=True)) == set(second)
    assert not set(first) & set(second)


# --- The API token ---------------------------------------------------------------------------------------


def test_the_token_endpoint_asks_a_2fa_account_for_otp(dpo):
    second_factor(dpo)
    api = APIClient()

    missing = api.post(TOKEN_URL, {"email": dpo.email, "password": PASSWORD}, format="json")
    assert missing.status_code == 400 and "otp" in missing.json()

    wrong = api.post(TOKEN_URL, {"email": dpo.email, "password": PASSWORD, "otp": "12"}, format="json")
    assert wrong.status_code == 401 and "otp" in wrong.json()
    assert not ApiToken.objects.filter(user=dpo).exists()
    TOTPDevice.objects.filter(user=dpo).update(throttling_failure_count=0, throttling_failure_timestamp=None)

    right = api.post(TOKEN_URL, {"email": dpo.email, "password": PASSWORD, "otp": totp_now()}, format="json")
    assert right.status_code == 200 and ApiToken.objects.get(user=dpo).key_hash == key_hash(right.json()["token"])


def test_the_token_endpoint_refuses_a_2fa_role_without_a_device(dpo):
    response = APIClient().post(TOKEN_URL, {"email": dpo.email, "password": PASSWORD}, format="json")

    assert response.status_code == 403 and "two-factor" in response.json()["detail"]
    assert not ApiToken.objects.filter(user=dpo).exists()


def test_the_token_endpoint_needs_no_otp_from_an_employee(owner):
    response = APIClient().post(TOKEN_URL, {"email": owner.email, "password": PASSWORD}, format="json")

    assert response.status_code == 200


def test_an_old_token_of_a_2fa_account_without_a_device_is_refused(dpo, owner):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=dpo)[1]}")
    refused = api.get("/api/v1/cases")
    assert refused.status_code in (401, 403) and "two-factor" in refused.json()["detail"].lower()

    second_factor(dpo)
    assert api.get("/api/v1/cases").status_code == 200


def test_signing_in_with_a_password_leads_to_the_code_then_where_the_user_was_going(client, dpo):
    second_factor(dpo)
    signed_in = client.post(reverse("accounts:login") + "?next=" + reverse("accounts:account"),
                            {"username": dpo.email, "password": PASSWORD, "next": reverse("accounts:account")})
    assert signed_in.status_code == 302

    gated = client.get(signed_in["Location"])
    assert gated.status_code == 302 and gated["Location"].startswith(reverse("accounts:2fa-verify"))
    page = client.get(gated["Location"])
    assert page.status_code == 200 and page.context["next"] == reverse("accounts:account")

    done = client.post(reverse("accounts:2fa-verify"), {"code": totp_now(), "next": page.context["next"]})

    assert done["Location"] == reverse("accounts:account")
    assert client.get(reverse("accounts:account")).status_code == 200


def test_an_employee_account_verified_into_a_team_by_any_path_needs_the_second_factor(client, colleague, team):
    """Staff may verify any account as a team member in the admin: the account becomes a DPO account, so it
    reaches no employer page and no case of the employer's before its second factor."""
    from django.utils import timezone

    from deletion_portal.employers.models import TeamMembership, TeamRole

    TeamMembership.objects.create(team=team, user=colleague, role=TeamRole.RESPONDER, verified_at=timezone.now())
    colleague.refresh_from_db()
    assert colleague.role == "dpo"
    client.force_login(colleague)  # a password only
    response = client.get(reverse("dpo:inbox"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:2fa-setup"))
