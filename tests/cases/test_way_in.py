"""A way in, and a way around (issue 12): the home page, the header, My account, the directory's
"Use this employer", and the language switcher."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from deletion_portal.cases.models import Case
from tests.support.world import login

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def nav(html: str) -> str:
    match = re.search(r'<nav aria-label="Main"[^>]*>(.*?)</nav>', html, re.S)
    assert match, "no main navigation"
    return match[1]


def test_it_says_what_the_portal_does_and_offers_a_way_in_beside_the_calculator(client):
    html = client.get(reverse("laws:calculator")).content.decode()
    intro = html.split('class="calculator-title"')[0]
    assert "train AI models" in intro and "departing employee" in intro
    assert f'href="{reverse("accounts:sign-up")}" id="start-request">Start a request<' in intro
    assert f'href="{reverse("accounts:login")}" id="sign-up-log-in">Sign up / Log in<' in intro
    assert "When must my employer answer?" in html  # the calculator stays on the home page


def test_a_signed_in_user_starts_a_request_from_the_home_page(client, owner):
    login(client, owner)
    html = client.get(reverse("laws:calculator")).content.decode()
    assert f'href="{reverse("cases:new")}" id="start-request"' in html


def test_the_header_links_cases_directory_laws_and_my_account(client, owner):
    anonymous = nav(client.get(reverse("laws:calculator")).content.decode())
    assert reverse("employers:directory") in anonymous and reverse("laws:law-list") in anonymous
    assert reverse("accounts:login") in anonymous and reverse("cases:list") not in anonymous
    login(client, owner)
    signed_in = nav(client.get(reverse("laws:law-list")).content.decode())
    for name, text in (("cases:list", "My cases"), ("employers:directory", "Employers"), ("laws:law-list", "Laws"),
                       ("accounts:account", "My account")):
        assert f'href="{reverse(name)}"' in signed_in and text in signed_in, name


def test_my_account_offers_export_delete_password_resend_confirmation_and_log_out(client, owner):
    owner.email_confirmed_at = None
    owner.save(update_fields=["email_confirmed_at"])
    login(client, owner)
    html = client.get(reverse("accounts:account")).content.decode()
    for name in ("accounts:export", "accounts:delete", "accounts:password-change", "accounts:resend-confirmation",
                 "accounts:logout", "cases:list"):
        assert reverse(name) in html, name


def test_the_notice_after_an_unconfirmed_login_links_my_account(client, owner, settings):
    owner.email_confirmed_at = None
    owner.save(update_fields=["email_confirmed_at"])
    owner.set_password("correct horse battery staple 42")
    owner.save()
    response = client.post(reverse("accounts:login"), {"username": owner.email, "password": "correct horse battery staple 42"},
                           follow=True)
    html = response.content.decode()
    assert f'<a href="{reverse("accounts:account")}">My account</a>' in html


def test_every_page_mentioning_my_account_links_it(client):
    for url in (reverse("accounts:sign-up-done"), reverse("accounts:confirm-email", args=["not-a-token"])):
        html = client.get(url).content.decode()
        assert "My account" in html
        assert re.search(r'<a href="[^"]*' + re.escape(reverse("accounts:account")) + r'">My account</a>', html), url


# --- The directory's "Use this employer" ------------------------------------------------------------------


def test_the_directory_starts_a_request_with_the_employer(client, employer):
    html = client.get(reverse("employers:search"), {"q": employer.legal_name[:6]}).content.decode()
    assert f'href="{reverse("cases:new")}?employer={employer.pk}"' in html
    detail = client.get(reverse("employers:detail", args=[employer.pk])).content.decode()
    assert f'href="{reverse("cases:new")}?employer={employer.pk}"' in detail


def test_use_this_employer_shows_step_one_with_it_chosen_and_stores_nothing(client, owner, employer):
    login(client, owner)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("cases:new"), {"employer": employer.pk})
    assert response.status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if WRITE.match(q["sql"])]
    html = response.content.decode()
    assert re.search(rf'value="{employer.pk}"\s+checked', html)
    assert employer.legal_name in html
    assert not Case.objects.exists()
    # The POST of step 1 with it creates the draft with that employer.
    created = client.post(reverse("cases:new"), {"employer": employer.pk})
    case = Case.objects.get()
    assert created.status_code == 302 and case.employer == employer


def test_use_this_employer_continues_the_users_draft_with_it(client, owner, draft_case):
    login(client, owner)
    response = client.get(reverse("cases:new"), {"employer": draft_case.employer_id})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:step", args=[draft_case.pk, draft_case.wizard_step])


def test_use_this_employer_ignores_another_users_draft_and_a_bad_id(client, colleague, draft_case):
    login(client, colleague)
    response = client.get(reverse("cases:new"), {"employer": draft_case.employer_id})
    assert response.status_code == 200  # a fresh step 1 for the colleague, never the owner's draft
    assert client.get(reverse("cases:new"), {"employer": "nope"}).status_code == 200
    assert client.get(reverse("cases:new"), {"employer": "999999"}).status_code == 200


def test_use_this_employer_sends_a_visitor_to_log_in_and_back(client, employer):
    response = client.get(reverse("cases:new"), {"employer": employer.pk})
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


# --- The interface's language -------------------------------------------------------------------------------


def test_the_language_switcher_sets_the_interface_language(client):
    response = client.post(reverse("set_language"), {"language": "de", "next": reverse("laws:law-list")})
    assert response.status_code == 302 and response["Location"] == reverse("laws:law-list")
    html = client.get(reverse("laws:law-list")).content.decode()
    assert '<html lang="de">' in html
    assert "Meine Fälle" not in html  # anonymous: no "My cases"
    assert "Gesetze" in html and "Arbeitgeber" in html


def test_the_browser_language_picks_french(client):
    html = client.get(reverse("laws:calculator"), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()
    assert '<html lang="fr">' in html
    assert "Commencer une demande" in html


def test_the_confirmation_email_links_my_account(client, settings, outbox_at_once):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://portal.example"
    client.post(reverse("accounts:sign-up"), {"email": "new@example.org", "password1": "quiet-orchard-4512",
                                              "password2": "quiet-orchard-4512"})
    [message] = [m for m in mail.outbox if "new@example.org" in m.to]
    assert "My account: https://portal.example" + reverse("accounts:account") in message.body
    html = message.alternatives[0][0]
    assert f'<a href="https://portal.example{reverse("accounts:account")}">My account</a>' in html
