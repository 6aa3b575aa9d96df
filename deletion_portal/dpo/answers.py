"""The DPO's structured answer: validated per right against the law's data, checked for completeness against
what the request asked, and sent as a response letter (PDF, SHA-256) with its files.

The answer is one JSON document (the API's body; the DPO page's form builds the same document), validated by
:func:`answer_clean` into a normal form stored on ``EmployerResponse.answer``:

* ``on``: the answer's date (not in the future);
* ``access``: ``{item code: {status, text, ground}}`` for the law's required items
  (``Regime.employer_actions.answer.access_items``): ``answered`` (text), ``not_applicable`` (why) or
  ``withheld`` (a ground from the law's ``refusal_grounds``);
* ``training``: one row per data category: held or not, date range, system, used for training;
* ``artefacts``: one row per ML artefact (dataset, feature store, model, checkpoint, evaluation set, copy at
  a vendor) with its outcome (:data:`OUTCOMES`) and what that outcome requires: ``retained`` a ground from
  the law's ``retention_grounds``, ``anonymous`` an assessment (EDPB Opinion 28/2024), ``unlearning_applied``
  the method and how it was verified, the dated outcomes their date; no date in the future;
* ``erasure``: per category (erased on a date / retained on a ground / not held), backups and vendor copies,
  and the notification of recipients (GDPR Art. 19: done with the recipients, or impossible /
  disproportionate with why);
* ``objection``: upheld from a date, or rejected with the compelling legitimate grounds; restriction while
  assessed (from a date);
* ``questions``: the other things the request asked (legal basis, other data, restriction) — same shape as
  access items;
* ``refusal``: in whole or in part, on the law's refusal grounds, with reasons;
* ``files``: ids of files uploaded for this case (``dpo.answer_files``).

A bad value raises ``ValidationError({"artefacts[2].ground": "…"})``: the API answers 400 naming the field.
No law key is compared: the items, grounds and rules are the law record's.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from deletion_portal.cases.access import Need, Party, case_access_for
from deletion_portal.cases.models import Case, CaseStatus, EventKind, EventSource, LetterKind
from deletion_portal.cases.services import attachment_store, case_record_event, letter_issue, text_clean
from deletion_portal.cases.taxonomy import CATEGORY_BY_CODE, CATEGORY_CODES
from deletion_portal.core.outbox import outbox_enqueue
from deletion_portal.dpo import response_texts as texts
from deletion_portal.dpo.answer_files import CheckedAnswerFile
from deletion_portal.dpo.models import EmployerResponse, ResponseFile, ResponseStatus
from deletion_portal.dpo.response_texts import GENERIC_ITEMS as GENERIC_ITEM_LABELS
from deletion_portal.dpo.response_texts import ITEM_LABELS
from deletion_portal.dpo.response_texts import LABELS as LETTER_LABELS
from deletion_portal.employers.models import TeamRole
from deletion_portal.laws.registry import UnknownRegime, get_regime
from deletion_portal.laws.types import AnswerItem, RefusalGround, Regime, Rule

ITEM_STATUSES = {"answered": "Answered", "not_applicable": "Not applicable", "withheld": "Withheld"}
ARTEFACT_KINDS = {
    "dataset": "Dataset",
    "feature_store": "Feature store",
    "model": "Model",
    "checkpoint": "Checkpoint",
    "evaluation_set": "Evaluation set",
    "vendor_copy": "Copy at a vendor",
}
OUTCOMES = {
    "deleted": "Deleted",
    "excluded_from_training": "Excluded from training",
    "retrained_without": "Retrained without the data",
    "unlearning_applied": "Unlearning applied",
    "anonymous": "Claimed anonymous",
    "retained": "Retained",
    "not_held": "Not held",
}
#: Which outcomes need a date, and what the date means.
OUTCOME_DATES = {"deleted": "deleted on", "excluded_from_training": "excluded from", "retrained_without": "retrained on"}
ERASURE_OUTCOMES = {"erased": "Erased", "retained": "Retained", "not_held": "Not held"}
NOTIFICATION_STATUSES = {
    "done": "Recipients notified",
    "impossible": "Notification impossible",
    "disproportionate": "Notification would involve disproportionate effort",
    "no_recipients": "There were no recipients",
}
OBJECTION_OUTCOMES = {"upheld": "Upheld", "rejected": "Rejected"}
REFUSAL_SCOPES = {"whole": "in whole", "part": "in part"}
DATASET_KINDS = ("dataset", "feature_store", "evaluation_set", "vendor_copy")
MODEL_KINDS = ("model", "checkpoint")
RAW_CATEGORIES = tuple(c for c in CATEGORY_CODES if c not in ("training_datasets", "trained_models"))
TEXT_LIMIT = 4000
NAME_LIMIT = 200
MAX_ROWS = 200
EARLIEST = date(1990, 1, 1)

#: Items every regime's answer covers beyond the law's access items (the training questions of LEGAL.md §3); their
#: words in every letter language are ``dpo.response_texts.ITEM_LABELS``.
QUESTION_LABELS = {code: ITEM_LABELS["en"][code] for code in ("training:legal_basis", "other_data", "restriction:applied")}
OTHER_LABELS = {code: label for code, label in ITEM_LABELS["en"].items() if code not in QUESTION_LABELS}

#: A regime without ``employer_actions.answer`` in its record: the generic items of an access answer.
GENERIC_ACCESS_ITEMS = (
    AnswerItem("data:held", "The personal data held", "", "verify"),
    AnswerItem("purposes", "The purposes of the processing", "", "verify"),
    AnswerItem("recipients", "The recipients", "", "verify"),
    AnswerItem("retention", "How long the data is kept", "", "verify"),
    AnswerItem("sources", "Where the data came from", "", "verify"),
    AnswerItem("copy", "A copy of the data", "", "verify"),
)


@dataclass(frozen=True)
class AnswerLaw:
    """What the case's law says a complete answer contains (the record's, or the generic items)."""

    regime: Regime
    access_items: tuple[AnswerItem, ...]
    withholding_grounds: tuple[RefusalGround, ...]
    retention_grounds: tuple[RefusalGround, ...]
    remedies: Rule
    rules: dict  # name -> Rule (recipients_notification, objection, restriction_while_assessed, anonymity)


def answer_law(case: Case, language: str = "en") -> AnswerLaw | None:
    """The case's law's answer rules; in ``language`` (a letter language) where the record has the answer's
    words in it (``employer_actions.words``: labels, rule texts, citations as that language writes them), else
    in English. The codes are the same in every language."""
    try:
        regime = get_regime(case.law_key)
    except UnknownRegime:
        return None
    actions = regime.employer_actions
    if actions is None:
        return None
    rules = actions.answer
    law = AnswerLaw(
        regime=regime,
        access_items=rules.access_items if rules else GENERIC_ACCESS_ITEMS,
        withholding_grounds=actions.refusal_grounds,
        retention_grounds=rules.retention_grounds if rules else actions.refusal_grounds,
        remedies=actions.remedies,
        rules={} if rules is None else {
            "recipients_notification": rules.recipients_notification, "objection": rules.objection,
            "restriction_while_assessed": rules.restriction_while_assessed, "anonymity": rules.anonymity,
        },
    )
    return answer_law_in(law, language)


def answer_law_in(law: AnswerLaw, language: str) -> AnswerLaw:
    """``law`` with its labels, texts and citations in ``language``; unchanged for English or a language the
    record has no answer words in. A citation is the record's ``local_citation`` where it gives one, else the
    English citation localised by the record's ``letters.citation_style`` (``Art. 17(3)(e) GDPR`` ->
    ``Art. 17 Abs. 3 lit. e DSGVO``)."""
    from deletion_portal.cases.letters import local_citation

    words = law.regime.employer_actions.words_in(language) if language != "en" else None
    if words is None:
        return law
    style = law.regime.letters.citation_style

    def cite(english: str, local: str | None) -> str:
        return local or (local_citation(english, language, style=style) if english else "")

    def items(english: tuple, local: tuple) -> tuple:
        by_code = {item.code: item for item in local}
        return tuple(dataclasses.replace(item, label=by_code[item.code].label,
                                         citation=cite(item.citation, by_code[item.code].local_citation))
                     if item.code in by_code else item for item in english)

    def rule(english: Rule, local) -> Rule:
        return dataclasses.replace(english, text=local.text, citation=cite(english.citation, local.local_citation)) \
            if local is not None else english

    generic = GENERIC_ITEM_LABELS.get(language, {})
    access_items = items(law.access_items, words.access_items) if words.access_items else tuple(
        dataclasses.replace(item, label=generic.get(item.code, item.label)) for item in law.access_items)
    grounds = {g.code: g for g in words.refusal_grounds}
    retention = items(law.retention_grounds, words.retention_grounds or tuple(grounds.values()))
    return dataclasses.replace(
        law, access_items=access_items, withholding_grounds=items(law.withholding_grounds, words.refusal_grounds),
        retention_grounds=retention, remedies=rule(law.remedies, words.remedies),
        rules={name: rule(value, getattr(words, name)) for name, value in law.rules.items()},
    )


# --- Validation -----------------------------------------------------------------------------------------


def _bad(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _obj(value, field: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _bad(field, "must be an object.")
    return value


def _list(value, field: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _bad(field, "must be a list.")
    if len(value) > MAX_ROWS:
        raise _bad(field, f"has {len(value)} rows; the limit is {MAX_ROWS}.")
    return value


def _text(value, field: str, *, required: bool = False, limit: int = TEXT_LIMIT, label: str = "This") -> str:
    return text_clean(value, field=field, label=label, required=required, limit=limit)


def _date(value, field: str, *, today: date, required: bool = False) -> str:
    if value in (None, ""):
        if required:
            raise _bad(field, "give the date as YYYY-MM-DD.")
        return ""
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value)) if len(str(value)) == 10 else None
        except ValueError:
            day = None
        if day is None:
            raise _bad(field, f"'{str(value)[:20]}' is not a date: give it as YYYY-MM-DD.")
    if day > today:
        raise _bad(field, f"{day.isoformat()} is in the future: record only what has happened.")
    if day < EARLIEST:
        raise _bad(field, f"{day.isoformat()} is too early.")
    return day.isoformat()


def _bool(value, field: str) -> bool | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return value
    if value in ("yes", "true", "1"):
        return True
    if value in ("no", "false", "0"):
        return False
    raise _bad(field, "say true or false (or leave it out when unknown).")


def _choice(value, field: str, choices: dict | tuple, *, required: bool = False, what: str = "value") -> str:
    if value in (None, ""):
        if required:
            raise _bad(field, f"choose one of: {', '.join(choices)}.")
        return ""
    if not isinstance(value, str) or value not in choices:
        raise _bad(field, f"unknown {what} '{str(value)[:40]}'; valid: {', '.join(choices)}.")
    return value


def _ground(value, field: str, grounds: tuple[RefusalGround, ...], *, required: bool, what: str) -> str:
    codes = [g.code for g in grounds]
    if value in (None, ""):
        if required:
            raise _bad(field, f"{what} needs a ground from the law's list: {', '.join(codes) or 'none'}.")
        return ""
    if not isinstance(value, str) or value not in codes:
        raise _bad(field, f"'{str(value)[:40]}' is not a ground the law lists; valid: {', '.join(codes)}.")
    return value


def _item(raw, field: str, law: AnswerLaw) -> dict:
    raw = _obj(raw, field)
    unknown = sorted(set(raw) - {"status", "text", "ground"})
    if unknown:
        raise _bad(f"{field}.{unknown[0]}", "unknown field (known: status, text, ground).")
    status = _choice(raw.get("status"), f"{field}.status", ITEM_STATUSES, what="status")
    text = _text(raw.get("text"), f"{field}.text", label="The text")
    ground = ""
    if status == "answered" and not text:
        raise _bad(f"{field}.text", "an answered item needs the answer.")
    if status == "not_applicable" and not text:
        raise _bad(f"{field}.text", "say why the item does not apply.")
    if status == "withheld":
        ground = _ground(raw.get("ground"), f"{field}.ground", law.withholding_grounds, required=True, what="Withholding")
    return {"status": status, "text": text, "ground": ground}


def _items(raw, field: str, codes: list[str], law: AnswerLaw) -> dict:
    raw = _obj(raw, field)
    unknown = [code for code in raw if code not in codes]
    if unknown:
        raise _bad(f"{field}.{str(unknown[0])[:40]}", f"unknown item; valid: {', '.join(codes)}.")
    return {code: _item(raw[code], f"{field}.{code}", law) for code in codes if code in raw}


def _training(raw, today: date) -> list[dict]:
    rows, seen = [], set()
    for i, row in enumerate(_list(raw, "training")):
        where = f"training[{i}]"
        row = _obj(row, where)
        category = _choice(row.get("category"), f"{where}.category", CATEGORY_CODES, required=True, what="category")
        if category in seen:
            raise _bad(f"{where}.category", f"'{category}' is listed twice.")
        seen.add(category)
        start = _date(row.get("from"), f"{where}.from", today=today)
        end = _date(row.get("to"), f"{where}.to", today=today)
        if start and end and end < start:
            raise _bad(f"{where}.to", "the end of the date range is before its start.")
        rows.append({
            "category": category, "held": _bool(row.get("held"), f"{where}.held"), "from": start, "to": end,
            "system": _text(row.get("system"), f"{where}.system", limit=NAME_LIMIT, label="The system"),
            "used_for_training": _bool(row.get("used_for_training"), f"{where}.used_for_training"),
        })
    return rows


ARTEFACT_FIELDS = ("kind", "name", "purpose", "trained_on", "recipients", "outcome", "outcome_date", "method",
                   "verification", "assessment", "ground", "note")


def _artefacts(raw, law: AnswerLaw, today: date) -> list[dict]:
    rows = []
    for i, row in enumerate(_list(raw, "artefacts")):
        where = f"artefacts[{i}]"
        row = _obj(row, where)
        unknown = sorted(set(row) - set(ARTEFACT_FIELDS))
        if unknown:
            raise _bad(f"{where}.{unknown[0]}", f"unknown field (known: {', '.join(ARTEFACT_FIELDS)}).")
        outcome = _choice(row.get("outcome"), f"{where}.outcome", OUTCOMES, required=True, what="outcome")
        clean = {
            "kind": _choice(row.get("kind"), f"{where}.kind", ARTEFACT_KINDS, required=True, what="kind"),
            "name": _text(row.get("name"), f"{where}.name", required=True, limit=NAME_LIMIT, label="The name or identifier"),
            "purpose": _text(row.get("purpose"), f"{where}.purpose", label="The purpose"),
            "trained_on": _date(row.get("trained_on"), f"{where}.trained_on", today=today),
            "recipients": _text(row.get("recipients"), f"{where}.recipients", label="The recipients"),
            "outcome": outcome,
            "outcome_date": _date(row.get("outcome_date"), f"{where}.outcome_date", today=today,
                                  required=outcome in OUTCOME_DATES),
            "method": _text(row.get("method"), f"{where}.method", label="The method",
                            required=outcome == "unlearning_applied"),
            "verification": _text(row.get("verification"), f"{where}.verification",
                                  label="How the unlearning was verified", required=outcome == "unlearning_applied"),
            "assessment": _text(row.get("assessment"), f"{where}.assessment", required=outcome == "anonymous",
                                label="An anonymity claim needs the assessment (EDPB Opinion 28/2024); the assessment"),
            "ground": _ground(row.get("ground"), f"{where}.ground", law.retention_grounds,
                              required=outcome == "retained", what="Retaining an artefact"),
            "note": _text(row.get("note"), f"{where}.note", label="The note"),
        }
        if clean["trained_on"] and clean["outcome_date"] and clean["outcome_date"] < clean["trained_on"] \
                and outcome == "retrained_without":
            raise _bad(f"{where}.outcome_date", "the retraining cannot be before the first training.")
        rows.append(clean)
    return rows


def _erasure(raw, law: AnswerLaw, today: date) -> dict:
    raw = _obj(raw, "erasure")
    categories, seen = [], set()
    for i, row in enumerate(_list(raw.get("categories"), "erasure.categories")):
        where = f"erasure.categories[{i}]"
        row = _obj(row, where)
        category = _choice(row.get("category"), f"{where}.category", CATEGORY_CODES, required=True, what="category")
        if category in seen:
            raise _bad(f"{where}.category", f"'{category}' is listed twice.")
        seen.add(category)
        outcome = _choice(row.get("outcome"), f"{where}.outcome", ERASURE_OUTCOMES, required=True, what="outcome")
        categories.append({
            "category": category, "outcome": outcome,
            "on": _date(row.get("on"), f"{where}.on", today=today, required=outcome == "erased"),
            "ground": _ground(row.get("ground"), f"{where}.ground", law.retention_grounds,
                              required=outcome == "retained", what="Retaining data"),
        })
    notification = _obj(raw.get("notification"), "erasure.notification")
    status = _choice(notification.get("status"), "erasure.notification.status", NOTIFICATION_STATUSES, what="status")
    recipients = _text(notification.get("recipients"), "erasure.notification.recipients", label="The recipients",
                       required=status == "done")
    reason = _text(notification.get("reason"), "erasure.notification.reason", label="The reason",
                   required=status in ("impossible", "disproportionate"))
    return {
        "categories": categories,
        "backups": _text(raw.get("backups"), "erasure.backups", label="Backups"),
        "vendor_copies": _text(raw.get("vendor_copies"), "erasure.vendor_copies", label="Vendor copies"),
        "notification": {"status": status, "recipients": recipients, "reason": reason},
    }


def _objection(raw, today: date) -> dict:
    raw = _obj(raw, "objection")
    outcome = _choice(raw.get("outcome"), "objection.outcome", OBJECTION_OUTCOMES, what="outcome")
    return {
        "outcome": outcome,
        "from": _date(raw.get("from"), "objection.from", today=today, required=outcome == "upheld"),
        "grounds": _text(raw.get("grounds"), "objection.grounds", required=outcome == "rejected",
                         label="A rejection states the compelling legitimate grounds (Art. 21(1)); the grounds"),
        "restricted_from": _date(raw.get("restricted_from"), "objection.restricted_from", today=today),
    }


def _refusal(raw, law: AnswerLaw) -> dict:
    raw = _obj(raw, "refusal")
    scope = _choice(raw.get("scope"), "refusal.scope", REFUSAL_SCOPES, what="scope")
    if not scope:
        return {"scope": "", "grounds": [], "reasons": ""}
    grounds = _list(raw.get("grounds"), "refusal.grounds")
    if not grounds:
        raise _bad("refusal.grounds", "a refusal names at least one of the law's grounds.")
    for i, code in enumerate(grounds):
        _ground(code, f"refusal.grounds[{i}]", law.withholding_grounds, required=True, what="A refusal")
    return {"scope": scope, "grounds": list(dict.fromkeys(grounds)),
            "reasons": _text(raw.get("reasons"), "refusal.reasons", required=True, label="The reasons")}


def _files(raw, case: Case, team, response: EmployerResponse | None) -> list[int]:
    ids = _list(raw, "files")
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise _bad("files", "list the ids of files uploaded for this case.")
    files = ResponseFile.objects.filter(case=case, team=team, pk__in=ids)
    files = files.filter(Q(response__isnull=True) | Q(response=response)) if response else files.filter(response__isnull=True)
    usable = set(files.values_list("pk", flat=True))
    for i, pk in enumerate(ids):
        if pk not in usable:
            raise _bad(f"files[{i}]", f"no file {pk} uploaded by your team for this case (or it went with an earlier answer).")
    return list(dict.fromkeys(ids))


ANSWER_FIELDS = ("on", "access", "training", "artefacts", "erasure", "objection", "questions", "refusal", "files", "note")


def answer_clean(*, case: Case, data, team, response: EmployerResponse | None = None, today: date | None = None) -> dict:
    """The answer in normal form, or ValidationError naming the bad field."""
    today = today or timezone.localdate()
    law = answer_law(case)
    if law is None:
        raise _bad("case", "The case's law gives no rights to answer in the portal.")
    data = _obj(data, "answer")
    unknown = sorted(set(data) - set(ANSWER_FIELDS))
    if unknown:
        raise _bad(unknown[0], f"unknown field (known: {', '.join(ANSWER_FIELDS)}).")
    return {
        "on": _date(data.get("on"), "on", today=today) or today.isoformat(),
        "access": _items(data.get("access"), "access", [i.code for i in law.access_items], law),
        "training": _training(data.get("training"), today),
        "artefacts": _artefacts(data.get("artefacts"), law, today),
        "erasure": _erasure(data.get("erasure"), law, today),
        "objection": _objection(data.get("objection"), today),
        "questions": _items(data.get("questions"), "questions", list(QUESTION_LABELS), law),
        "refusal": _refusal(data.get("refusal"), law),
        "files": _files(data.get("files"), case, team, response),
        "note": _text(data.get("note"), "note", label="The covering note"),
    }


# --- Completeness -------------------------------------------------------------------------------------------


def item_label(code: str, law: AnswerLaw, language: str = "en") -> str:
    """What an item code of the answer means, in ``language`` (a letter language; ``law`` in the same language,
    :func:`answer_law_in`): the law's access item with its citation, a data category, or the portal's own item."""
    for item in law.access_items:
        if item.code == code:
            return f"{item.label} ({item.citation})" if item.citation else item.label
    if code.startswith("category:"):
        category = code.split(":", 1)[1]
        words = LETTER_LABELS[language]
        return f"{words['training_item']}{words['colon']} {category_label(category, language)}"
    return ITEM_LABELS[language].get(code) or ITEM_LABELS["en"].get(code) or code


def category_label(code: str, language: str = "en") -> str:
    """A data category's name in a letter language (``cases.letter_texts.CATEGORY_TEXT``; English: the taxonomy's)."""
    from deletion_portal.cases.letter_texts import CATEGORY_TEXT

    local = CATEGORY_TEXT.get(language, {}) if language != "en" else {}
    if code in local:
        return local[code][0]
    category = CATEGORY_BY_CODE.get(code)
    return category.label if category else code



def asked_codes(case: Case, law: AnswerLaw) -> list[str]:
    """What the request asked, as item codes (the tracking checklist's codes where they meet)."""
    rights = set(case.rights or [])
    categories = [c for c in case.categories if c in CATEGORY_BY_CODE]
    codes: list[str] = []
    if "access" in rights:
        codes += [item.code for item in law.access_items]
        if case.other_data.strip():
            codes.append("other_data")
    codes += [f"category:{c}" for c in categories]
    if "access" in rights:
        codes += ["training:used", "training:models", "training:recipients"]
    if rights & {"access", "objection"}:
        codes.append("training:legal_basis")
    if "objection" in rights:
        codes.append("objection:stopped")
    if "restriction" in rights:
        codes.append("restriction:applied")
    if "erasure" in rights:
        codes += ["erasure:raw", "erasure:datasets", "erasure:models", "erasure:recipients"]
    return codes


def _covered(code: str, case: Case, answer: dict) -> bool:
    items = {**answer.get("access", {}), **answer.get("questions", {})}
    if code in items:
        item = items[code]
        return bool(item["status"]) and (item["status"] != "answered" or bool(item["text"]) or bool(answer["files"]))
    if code == "copy":
        return bool(answer.get("files"))
    training = answer.get("training", [])
    artefacts = answer.get("artefacts", [])
    rows = {row["category"]: row for row in training}
    used = [row for row in training if row["used_for_training"]]
    none_used = bool(training) and all(row["used_for_training"] is False or row["held"] is False for row in training)
    if code.startswith("category:"):
        row = rows.get(code.split(":", 1)[1])
        return row is not None and row["held"] is not None
    if code == "training:used":
        return bool(training) and all(row["held"] is False or row["used_for_training"] is not None for row in training)
    if code == "training:models":
        return bool(artefacts) or none_used
    if code == "training:recipients":
        return (bool(artefacts) and all(a["recipients"] for a in artefacts)) or (none_used and not artefacts)
    if code == "objection:stopped":
        return bool(answer["objection"]["outcome"])
    erasure = answer.get("erasure", {})
    if code == "erasure:raw":
        erased = {row["category"] for row in erasure.get("categories", [])}
        wanted = [c for c in case.categories if c in RAW_CATEGORIES] or list(erased)
        return bool(erased) and all(c in erased for c in wanted)
    if code == "erasure:datasets":
        return any(a["kind"] in DATASET_KINDS for a in artefacts) or (none_used and not used)
    if code == "erasure:models":
        return any(a["kind"] in MODEL_KINDS for a in artefacts) or (none_used and not used)
    if code == "erasure:recipients":
        return bool(erasure.get("notification", {}).get("status")) and bool(erasure.get("backups")) \
            and bool(erasure.get("vendor_copies"))
    return False


def answer_gaps(*, case: Case, answer: dict) -> list[dict]:
    """What the answer leaves out of what the request asked: ``[{code, label}]`` in the request's order.
    A refusal in whole covers everything (it has its grounds and the remedies); in part, it covers nothing."""
    law = answer_law(case)
    if law is None:
        return []
    if answer.get("refusal", {}).get("scope") == "whole":
        return []
    return [{"code": code, "label": item_label(code, law)} for code in asked_codes(case, law)
            if not _covered(code, case, answer)]


def answer_needs_remedies(answer: dict) -> bool:
    """Something is refused, withheld or retained: the law's remedies go into the letter (GDPR Art. 12(4))."""
    items = [*answer.get("access", {}).values(), *answer.get("questions", {}).values()]
    return bool(
        answer.get("refusal", {}).get("scope")
        or any(item["status"] == "withheld" for item in items)
        or any(a["outcome"] == "retained" for a in answer.get("artefacts", []))
        or any(row["outcome"] == "retained" for row in answer.get("erasure", {}).get("categories", []))
        or answer.get("objection", {}).get("outcome") == "rejected"
        or answer.get("erasure", {}).get("notification", {}).get("status") in ("impossible", "disproportionate")
    )


# --- Access -------------------------------------------------------------------------------------------------


def _responder(case: Case, user):
    access = case_access_for(user, case, need=Need.RESPOND)
    if access is None or access.party != Party.EMPLOYER or not access.allows(Need.RESPOND):
        raise PermissionDenied("You may not answer this case for the employer.")
    return access


def _answerable(case: Case) -> None:
    if case.status not in (CaseStatus.SENT, CaseStatus.ANSWERED):
        raise _bad("case", "Only a request that was sent and is not closed can be answered.")


# --- Services -----------------------------------------------------------------------------------------------


def response_draft_for(*, case: Case, team) -> EmployerResponse | None:
    return EmployerResponse.objects.filter(case=case, team=team, status=ResponseStatus.DRAFT).first()


@transaction.atomic
def response_file_add(*, case: Case, user, checked: CheckedAnswerFile, name: str) -> ResponseFile:
    """Store an uploaded file of the team's answer (checked by ``answer_file_check``) on the case."""
    access = _responder(case, user)
    _answerable(case)
    attachment = attachment_store(case=case, upload=checked.upload, name=name, actor=user)
    attachment.shared_with_employer = True  # the employer's own file
    attachment.save(update_fields=["shared_with_employer"])
    return ResponseFile.objects.create(case=case, team=access.via, attachment=attachment, kind=checked.kind,
                                      zip_entries=list(checked.zip_entries), uploaded_by=user)


@dataclass(frozen=True)
class ResponseResult:
    response: EmployerResponse
    missing: list[dict]
    letter: object | None = None  # the response Letter once sent


@transaction.atomic
def response_save(*, case: Case, user, data, send: bool = False, today: date | None = None) -> ResponseResult:
    """Validate the answer, store it as the team's draft (one per team and case), check it for completeness;
    with ``send``, issue the response letter and record it (:func:`response_send`). Sending with gaps is
    allowed: people must be able to answer in part; the gaps are recorded and named in the letter."""
    today = today or timezone.localdate()
    access = _responder(case, user)
    case = Case.objects.select_for_update().get(pk=case.pk)
    _answerable(case)
    draft = response_draft_for(case=case, team=access.via)
    answer = answer_clean(case=case, data=data, team=access.via, response=draft, today=today)
    missing = answer_gaps(case=case, answer=answer)
    # A further answer completes the earlier ones: an item an earlier sent answer covered is no gap.
    earlier = [{gap["code"] for gap in r.missing}
               for r in EmployerResponse.objects.filter(case=case, status=ResponseStatus.SENT).only("missing")]
    missing = [gap for gap in missing if all(gap["code"] in codes for codes in earlier)]
    if draft is None:
        draft = EmployerResponse(case=case, team=access.via, created_by=user)
    draft.answer, draft.missing = answer, missing
    draft.save()
    ResponseFile.objects.filter(case=case, team=access.via, response=draft).exclude(pk__in=answer["files"]).update(response=None)
    ResponseFile.objects.filter(pk__in=answer["files"]).update(response=draft)
    if not send:
        return ResponseResult(draft, missing)
    letter = response_send(case=case, user=user, response=draft, access=access, today=today)
    return ResponseResult(draft, missing, letter)


def _acted_as(access) -> dict:
    role = TeamRole(access.role).label.split(" (")[0] if access.role in TeamRole.values else access.role
    return {"team": access.via.name, "member_role": role}


def response_send(*, case: Case, user, response: EmployerResponse, access, today: date):
    """Issue the response letter (PDF, SHA-256), record ``response_received`` (source employer, the letter
    and files in its details), which recomputes the case (answered) and opens the employee's checklist
    filled from the answer, and email the employee."""
    from deletion_portal.core.pdf import PdfRenderError
    from deletion_portal.dpo.response_letter import RESPONSE_TEMPLATE_VERSION, response_letter_html

    on = date.fromisoformat(response.answer["on"])
    sent = [e.on for e in case.events.filter(kind=EventKind.SENT)]
    if sent and on < min(sent):
        raise _bad("on", f"The request was sent on {min(sent).isoformat()}; the answer cannot be dated earlier.")
    html, language = response_letter_html(case=case, response=response, team=access.via, today=today)
    try:
        letter = letter_issue(case=case, kind=LetterKind.RESPONSE, html=html, language=language,
                              template_version=RESPONSE_TEMPLATE_VERSION)
    except PdfRenderError as error:  # too long for one letter: say so, keep nothing (the transaction rolls back)
        raise _bad("answer", f"The response letter could not be made: {error} Send it in parts.") from None
    files = list(ResponseFile.objects.filter(response=response).select_related("attachment"))
    law = answer_law(case)
    asked = asked_codes(case, law) if law else []
    missing_codes = {gap["code"] for gap in response.missing}
    answer = response.answer
    checked = {
        **_acted_as(access),
        "letter": letter.short_id, "sha256": letter.sha256,
        "response": response.pk,
        "answered": [code for code in asked if code not in missing_codes],
        "missing": [gap["code"] for gap in response.missing],
        "not_answered": [gap["label"] for gap in response.missing],
        "files": [f"{f.attachment.original_name} (SHA-256 {f.attachment.sha256})" for f in files],
        "file_ids": [f.attachment_id for f in files],
    }
    if answer_needs_remedies(answer) and law is not None:
        checked.update({"remedies": law.remedies.text, "remedies_citation": law.remedies.citation})
    refusal = answer["refusal"]
    if refusal["scope"] and law is not None:
        # The refusal slot of the answer is a refusal like the action's (dpo.actions.case_refuse): its own
        # timeline event, so the outcome columns (Case.refused) and the follow-up see it.
        offered = {g.code: g for g in law.withholding_grounds}
        chosen = [offered[code] for code in refusal["grounds"] if code in offered]
        case_record_event(
            case=case, kind=EventKind.REFUSED, on=on, actor=user, source=access.event_source(EventSource.EMPLOYER),
            team=access.via, details={"grounds": "; ".join(f"{g.label} ({g.citation})" for g in chosen)},
            checked_details={**_acted_as(access), "scope": REFUSAL_SCOPES[refusal["scope"]],
                             "ground_codes": [g.code for g in chosen], "reasons": refusal["reasons"],
                             "warnings": [g.warning for g in chosen if g.warning], "remedies": law.remedies.text,
                             "remedies_citation": law.remedies.citation, "letter": letter.short_id},
            today=today)
    event = case_record_event(case=case, kind=EventKind.RESPONSE_RECEIVED, on=on,
                              actor=user, source=access.event_source(EventSource.EMPLOYER), team=access.via,
                              checked_details=checked, today=today)
    response.status, response.letter, response.event = ResponseStatus.SENT, letter, event
    response.sent_by, response.sent_at = user, timezone.now()
    response.save(update_fields=["status", "letter", "event", "sent_by", "sent_at", "updated_at"])
    _notify_employee(case=case, response=response, letter=letter)
    return letter


def _notify_employee(*, case: Case, response: EmployerResponse, letter) -> None:
    case = Case.objects.select_related("owner", "employer").get(pk=case.pk)
    if case.owner is None or not case.owner.email:
        return  # a request the team recorded: the team sends the PDF and files itself
    context = {"case": case, "response": response, "letter": letter, "team": response.team,
               "missing": response.missing, "employer": case.employer}
    subject = " ".join(render_to_string("emails/dpo/response_subject.txt", context, using="text").split())
    body = render_to_string("emails/dpo/response_body.txt", context, using="text")
    outbox_enqueue(key=f"employer-response:{response.pk}", topic=f"case:{case.pk}", to=[case.owner.email],
                   subject=subject, body=body)


# --- Reading (the employee's page, the API) -------------------------------------------------------------------


def _day(value: str, language: str) -> str:
    from deletion_portal.cases.letters import format_date

    return format_date(date.fromisoformat(value), language) if value else ""


def artefact_plain(row: dict, law: AnswerLaw | None, language: str = "en") -> str:
    """One artefact in plain language, e.g. "Model support-agent-v3: retrained without your data on 12 March 2027",
    in ``language`` (the interface language; its gettext catalogue is active: :func:`response_view`)."""
    def day(value: str) -> str:
        return _day(value, language)

    kinds = texts.ARTEFACT_KINDS[language]
    what = f"{kinds.get(row['kind'], row['kind'])} {row['name']}"
    outcome = row["outcome"]
    grounds = {g.code: f"{g.label} ({g.citation})" for g in (law.retention_grounds if law else ())}
    text = {
        "deleted": lambda: _("deleted on %(date)s") % {"date": day(row["outcome_date"])},
        "excluded_from_training": lambda: _("your data is excluded from its training from %(date)s")
        % {"date": day(row["outcome_date"])},
        "retrained_without": lambda: _("retrained without your data on %(date)s") % {"date": day(row["outcome_date"])},
        "unlearning_applied": lambda: _("your data was removed by unlearning (%(method)s); how it was checked: "
                                        "%(verification)s") % {"method": row["method"], "verification": row["verification"]},
        "anonymous": lambda: _("the employer says the model is anonymous; its assessment: %(assessment)s")
        % {"assessment": row["assessment"]},
        "retained": lambda: _("kept, on the ground: %(ground)s") % {"ground": grounds.get(row["ground"], row["ground"])},
        "not_held": lambda: _("not held"),
    }.get(outcome, lambda: outcome)()
    return f"{what}: {text}"


def _yes_no(value) -> str:
    return {True: _("yes"), False: _("no")}.get(value, _("not stated"))


def _structured_text(code: str, answer: dict, grounds: dict, language: str = "en") -> str:
    """What the structured parts of an answer say about one item, in plain words (for the employee)."""
    training = {row["category"]: row for row in answer.get("training", [])}
    erasure = answer.get("erasure", {})
    if code.startswith("category:"):
        row = training.get(code.split(":", 1)[1])
        if not row:
            return ""
        period = ", " + _("%(start)s to %(end)s") % {"start": _day(row["from"], language) or "?",
                                                      "end": _day(row["to"], language) or "?"} \
            if row["from"] or row["to"] else ""
        where = ", " + _("in %(system)s") % {"system": row["system"]} if row["system"] else ""
        return (_("Held: %(value)s") % {"value": _yes_no(row["held"])} + period + where + "; "
                + _("used for training: %(value)s") % {"value": _yes_no(row["used_for_training"])})
    if code == "training:used":
        used = [category_label(c, language) for c, row in training.items() if row["used_for_training"]]
        if used:
            return _("Used for training: %(categories)s") % {"categories": ", ".join(used)}
        return _("Not used for training") if training else ""
    if code in ("training:models", "erasure:datasets", "erasure:models", "training:recipients"):
        return _("See the datasets and models below.") if answer.get("artefacts") else ""
    if code == "erasure:raw":
        outcomes = texts.ERASURE_OUTCOMES[language]
        return "; ".join(f"{category_label(row['category'], language)}: {outcomes[row['outcome']].lower()}"
                         f"{' ' + _('on %(date)s') % {'date': _day(row['on'], language)} if row['on'] else ''}"
                         f"{' (' + _('ground: %(ground)s') % {'ground': grounds.get(row['ground'], row['ground'])} + ')' if row['ground'] else ''}"
                         for row in erasure.get("categories", []))
    if code == "erasure:recipients":
        notification = erasure.get("notification", {})
        parts = [texts.NOTIFICATION_STATUSES[language].get(notification.get("status", ""), "")]
        parts += [_("recipients: %(value)s") % {"value": notification["recipients"]} if notification.get("recipients") else "",
                  _("why: %(value)s") % {"value": notification["reason"]} if notification.get("reason") else "",
                  _("backups: %(value)s") % {"value": erasure["backups"]} if erasure.get("backups") else "",
                  _("vendor copies: %(value)s") % {"value": erasure["vendor_copies"]} if erasure.get("vendor_copies") else ""]
        return "; ".join(part for part in parts if part)
    if code == "objection:stopped":
        objection = answer.get("objection", {})
        if objection.get("outcome") == "upheld":
            return _("Upheld: processing for training stopped on %(date)s") % {"date": _day(objection["from"], language)}
        if objection.get("outcome") == "rejected":
            return _("Rejected; their compelling grounds: %(grounds)s") % {"grounds": objection["grounds"]}
    return ""


def responses_sent(case: Case) -> list[EmployerResponse]:
    return list(EmployerResponse.objects.filter(case=case, status=ResponseStatus.SENT)
                .select_related("letter", "team", "event").prefetch_related("files__attachment").order_by("sent_at", "id"))


def view_language(language: str | None = None) -> str:
    """The letter language the employee's view of an answer uses: ``language`` or the active interface language
    (``de-at`` -> ``de``), English when there are no answer words in it."""
    code = (language or translation.get_language() or "en").split("-")[0].lower()
    return code if code in texts.LABELS else "en"


def response_view(*, case: Case, response: EmployerResponse, law: AnswerLaw | None = None,
                  language: str = "en") -> dict:
    """A sent answer, item by item, for the employee (the page and the API): what was asked, its status and
    text, gaps marked ``missing``; training rows; artefacts in plain language; the letter and the files. In
    ``language`` (the page: the interface language) where the law record and the catalogues have its words."""
    with translation.override(language):
        return _response_view(case=case, response=response, law=law or answer_law(case, language), language=language)


def _response_view(*, case: Case, response: EmployerResponse, law: AnswerLaw | None, language: str) -> dict:
    answer = response.answer
    missing = {gap["code"] for gap in response.missing}
    grounds = {g.code: f"{g.label} ({g.citation})" for g in ((*law.withholding_grounds, *law.retention_grounds) if law else ())}
    items = []
    for code in (asked_codes(case, law) if law else []):
        item = answer.get("access", {}).get(code) or answer.get("questions", {}).get(code) or {}
        items.append({"code": code, "label": item_label(code, law, language), "status": item.get("status", ""),
                      "text": item.get("text", "") or _structured_text(code, answer, grounds, language),
                      "ground": grounds.get(item.get("ground", ""), ""), "missing": code in missing})
    letter = response.letter
    return {
        "id": response.pk, "on": answer.get("on"), "on_text": _day(answer.get("on") or "", language),
        "team": response.team.name,
        "letter": {"id": letter.pk, "short_id": letter.short_id, "kind": letter.kind, "sha256": letter.sha256} if letter else None,
        "event": response.event_id,
        "items": items,
        # The gaps as stored (codes), labelled in the view's language.
        "missing": [{**gap, "label": item_label(gap["code"], law, language) if law else gap["label"]}
                    for gap in response.missing],
        "training": answer.get("training", []),
        "artefacts": [{**row, "plain": artefact_plain(row, law, language)} for row in answer.get("artefacts", [])],
        "erasure": answer.get("erasure", {}),
        "objection": {**answer.get("objection", {}), "from_text": _day(answer.get("objection", {}).get("from") or "", language)},
        "refusal": answer.get("refusal", {}),
        "remedies": ({"text": law.remedies.text, "citation": law.remedies.citation}
                     if law and answer_needs_remedies(answer) else None),
        "files": [{"attachment": f.attachment_id, "name": f.attachment.original_name, "kind": f.kind,
                   "size": f.attachment.size, "sha256": f.attachment.sha256, "zip_entries": f.zip_entries}
                  for f in response.files.all()],
    }
