"""Bulk letters (issue 10): for the members who mandated the organisation, one job produces every pending letter,
each letter an idempotent unit claimed like the reminders; cancel, resume, a ZIP with a manifest whose hashes
match the PDFs, a merged PDF for printing, emails through the outbox once. Re-running produces nothing twice."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from deletion_portal.advocacy.bulk import (
    bulk_job_cancel,
    bulk_job_resume,
    bulk_job_start,
    bulk_job_step,
    bulk_requeue_stale,
)
from deletion_portal.advocacy.bulk_models import BulkItemState, BulkJob, BulkJobItem, BulkJobState
from deletion_portal.advocacy.models import CaseShare
from deletion_portal.cases.models import CaseEvent, EventKind, EventSource, Letter, LetterKind
from deletion_portal.cases.services import letter_finalize
from deletion_portal.core.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(isolated_media, settings):
    settings.BULK_CHUNK = 3


def planned(job: BulkJob) -> BulkJob:
    """The job after a worker's first step, which lists its letters."""
    assert bulk_job_step(job_id=job.pk) == "more"
    job.refresh_from_db()
    return job


def run(job: BulkJob, *, steps: int = 100) -> BulkJob:
    for _ in range(steps):
        if bulk_job_step(job_id=job.pk) in ("finished", "cancelled", "idle"):
            break
    job.refresh_from_db()
    return job


def final_requests(cases) -> list[Letter]:
    return list(Letter.objects.filter(case__in=cases, kind=LetterKind.REQUEST, is_final=True))


def test_the_job_plans_one_request_per_mandated_draft_and_nothing_for_the_rest(
        advocate, organisation, mandated_cases, fake_renderer):
    mandated = mandated_cases(3)
    shared_only = mandated_cases(1, act_for=False)
    revoked = mandated_cases(1, revoked=True)
    letter_finalize(case=mandated[2])  # the member finalised it already: not pending

    job = bulk_job_start(organisation=organisation, user=advocate)
    assert (job.state, job.total) == (BulkJobState.QUEUED, 0)  # a worker lists the letters

    job = planned(job)
    assert set(job.items.values_list("case_id", "kind")) == {(mandated[0].pk, LetterKind.REQUEST),
                                                             (mandated[1].pk, LetterKind.REQUEST)}
    assert job.total == 2 and job.state == BulkJobState.RUNNING
    assert not job.items.filter(case__in=shared_only + revoked).exists()


def test_a_job_produces_every_letter_once_and_rerunning_produces_nothing(advocate, organisation, mandated_cases,
                                                                        fake_renderer):
    cases = mandated_cases(7)
    job = run(bulk_job_start(organisation=organisation, user=advocate))

    assert (job.state, job.total, job.done, job.errors) == (BulkJobState.FINISHED, 7, 7, 0)
    assert len(final_requests(cases)) == 7
    events = CaseEvent.objects.filter(case__in=cases, kind=EventKind.FINALISED)
    assert events.count() == 7 and set(events.values_list("source", flat=True)) == {EventSource.ORGANISATION}

    # The same job stepped again, and a second job: nothing new.
    assert bulk_job_step(job_id=job.pk) == "idle"
    again = run(bulk_job_start(organisation=organisation, user=advocate))
    assert (again.state, again.total, again.done) == (BulkJobState.FINISHED, 0, 0)
    assert len(final_requests(cases)) == 7
    assert Letter.objects.filter(case__in=cases).count() == 7  # no stray drafts either


def test_a_worker_that_died_mid_letter_leaves_a_claim_that_is_taken_over_without_a_second_letter(
        advocate, organisation, mandated_cases, fake_renderer, settings):
    settings.BULK_STALE_SECONDS = 60
    cases = mandated_cases(4)
    job = planned(bulk_job_start(organisation=organisation, user=advocate))
    # A worker claimed two items and died: one before its transaction committed (nothing happened), one after the
    # member finalised the letter themselves in the meantime.
    dead = list(job.items.order_by("id")[:2])
    old = timezone.now() - timedelta(seconds=120)
    BulkJobItem.objects.filter(pk__in=[i.pk for i in dead]).update(state=BulkItemState.RUNNING, claimed_at=old,
                                                                   attempts=1)
    BulkJob.objects.filter(pk=job.pk).update(state=BulkJobState.RUNNING, heartbeat_at=old)
    by_member = letter_finalize(case=dead[1].case)

    assert bulk_requeue_stale() == 1  # beat hands the stalled job to a worker again
    job = run(job)

    assert (job.state, job.done, job.errors) == (BulkJobState.FINISHED, 4, 0)
    letters = final_requests(cases)
    assert len(letters) == 4 and len({letter.case_id for letter in letters}) == 4
    assert BulkJobItem.objects.get(pk=dead[1].pk).letter_id == by_member.pk


def test_a_fresh_claim_of_a_live_worker_is_not_taken_over(advocate, organisation, mandated_cases, fake_renderer):
    mandated_cases(2)
    job = planned(bulk_job_start(organisation=organisation, user=advocate))
    first = job.items.order_by("id").first()
    BulkJobItem.objects.filter(pk=first.pk).update(state=BulkItemState.RUNNING, claimed_at=timezone.now())

    run(job)

    assert BulkJobItem.objects.get(pk=first.pk).state == BulkItemState.RUNNING
    job.refresh_from_db()
    assert (job.state, job.done) == (BulkJobState.RUNNING, 1)  # waits for the live worker, never finishes early


def test_cancel_stops_between_letters_and_resume_produces_only_the_rest(advocate, organisation, mandated_cases,
                                                                       fake_renderer):
    cases = mandated_cases(7)
    job = planned(bulk_job_start(organisation=organisation, user=advocate))
    assert bulk_job_step(job_id=job.pk) == "more"  # one chunk (3 letters)

    assert bulk_job_cancel(job=job)
    assert bulk_job_step(job_id=job.pk) == "cancelled"
    job.refresh_from_db()
    assert (job.state, job.done) == (BulkJobState.CANCELLED, 3)
    assert len(final_requests(cases)) == 3
    assert not bulk_job_cancel(job=job)

    assert bulk_job_resume(job=job)
    job = run(job)
    assert (job.state, job.done) == (BulkJobState.FINISHED, 7)
    assert len(final_requests(cases)) == 7


def test_a_revoked_mandate_stops_the_letters_not_yet_produced(advocate, organisation, mandated_cases, fake_renderer):
    cases = mandated_cases(4)
    job = planned(bulk_job_start(organisation=organisation, user=advocate))
    CaseShare.objects.filter(case=cases[3]).update(revoked_at=timezone.now())

    job = run(job)

    assert (job.done, job.skipped, job.state) == (3, 1, BulkJobState.FINISHED)
    assert not Letter.objects.filter(case=cases[3], is_final=True).exists()
    assert "revoked" in job.items.get(case=cases[3]).error


def test_a_letter_that_cannot_be_produced_is_reported_and_the_others_are_made(advocate, organisation, mandated_cases,
                                                                            fake_renderer):
    cases = mandated_cases(3)
    job = bulk_job_start(organisation=organisation, user=advocate)
    type(cases[1]).objects.filter(pk=cases[1].pk).update(requester_address="")  # incomplete now

    job = run(job)

    assert (job.done, job.errors, job.state) == (2, 1, BulkJobState.FINISHED)
    assert "postal address" in job.items.get(case=cases[1]).error


def test_the_zip_holds_every_pdf_and_a_manifest_whose_hashes_match(advocate, organisation, mandated_cases,
                                                                   fake_renderer):
    cases = mandated_cases(4)
    job = run(bulk_job_start(organisation=organisation, user=advocate))

    with job.zip_file.open("rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == job.zip_sha256
    archive = zipfile.ZipFile(io.BytesIO(data))
    rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    manifest = json.loads(archive.read("manifest.json"))
    assert [row["file"] for row in rows] == [entry["file"] for entry in manifest["letters"]]
    assert {row["member_reference"] for row in rows} == {case.reference for case in cases}
    letters = {letter.short_id: letter for letter in final_requests(cases)}
    for row in rows:
        content = archive.read(row["file"])
        assert hashlib.sha256(content).hexdigest() == row["sha256"] == letters[row["letter_id"]].sha256
        assert row["letter_kind"] == "request"
    # One merged PDF for printing: every letter's pages, in the manifest's order.
    from pypdf import PdfReader

    with job.merged_pdf.open("rb") as handle:
        merged = PdfReader(io.BytesIO(handle.read()))
    assert len(merged.pages) == sum(int(row["pages"]) for row in rows) == 4
    assert manifest["print_volumes"] == [{"file": "print/letters-001.pdf", "pages": 4}]


def test_emailed_letters_go_through_the_outbox_once(advocate, organisation, mandated_cases, fake_renderer):
    cases = mandated_cases(3)
    job = run(bulk_job_start(organisation=organisation, user=advocate, send_emails=True))

    assert (job.done, job.emailed) == (3, 3)
    assert OutboxMessage.objects.filter(key__startswith="letter:").count() == 3
    sent = CaseEvent.objects.filter(case__in=cases, kind=EventKind.SENT)
    assert sent.count() == 3 and set(sent.values_list("source", flat=True)) == {EventSource.ORGANISATION}
    run(bulk_job_start(organisation=organisation, user=advocate, send_emails=True))
    assert OutboxMessage.objects.filter(key__startswith="letter:").count() == 3


def test_only_admins_and_organisers_start_jobs_and_one_at_a_time(organisation, org_people, mandated_cases,
                                                                  fake_renderer):
    from django.core.exceptions import ValidationError

    mandated_cases(2)
    with pytest.raises(ValidationError):
        bulk_job_start(organisation=organisation, user=org_people["viewer"])
    with pytest.raises(ValidationError):
        bulk_job_start(organisation=organisation, user=org_people["other_admin"])
    bulk_job_start(organisation=organisation, user=org_people["org_admin"])
    with pytest.raises(ValidationError, match="still running"):
        bulk_job_start(organisation=organisation, user=org_people["organiser"])


def test_case_ids_limit_the_job_and_a_case_without_a_mandate_is_refused_by_name(advocate, organisation,
                                                                                mandated_cases, fake_renderer):
    from django.core.exceptions import ValidationError

    cases = mandated_cases(3)
    other = mandated_cases(1, act_for=False)[0]
    with pytest.raises(ValidationError) as refused:
        bulk_job_start(organisation=organisation, user=advocate, case_ids=[cases[0].pk, other.pk])
    assert "case_ids" in refused.value.message_dict
    job = run(bulk_job_start(organisation=organisation, user=advocate, case_ids=[cases[0].pk]))
    assert job.total == job.done == 1 and job.case_ids == [cases[0].pk]


def test_follow_ups_that_are_due_are_produced_for_mandated_sent_cases(advocate, organisation, mandated_cases,
                                                                      fake_renderer):
    import time_machine

    from deletion_portal.cases.services import case_record_event
    from tests.support.data import SENT_ON

    case = mandated_cases(1)[0]
    with time_machine.travel(f"{SENT_ON.isoformat()} 09:00:00Z", tick=False):
        letter_finalize(case=case, today=SENT_ON)
        case_record_event(case=case, kind=EventKind.SENT, on=SENT_ON, details={"channel": "email"}, today=SENT_ON)
    with time_machine.travel("2025-07-15 10:00:00Z", tick=False):  # the GDPR month (Art. 12(3)) has passed
        job = run(bulk_job_start(organisation=organisation, user=advocate))
    assert [(item.kind, item.state) for item in job.items.all()] == [(LetterKind.FOLLOW_UP, BulkItemState.DONE)]
    assert Letter.objects.filter(case=case, kind=LetterKind.FOLLOW_UP, is_final=True).count() == 1


def test_real_pdfs_each_keep_their_own_page_count_and_footer(advocate, organisation, mandated_cases, pdf_rendering):
    from pypdf import PdfReader

    cases = mandated_cases(2)
    job = run(bulk_job_start(organisation=organisation, user=advocate))
    archive = zipfile.ZipFile(job.zip_file.open("rb"))
    rows = json.loads(archive.read("manifest.json"))["letters"]
    total = 0
    for row in rows:
        reader = PdfReader(io.BytesIO(archive.read(row["file"])))
        pages = len(reader.pages)
        total += pages
        last = reader.pages[-1].extract_text()
        assert row["letter_id"] in last and f"{pages}/{pages}" in last.replace(" ", "")
    assert len(PdfReader(job.merged_pdf.open("rb")).pages) == total
    assert {row["member_reference"] for row in rows} == {case.reference for case in cases}


def test_documents_registered_for_a_member_join_the_zip_and_the_manifest(advocate, organisation, mandated_cases,
                                                                         fake_renderer, monkeypatch):
    from deletion_portal.advocacy import bulk

    cases = mandated_cases(2)
    calls = []

    def authorisations(*, organisation, case_ids):
        calls.append(sorted(case_ids))
        return {cases[0].pk: [bulk.BulkDocument(kind="authorisation", name="mandate.pdf", content=b"%PDF-signed")]}

    monkeypatch.setattr(bulk, "_document_providers", [authorisations])
    job = run(bulk_job_start(organisation=organisation, user=advocate))

    archive = zipfile.ZipFile(job.zip_file.open("rb"))
    rows = json.loads(archive.read("manifest.json"))["letters"]
    [extra] = [row for row in rows if row["letter_kind"] == "authorisation"]
    assert extra["member_reference"] == cases[0].reference
    assert hashlib.sha256(archive.read(extra["file"])).hexdigest() == extra["sha256"]
    assert calls == [sorted(case.pk for case in cases)]  # one call per job, every case at once


def test_a_finished_jobs_zip_and_print_pdf_are_deleted_after_bulk_files_days(advocate, organisation, mandated_cases,
                                                                             fake_renderer, settings,
                                                                             django_capture_on_commit_callbacks):
    from deletion_portal.advocacy.bulk import bulk_files_purge

    settings.BULK_FILES_DAYS = 7
    mandated_cases(1)
    job = run(bulk_job_start(organisation=organisation, user=advocate))
    storage, names = job.zip_file.storage, [job.zip_file.name, job.merged_pdf.name]

    assert bulk_files_purge(now=job.finished_at + timedelta(days=6)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert bulk_files_purge(now=job.finished_at + timedelta(days=8)) == 1

    job.refresh_from_db()
    assert not job.zip_file and not job.merged_pdf and job.done == 1
    assert not any(storage.exists(name) for name in names)
    assert Letter.objects.filter(is_final=True).count() == 1  # the member's letter stays on the case
