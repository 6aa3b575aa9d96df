"""Issue 9's "done means": the DPO answers an erasure + access + objection request about keystrokes, screen
activity and a trained model in the structured form (no JavaScript needed) — deletes the raw logs, retrains one
model, retains one evaluation set under GDPR Art. 17(3)(e) — leaves "recipients" (Art. 15(1)(c)) unanswered, sees
the gap, sends anyway; the employee sees the answer with the gap highlighted, and one click drafts a follow-up
that names the recipients and cites the response letter's date and SHA-256. The PDF's text (pypdf) holds each
artefact's outcome and ground.

The request is set up through the services (the wizard has its own browser tests); both people are signed in
by session cookie (the sign-in and TOTP flow has its own test, test_dpo_flow.py). Nothing is frozen: the
request is sent today and the answer is dated today.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.conf import settings as django_settings
from django.test import Client

from deletion_portal.cases.letters import format_date
from deletion_portal.cases.models import EventKind, LetterKind
from deletion_portal.cases.services import case_create, case_record_event
from deletion_portal.dpo.models import EmployerResponse
from tests.support.data import DRAFT_FIELDS
from tests.support.world import finalise_directly, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WAIT_MS = 15_000
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
ACCESS_ANSWERED = ("art15_1_a", "art15_1_b", "art15_1_d", "art15_1_e", "art15_1_f", "art15_1_g", "art15_1_h", "art15_2")


def signed_in(browser, live_server, user):
    """A browser context with ``user``'s session (TOTP verified for a DPO, as ``login`` does)."""
    client = login(Client(), user)
    context = browser.new_context(**DESKTOP)
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    return context, page


def submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def test_the_dpo_answers_in_part_and_the_employee_disputes_the_gap_in_one_click(
        browser, live_server, settings, tmp_path, owner, employer, dpo, eager_celery):
    pypdf = pytest.importorskip("pypdf")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path
    today = date.today()
    iso, pretty = today.isoformat(), format_date(today, "en")
    case = finalise_directly(case_create(owner=owner, employer=employer, **{
        **DRAFT_FIELDS, "rights": ["erasure", "access", "objection"],
        "categories": ["keystrokes", "screen_activity", "trained_models"]}))
    case_record_event(case=case, kind=EventKind.SENT, on=today, actor=owner, details={"channel": "email"})

    # --- The DPO: the structured form on the case page. ------------------------------------------------------
    dpo_context, page = signed_in(browser, live_server, dpo)
    page.goto(f"{live_server.url}/employer/cases/{case.pk}")
    page.get_by_role("heading", name="Answer the request").wait_for()
    page.locator("#answer-file").set_input_files(
        {"name": "keystrokes.csv", "mimeType": "text/csv", "buffer": b"when,key\n2026-01-02,a\n2026-01-03,b\n"})
    submit(page, page.get_by_role("button", name="Upload", exact=True))
    page.get_by_role("checkbox", name=re.compile("keystrokes.csv")).check()

    for code in ACCESS_ANSWERED:  # every Art. 15 item but (c), the recipients
        page.locator(f"#access-{code}-status").select_option("answered")
        page.locator(f"#access-{code}-text").fill(f"Our answer on {code}.")
    page.locator("#access-copy-status").select_option("answered")
    page.locator("#access-copy-text").fill("The keystroke export is enclosed (CSV).")
    page.locator("#q-training\\:legal_basis-status").select_option("answered")
    page.locator("#q-training\\:legal_basis-text").fill("Legitimate interests (Art. 6(1)(f)); the balancing test is enclosed.")
    for label in ("Keystrokes", "Screen activity", "Trained models"):
        page.get_by_label(f"Held: {label}").select_option("yes")
        page.get_by_label(f"Used for training: {label}").select_option("yes")
        page.get_by_label(f"Erasure outcome: {label}").select_option("erased")
        page.get_by_label(f"Erased on: {label}").fill(iso)

    rows = (("dataset", "raw-keystroke-logs", "deleted", {"outcome_date": iso}),
            ("model", "support-agent-v3", "retrained_without", {"outcome_date": iso}),
            ("evaluation_set", "eval-holdout-2026", "retained", {"ground": "legal_claims"}))
    for n, (kind, name, outcome, extra) in enumerate(rows, start=1):
        page.get_by_label(f"Kind (artefact {n})").select_option(kind)
        page.get_by_label(f"Name or identifier (artefact {n})").fill(name)
        page.get_by_label(f"Purpose (artefact {n})").fill("Support-agent suggestions")
        page.get_by_label(f"Recipients (artefact {n})").fill("none outside the company")
        page.get_by_label(f"Outcome (artefact {n})", exact=True).select_option(outcome)
        if "outcome_date" in extra:
            page.get_by_label(re.compile(rf"^Date of the outcome.*\(artefact {n}\)$")).fill(extra["outcome_date"])
        if "ground" in extra:
            page.get_by_label(f"Ground for retaining (artefact {n})").select_option(extra["ground"])
    page.get_by_label("Backups", exact=True).fill("Backups roll over within 30 days; restored data is erased again.")
    page.get_by_label("Copies at vendors").fill("None.")
    page.get_by_label(re.compile("^Notification of recipients")).select_option("no_recipients")
    page.get_by_label("Outcome of the objection").select_option("upheld")
    page.get_by_label("Processing for training stopped from").fill(iso)

    submit(page, page.get_by_role("button", name="Save and check what is missing"))
    gaps = page.locator("#answer-gaps")
    gaps.wait_for()
    assert "The recipients, by name" in gaps.inner_text()
    assert page.locator("#answer-gaps li").count() == 1, gaps.inner_text()
    submit(page, page.get_by_role("button", name="Send the answer"))
    page.get_by_text(re.compile("The answer was sent as letter")).wait_for()
    dpo_context.close()

    response = EmployerResponse.objects.get(case=case)
    letter = response.letter
    assert letter.kind == LetterKind.RESPONSE and [gap["code"] for gap in response.missing] == ["art15_1_c"]
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(letter.pdf.read())).pages).split())
    text = text.replace("- ", "-")  # a name broken across lines at its hyphen in a narrow table cell
    for expected in ("raw-keystroke-logs", "Deleted (deleted)", "support-agent-v3", "(retrained_without)",
                     "eval-holdout-2026", "(retained)", "Art. 17(3)(e) GDPR", "The recipients, by name",
                     "keystrokes.csv", "Art. 12(4) GDPR"):
        assert expected in text, expected

    # --- The employee: the answer item by item, the gap highlighted, the artefacts in plain words. ----------------
    owner_context, page = signed_in(browser, live_server, owner)
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    answer = page.locator(".employer-answer")
    answer.wait_for()
    missing_row = answer.locator("tr.missing[data-code=art15_1_c]")
    assert "Missing" in missing_row.inner_text() and "recipients" in missing_row.inner_text()
    assert answer.locator(".answer-gaps").is_visible()
    plain = answer.locator(".artefacts-plain").inner_text()
    assert f"Model support-agent-v3: retrained without your data on {pretty}" in plain
    assert f"Dataset raw-keystroke-logs: deleted on {pretty}" in plain
    assert "Evaluation set eval-holdout-2026: kept, on the ground" in plain and "Art. 17(3)(e) GDPR" in plain

    # One click: a follow-up naming the recipients, citing the response letter's date and SHA-256.
    submit(page, page.get_by_role("button", name="Dispute: draft a follow-up naming what is missing"))
    letter_text = page.locator(".letter-text").inner_text()
    assert "the recipients, by name (Art. 15(1)(c)" in letter_text
    assert f"Your answer of {pretty} (your letter {letter.short_id}, SHA-256 {letter.sha256})" in " ".join(letter_text.split())
    owner_context.close()
