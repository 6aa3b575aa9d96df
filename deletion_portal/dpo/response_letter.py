"""The response letter: the employer team's answer as a letter (``LetterKind.RESPONSE``), rendered through
``core.pdf.render_pdf`` by ``cases.services.letter_issue`` and stored with its HTML, PDF and SHA-256.

On the team's letterhead (plain text: team, employer, address, privacy contact; no remote images), with the
case reference, the request's date and SHA-256, each answer in the law's words (the law record's labels
and citations), the training contributions, the artefact table, what is not answered yet, the file
manifest (name, type, size, SHA-256; a ZIP's entries) and, where anything is refused, withheld or retained,
the law's remedies (GDPR Art. 12(4)).

In the case's letter language (``cases.letters.letter_language``: the request letter's), like the request:
one base layout (``templates/dpo/letters/response_base.html``) and one ``<lang>/response.html`` per language
with the prose; the small words are ``dpo.response_texts``, the law's words (access items, grounds, rules,
remedies, with citations as the language writes them) the record's ``employer_actions.words``
(:func:`dpo.answers.answer_law`); dates as the request letter writes them (``cases.letters.format_date``).
"""

from __future__ import annotations

from datetime import date

from django.template.loader import render_to_string
from django.utils import timezone

from deletion_portal.cases.letter_texts import LANGUAGES
from deletion_portal.cases.letters import format_date, letter_language, local_citation, month_first_dates, right_name
from deletion_portal.cases.models import Case
from deletion_portal.cases.selectors import case_events, case_final_request_letter
from deletion_portal.dpo import response_texts as texts
from deletion_portal.dpo.answers import answer_law, answer_needs_remedies, category_label, item_label
from deletion_portal.dpo.models import EmployerResponse, ResponseFile

RESPONSE_TEMPLATE_VERSION = "response-2"  # 2: in the case's letter language
RESPONSE_LANGUAGES = tuple(LANGUAGES)


def response_language(case: Case) -> str:
    """The response letter's language: the case's letter language (English if the case has none it can use)."""
    try:
        language = letter_language(case)
    except (ValueError, LookupError):
        return "en"
    return language if language in RESPONSE_LANGUAGES else "en"


def _fmt(case: Case, language: str):
    us = month_first_dates(case.law_key)
    return lambda value: format_date(date.fromisoformat(value) if isinstance(value, str) and value else value or None,
                                     language, us=us)


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


def _outcome_text(row: dict, grounds: dict, fmt, language: str) -> str:
    sentence = texts.OUTCOME_SENTENCES[language].get(row["outcome"])
    if sentence is None:
        return row["outcome"]
    return sentence.format(date=fmt(row["outcome_date"]) if row["outcome_date"] else "", method=row["method"],
                           verification=row["verification"], assessment=row["assessment"],
                           ground=grounds.get(row["ground"], row["ground"]))


def manifest_rows(files: list[ResponseFile]) -> list[dict]:
    return [{
        "name": f.attachment.original_name, "kind": f.kind.upper(), "size": f.attachment.size,
        "sha256": f.attachment.sha256, "entries": f.zip_entries,
    } for f in files]


def response_letter_context(*, case: Case, answer: dict, files: list[ResponseFile], missing: list[dict], team,
                            today: date, language: str | None = None) -> dict:
    language = language or response_language(case)
    fmt = _fmt(case, language)
    law = answer_law(case, language)
    regime = law.regime
    t = texts.LABELS[language]
    statuses = texts.ITEM_STATUSES[language]
    grounds = _grounds(law)
    labels = {item.code: (item.label, item.citation) for item in law.access_items}
    yes_no = {True: t["yes"], False: t["no"], None: t["not_stated"]}
    access = [{
        "label": labels[code][0], "citation": labels[code][1], "status": statuses[item["status"]],
        "status_code": item["status"], "text": item["text"], "ground": grounds.get(item["ground"], ""),
    } for code, item in answer["access"].items() if item["status"]]
    questions = [{
        "label": item_label(code, law, language), "status": statuses[item["status"]], "status_code": item["status"],
        "text": item["text"], "ground": grounds.get(item["ground"], ""),
    } for code, item in answer["questions"].items() if item["status"]]
    training = [{
        **row, "category_label": category_label(row["category"], language),
        "held_text": yes_no[row["held"]], "used_text": yes_no[row["used_for_training"]],
        "from_text": fmt(row["from"]) if row["from"] else "", "to_text": fmt(row["to"]) if row["to"] else "",
    } for row in answer["training"]]
    artefacts = [{
        **row, "kind_label": texts.ARTEFACT_KINDS[language][row["kind"]],
        "trained_text": fmt(row["trained_on"]) if row["trained_on"] else "",
        "outcome_label": texts.OUTCOMES[language][row["outcome"]],
        "outcome_text": _outcome_text(row, grounds, fmt, language),
        "ground_text": grounds.get(row["ground"], ""),
    } for row in answer["artefacts"]]
    erasure = answer["erasure"]
    erasure_rows = [{
        "category_label": category_label(row["category"], language),
        "outcome": texts.ERASURE_OUTCOMES[language][row["outcome"]],
        "on_text": fmt(row["on"]) if row["on"] else "", "ground": grounds.get(row["ground"], ""),
    } for row in erasure["categories"]]
    notification = erasure["notification"]
    objection = answer["objection"]
    refusal = answer["refusal"]
    employer = case.employer
    style = regime.letters.citation_style
    return {
        "language": language, "t": t, "show_codes": language == "en",
        "reference": case.reference, "date_text": fmt(date.fromisoformat(answer["on"])),
        "regime": regime, "team_name": team.name,
        "employer_name": employer.legal_name if employer else "",
        "employer_address_lines": [line for line in (employer.postal_address if employer else "").splitlines() if line.strip()],
        "employer_email": employer.privacy_email if employer else "",
        "requester_name": case.requester_name,
        "requester_address_lines": [line for line in case.requester_address.splitlines() if line.strip()],
        "request": request_facts(case, fmt),
        "rights": [{"code": code, "name": right_name(regime, code, language),
                    "citation": local_citation(regime.right(code).citation, language, style=style)}
                   for code in case.rights if regime.right(code)],
        "access": access, "questions": questions, "training": training, "artefacts": artefacts,
        "erasure": {**erasure, "rows": erasure_rows,
                    "notification_text": texts.NOTIFICATION_STATUSES[language].get(notification["status"], ""),
                    "rule": law.rules.get("recipients_notification")},
        "objection": {**objection, "from_text": fmt(objection["from"]) if objection["from"] else "",
                      "restricted_text": fmt(objection["restricted_from"]) if objection["restricted_from"] else "",
                      "rule": law.rules.get("objection"), "restriction_rule": law.rules.get("restriction_while_assessed")},
        "refusal": {**refusal, "scope_text": texts.REFUSAL_SCOPES[language].get(refusal["scope"], ""),
                    "grounds_text": [grounds.get(code, code) for code in refusal["grounds"]]},
        "anonymity_rule": law.rules.get("anonymity") if any(a["outcome"] == "anonymous" for a in answer["artefacts"]) else None,
        # The gaps in the letter's language (stored with English labels; the codes decide).
        "missing": [{**gap, "label": item_label(gap["code"], law, language)} for gap in missing],
        "manifest": manifest_rows(files), "note": answer["note"],
        "remedies": law.remedies if answer_needs_remedies(answer) else None,
    }


def response_letter_html(*, case: Case, response: EmployerResponse, team, today: date) -> tuple[str, str]:
    files = list(ResponseFile.objects.filter(response=response).select_related("attachment"))
    context = response_letter_context(case=case, answer=response.answer, files=files, missing=response.missing,
                                      team=team, today=today)
    return render_to_string(f"dpo/letters/{context['language']}/response.html", context), context["language"]
