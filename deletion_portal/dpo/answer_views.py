"""The DPO's answer on the case page (no JavaScript needed): one form that builds the same document as the
API (``dpo.answers``), "Save and check" (a draft and its gaps) or "Send the answer"; and the file upload.
Thin: parse the POST into the answer document, call one service, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from deletion_portal.cases.access import Need
from deletion_portal.cases.models import CaseStatus
from deletion_portal.cases.taxonomy import CATEGORY_BY_CODE
from deletion_portal.dpo.answer_files import answer_file_check
from deletion_portal.dpo.answers import (
    ARTEFACT_FIELDS,
    ARTEFACT_KINDS,
    ERASURE_OUTCOMES,
    ITEM_STATUSES,
    NOTIFICATION_STATUSES,
    OBJECTION_OUTCOMES,
    OUTCOMES,
    QUESTION_LABELS,
    REFUSAL_SCOPES,
    answer_gaps,
    answer_law,
    asked_codes,
    response_draft_for,
    response_file_add,
    response_save,
    responses_sent,
)
from deletion_portal.dpo.decorators import team_member_required
from deletion_portal.dpo.models import ResponseFile
from deletion_portal.dpo.selectors import team_case_get

BLANK_ARTEFACT_ROWS = 3


def _category_label(code: str) -> str:
    return CATEGORY_BY_CODE[code].label if code in CATEGORY_BY_CODE else code


def answer_from_post(post, *, case) -> dict:
    """The answer document from the page's form (field names as in ``dpo/case_answer_form.html``)."""
    law = answer_law(case)
    g = post.get

    def item(prefix: str) -> dict | None:
        status = g(f"{prefix}-status", "")
        text, ground = g(f"{prefix}-text", ""), g(f"{prefix}-ground", "")
        if not (status or text.strip() or ground):
            return None
        return {"status": status, "text": text, "ground": ground}

    access = {item_.code: v for item_ in (law.access_items if law else ()) if (v := item(f"access-{item_.code}"))}
    questions = {code: v for code in QUESTION_LABELS if (v := item(f"q-{code}"))}
    training = []
    count = g("training-count", "0")
    for i in range(min(int(count), 50) if str(count).isdigit() else 0):
        row = {name: g(f"training-{i}-{name}", "") for name in ("category", "held", "from", "to", "system", "used_for_training")}
        if any(row[name] for name in ("held", "from", "to", "system", "used_for_training")):
            training.append(row)
    artefacts = []
    count = g("artefact-count", "0")
    for i in range(min(int(count), 200) if str(count).isdigit() else 0):
        row = {name: g(f"art-{i}-{name}", "") for name in ARTEFACT_FIELDS}
        if any(str(v).strip() for name, v in row.items() if name != "kind"):
            artefacts.append(row)
    erasure_rows = []
    count = g("erasure-count", "0")
    for i in range(min(int(count), 50) if str(count).isdigit() else 0):
        row = {name: g(f"erasure-{i}-{name}", "") for name in ("category", "outcome", "on", "ground")}
        if row["outcome"] or row["on"] or row["ground"]:
            erasure_rows.append(row)
    files = []
    for value in post.getlist("files"):
        files.append(int(value) if str(value).isdigit() else value)
    return {
        "on": g("on", ""),
        "access": access,
        "questions": questions,
        "training": training,
        "artefacts": artefacts,
        "erasure": {"categories": erasure_rows, "backups": g("erasure-backups", ""), "vendor_copies": g("erasure-vendor_copies", ""),
                    "notification": {"status": g("notify-status", ""), "recipients": g("notify-recipients", ""),
                                     "reason": g("notify-reason", "")}},
        "objection": {"outcome": g("objection-outcome", ""), "from": g("objection-from", ""),
                      "grounds": g("objection-grounds", ""), "restricted_from": g("objection-restricted_from", "")},
        "refusal": {"scope": g("refusal-scope", ""), "grounds": post.getlist("refusal-grounds"),
                    "reasons": g("refusal-reasons", "")},
        "files": files,
        "note": g("note", ""),
    }


def _error_list(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items()]
    return list(error.messages)


def answer_page_context(*, case, user, posted: dict | None = None, errors: list[str] | None = None,
                        gaps: list[dict] | None = None) -> dict:
    """What the answer section of the DPO's case page shows: the form (from the POST being corrected, the
    team's draft, or empty), the gaps of the draft, the team's uploaded files, the sent answers."""
    law = answer_law(case)
    can_answer = (law is not None and case.access.allows(Need.RESPOND)
                  and case.status in (CaseStatus.SENT, CaseStatus.ANSWERED))
    team = case.access.via
    draft = response_draft_for(case=case, team=team) if team is not None else None
    doc = posted if posted is not None else (draft.answer if draft else {})
    if gaps is None and draft is not None and posted is None:
        gaps = draft.missing
    access = doc.get("access") or {}
    questions = doc.get("questions") or {}
    asked = set(asked_codes(case, law)) if law else set()
    training_by = {row.get("category"): row for row in doc.get("training") or [] if isinstance(row, dict)}
    categories = [c for c in case.categories if c in CATEGORY_BY_CODE] + [c for c in training_by if c not in case.categories
                                                                          and c in CATEGORY_BY_CODE]
    erasure = doc.get("erasure") or {}
    erasure_by = {row.get("category"): row for row in erasure.get("categories") or [] if isinstance(row, dict)}
    artefacts = [row for row in doc.get("artefacts") or [] if isinstance(row, dict)]
    artefacts = artefacts + [{} for _ in range(BLANK_ARTEFACT_ROWS)]
    chosen = set(doc.get("files") or [])
    files = list(ResponseFile.objects.filter(case=case, team=team, response__isnull=True).select_related("attachment")) \
        if team is not None else []
    if draft is not None:
        files += list(ResponseFile.objects.filter(response=draft).select_related("attachment"))
    return {
        "answer_can": can_answer,
        "answer_errors": errors or [],
        "answer_gaps": gaps,
        "answer_draft": draft,
        "answer_on": doc.get("on", ""),
        "answer_note": doc.get("note", ""),
        "answer_access": [{"code": i.code, "label": i.label, "citation": i.citation, "asked": i.code in asked,
                           **{k: (access.get(i.code) or {}).get(k, "") for k in ("status", "text", "ground")}}
                          for i in (law.access_items if law else ())],
        "answer_questions": [{"code": code, "label": label, "asked": code in asked,
                              **{k: (questions.get(code) or {}).get(k, "") for k in ("status", "text", "ground")}}
                             for code, label in QUESTION_LABELS.items()],
        "answer_training": [{"i": i, "category": c, "label": _category_label(c), **{
            k: _form_value((training_by.get(c) or {}).get(k)) for k in ("held", "from", "to", "system", "used_for_training")}}
            for i, c in enumerate(categories)],
        "answer_artefacts": [{"i": i, **{k: row.get(k) or "" for k in ARTEFACT_FIELDS}} for i, row in enumerate(artefacts)],
        "answer_erasure": [{"i": i, "category": c, "label": _category_label(c),
                            **{k: (erasure_by.get(c) or {}).get(k) or "" for k in ("outcome", "on", "ground")}}
                           for i, c in enumerate(categories)] if "erasure" in case.rights else [],
        "answer_erasure_text": {k: erasure.get(k, "") for k in ("backups", "vendor_copies")},
        "answer_notification": erasure.get("notification") or {},
        "answer_objection": doc.get("objection") or {},
        "answer_refusal": doc.get("refusal") or {},
        "answer_files": [{"id": f.pk, "name": f.attachment.original_name, "kind": f.kind, "size": f.attachment.size,
                          "sha256": f.attachment.sha256, "entries": len(f.zip_entries), "chosen": f.pk in chosen}
                         for f in files],
        "answer_choices": {
            "statuses": ITEM_STATUSES, "kinds": ARTEFACT_KINDS, "outcomes": OUTCOMES, "erasure": ERASURE_OUTCOMES,
            "notification": NOTIFICATION_STATUSES, "objection": OBJECTION_OUTCOMES, "scopes": REFUSAL_SCOPES,
            "withholding": [(g.code, f"{g.label} ({g.citation})") for g in (law.withholding_grounds if law else ())],
            "retention": [(g.code, f"{g.label} ({g.citation})") for g in (law.retention_grounds if law else ())],
        },
        "answer_rules": law.rules if law else {},
        "answer_sent": responses_sent(case) if team is not None else [],
        "answer_rights": set(case.rights or []),
    }


def _form_value(value) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value or ""


def _page(request, case, *, posted=None, errors=None, gaps=None, status=200):
    from deletion_portal.dpo.views import case_page_render

    return case_page_render(request, case, status=status,
                            extra=answer_page_context(case=case, user=request.user, posted=posted, errors=errors, gaps=gaps))


@team_member_required
@require_POST
def case_answer(request, pk):
    case = team_case_get(request.user, pk, need=Need.RESPOND)
    posted = answer_from_post(request.POST, case=case)
    send = "send" in request.POST
    try:
        result = response_save(case=case, user=request.user, data=posted, send=send)
    except PermissionDenied:
        raise Http404("No such case.") from None
    except ValidationError as error:
        return _page(request, case, posted=posted, errors=_error_list(error), status=400)
    if result.letter is not None:
        gaps = f" It leaves {len(result.missing)} item(s) unanswered; they are recorded." if result.missing else ""
        messages.success(request, f"The answer was sent as letter {result.letter.short_id}.{gaps}")
    elif result.missing:
        messages.warning(request, f"Draft saved. {len(result.missing)} item(s) are not answered yet: see the list.")
    else:
        messages.success(request, "Draft saved. Every item the request asked is answered.")
    return redirect(f"/employer/cases/{case.pk}#answer")


@team_member_required
@require_POST
def case_answer_file(request, pk):
    case = team_case_get(request.user, pk, need=Need.RESPOND)
    upload = request.FILES.get("file")
    try:
        checked = answer_file_check(upload)
        response_file_add(case=case, user=request.user, checked=checked, name=getattr(upload, "name", "") or "file")
    except PermissionDenied:
        raise Http404("No such case.") from None
    except ValidationError as error:
        return _page(request, case, errors=_error_list(error), status=400)
    messages.success(request, "File uploaded: tick it in the answer to send it with the answer.")
    return redirect(f"/employer/cases/{case.pk}#answer")


__all__ = ["answer_from_post", "answer_gaps", "answer_page_context", "case_answer", "case_answer_file"]
