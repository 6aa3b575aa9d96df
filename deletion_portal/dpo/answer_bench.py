"""``bench letters``: the employer's response letter (20 artefact rows, a 50-file manifest), rendered and
stored like every letter (HTML + PDF + SHA-256), beside the request letter, in the same rolled-back run."""

from __future__ import annotations

import hashlib
import time
from datetime import date, timedelta

from deletion_portal.cases.bench import ms_summary
from deletion_portal.cases.models import Attachment, CaseStatus, LetterKind
from deletion_portal.cases.services import letter_issue
from deletion_portal.dpo.answers import answer_clean, answer_gaps
from deletion_portal.dpo.models import EmployerResponse, ResponseFile
from deletion_portal.dpo.response_letter import RESPONSE_TEMPLATE_VERSION, response_letter_context
from deletion_portal.employers.models import EmployerTeam

OUTCOME_CYCLE = (
    {"outcome": "deleted", "outcome_date": "2026-02-20"},
    {"outcome": "retrained_without", "outcome_date": "2026-02-25"},
    {"outcome": "excluded_from_training", "outcome_date": "2026-02-10"},
    {"outcome": "unlearning_applied", "method": "SISA shard retraining", "verification": "membership-inference test"},
    {"outcome": "retained", "ground": "legal_claims"},
    {"outcome": "anonymous", "assessment": "Extraction and query attacks tested; see the DPIA annex."},
    {"outcome": "not_held"},
)
KINDS = ("dataset", "feature_store", "model", "checkpoint", "evaluation_set", "vendor_copy")


def bench_answer(today: date) -> dict:
    """An answer with 20 artefact rows (every outcome) for the bench and the tests."""
    return {
        "on": today.isoformat(),
        "access": {"art15_1_a": {"status": "answered", "text": "Productivity analytics and training of support models."}},
        "training": [{"category": c, "held": True, "from": "2023-01-01", "to": "2026-01-31", "system": "Telemetry lake",
                      "used_for_training": True} for c in ("keystrokes", "mouse_movements", "screen_activity")],
        "artefacts": [{"kind": KINDS[i % len(KINDS)], "name": f"artefact-{i:02d}", "purpose": "Support-agent assistance",
                       "trained_on": (today - timedelta(days=400 - i)).isoformat(), "recipients": "Vendor AI Ltd",
                       **OUTCOME_CYCLE[i % len(OUTCOME_CYCLE)]} for i in range(20)],
    }


def bench_response_letter(*, cases, today: date) -> list[str]:
    team = EmployerTeam.objects.create(name="Benchmark privacy office")
    timings = []
    for n, case in enumerate(cases[: max(3, min(len(cases), 20))]):
        case.status = CaseStatus.SENT
        case.save(update_fields=["status"])
        files = []
        for i in range(50):
            content = f"bench {n} {i}".encode()
            attachment = Attachment.objects.create(case=case, file=f"attachments/bench-{n}-{i}.csv",
                                                   original_name=f"export-{i:02d}.csv", content_type="text/csv",
                                                   size=len(content), sha256=hashlib.sha256(content).hexdigest())
            files.append(ResponseFile(case=case, team=team, attachment=attachment, kind="csv"))
        ResponseFile.objects.bulk_create(files)
        answer = answer_clean(case=case, data=bench_answer(today), team=team, today=today)
        response = EmployerResponse.objects.create(case=case, team=team, answer=answer,
                                                   missing=answer_gaps(case=case, answer=answer))
        files = list(ResponseFile.objects.filter(case=case).select_related("attachment"))
        started = time.perf_counter()
        from django.template.loader import render_to_string

        context = response_letter_context(case=case, answer=response.answer, files=files, missing=response.missing,
                                          team=team, today=today)
        html = render_to_string(f"dpo/letters/{context['language']}/response.html", context)
        letter_issue(case=case, kind=LetterKind.RESPONSE, html=html, language=context["language"],
                     template_version=RESPONSE_TEMPLATE_VERSION)
        timings.append(time.perf_counter() - started)
    return [f"response letter (20 artefact rows, 50-file manifest; HTML + PDF + SHA-256 + store): "
            f"{ms_summary(timings)}, {len(timings)} letters"]
