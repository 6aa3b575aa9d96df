"""The response letter: the employer team's answer as a letter (``LetterKind.RESPONSE``), rendered through
``core.pdf.render_pdf`` by ``cases.services.letter_issue`` and stored with its HTML, PDF and SHA-256.

On the team's letterhead (plain text: team, employer, address, privacy contact; no remote images), with the
case reference, the request's date and SHA-256, each answer in the law's words (the law record's labels
and citations), the training contributions, the artefact table, what is not answered yet, the file
manifest (name, type, size, SHA-256; a ZIP's entries) and, where anything is refused, withheld or retained,
the law's remedies (GDPR Art. 12(4)). English for now: the labels and citations come from the law records,
which are in English (``RESPONSE_LANGUAGES``).
"""

from __future__ import annotations

from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone

from deletion_portal.cases.letters import format_date, month_first_dates
from deletion_portal.cases.models import Case
from deletion_portal.cases.selectors import case_events, case_final_request_letter
from deletion_portal.cases.taxonomy import CATEGORY_BY_CODE
from deletion_portal.dpo.answers import (
    ARTEFACT_KINDS,
    ERASURE_OUTCOMES,
    ITEM_STATUSES,
    NOTIFICATION_STATUSES,
    OUTCOMES,
    QUESTION_LABELS,
    REFUSAL_SCOPES,
    answer_law,
    answer_needs_remedies,
)
from deletion_portal.dpo.models import EmployerResponse, ResponseFile

RESPONSE_TEMPLATE_VERSION = "response-1"
RESPONSE_LANGUAGES = ("en",)


def _fmt(case: Case):
    us = month_first_dates(case.law_key)
    return lambda value: format_date(date.fromisoformat(value) if isinstance(value, str) and value else value or None,
                                     "en", us=us)


def _category(code: str) -> str:
    category = CATEGORY_BY_CODE.get(code)
    return category.label if category else code


def request_facts(case: Case, fmt) -> dict:
    """The request this answers: its date and SHA-256 (the final letter, or the uploaded original)."""
    letter = case_final_request_letter(case)
    sent = next((e for e in case_events(case) if e.kind == "sent"), None)
    facts = {"date_text": "", "sha256": "", "short_id": ""}
    if letter is not None:
        facts.update(date_text=fmt(timezone.localdate(letter.finalised_at)), sha256=letter.sha256, short_id=letter.short_id)
    if sent is not None:
        facts["date_text"] = facts["date_text"] or fmt(sent.on)
        if not facts["sha256"] and sent.attachment_id:
            facts["sha256"] = sent.attachment.sha256
    if not facts["date_text"] and case.received_on:
        facts["date_text"] = fmt(case.received_on)
    return facts


def _grounds(law) -> dict:
    return {g.code: f"{g.label} ({g.citation})" for g in (*law.withholding_grounds, *law.retention_grounds)}


def _outcome_text(row: dict, grounds: dict, fmt) -> str:
    outcome = row["outcome"]
    if outcome == "deleted":
        return f"Deleted on {fmt(row['outcome_date'])}"
    if outcome == "excluded_from_training":
        return f"Excluded from training from {fmt(row['outcome_date'])}"
    if outcome == "retrained_without":
        return f"Retrained without the data on {fmt(row['outcome_date'])}"
    if outcome == "unlearning_applied":
        return f"Unlearning applied: {row['method']}. Verified: {row['verification']}"
    if outcome == "anonymous":
        return f"Claimed anonymous. Assessment: {row['assessment']}"
    if outcome == "retained":
        return f"Retained. Ground: {grounds.get(row['ground'], row['ground'])}"
    return OUTCOMES.get(outcome, outcome)


def manifest_rows(files: list[ResponseFile]) -> list[dict]:
    return [{
        "name": f.attachment.original_name, "kind": f.kind.upper(), "size": f.attachment.size,
        "sha256": f.attachment.sha256, "entries": f.zip_entries,
    } for f in files]


def response_letter_context(*, case: Case, answer: dict, files: list[ResponseFile], missing: list[dict], team,
                            today: date) -> dict:
    fmt = _fmt(case)
    law = answer_law(case)
    grounds = _grounds(law)
    labels = {item.code: (item.label, item.citation) for item in law.access_items}
    access = [{
        "label": labels[code][0], "citation": labels[code][1], "status": ITEM_STATUSES[item["status"]],
        "status_code": item["status"], "text": item["text"], "ground": grounds.get(item["ground"], ""),
    } for code, item in answer["access"].items() if item["status"]]
    questions = [{
        "label": QUESTION_LABELS[code], "status": ITEM_STATUSES[item["status"]], "status_code": item["status"],
        "text": item["text"], "ground": grounds.get(item["ground"], ""),
    } for code, item in answer["questions"].items() if item["status"]]
    training = [{
        **row, "category_label": _category(row["category"]),
        "held_text": {True: "Yes", False: "No", None: "Not stated"}[row["held"]],
        "used_text": {True: "Yes", False: "No", None: "Not stated"}[row["used_for_training"]],
        "from_text": fmt(row["from"]) if row["from"] else "", "to_text": fmt(row["to"]) if row["to"] else "",
    } for row in answer["training"]]
    artefacts = [{
        **row, "kind_label": ARTEFACT_KINDS[row["kind"]], "trained_text": fmt(row["trained_on"]) if row["trained_on"] else "",
        "outcome_label": OUTCOMES[row["outcome"]], "outcome_text": _outcome_text(row, grounds, fmt),
        "ground_text": grounds.get(row["ground"], ""),
    } for row in answer["artefacts"]]
    erasure = answer["erasure"]
    erasure_rows = [{
        "category_label": _category(row["category"]), "outcome": ERASURE_OUTCOMES[row["outcome"]],
        "on_text": fmt(row["on"]) if row["on"] else "", "ground": grounds.get(row["ground"], ""),
    } for row in erasure["categories"]]
    notification = erasure["notification"]
    objection = answer["objection"]
    refusal = answer["refusal"]
    employer = case.employer
    return {
        "language": "en", "reference": case.reference, "date_text": fmt(date.fromisoformat(answer["on"])),
        "regime": law.regime, "team_name": team.name,
        "employer_name": employer.legal_name if employer else "",
        "employer_address_lines": [line for line in (employer.postal_address if employer else "").splitlines() if line.strip()],
        "employer_email": employer.privacy_email if employer else "",
        "requester_name": case.requester_name,
        "requester_address_lines": [line for line in case.requester_address.splitlines() if line.strip()],
        "request": request_facts(case, fmt),
        "rights": [law.regime.right(code) for code in case.rights if law.regime.right(code)],
        "access": access, "questions": questions, "training": training, "artefacts": artefacts,
        "erasure": {**erasure, "rows": erasure_rows,
                    "notification_text": NOTIFICATION_STATUSES.get(notification["status"], ""),
                    "rule": law.rules.get("recipients_notification")},
        "objection": {**objection, "from_text": fmt(objection["from"]) if objection["from"] else "",
                      "restricted_text": fmt(objection["restricted_from"]) if objection["restricted_from"] else "",
                      "rule": law.rules.get("objection"), "restriction_rule": law.rules.get("restriction_while_assessed")},
        "refusal": {**refusal, "scope_text": REFUSAL_SCOPES.get(refusal["scope"], ""),
                    "grounds_text": [grounds.get(code, code) for code in refusal["grounds"]]},
        "anonymity_rule": law.rules.get("anonymity") if any(a["outcome"] == "anonymous" for a in answer["artefacts"]) else None,
        "missing": missing, "manifest": manifest_rows(files), "note": answer["note"],
        "remedies": law.remedies if answer_needs_remedies(answer) else None,
    }


def response_letter_html(*, case: Case, response: EmployerResponse, team, today: date) -> tuple[str, str]:
    files = list(ResponseFile.objects.filter(response=response).select_related("attachment"))
    context = response_letter_context(case=case, answer=response.answer, files=files, missing=response.missing,
                                      team=team, today=today)
    return render_to_string("dpo/letters/response.html", context), context["language"]
