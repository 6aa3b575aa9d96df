"""Bulk jobs at once (issue 10): one running job per campaign and one organisation-wide job, so two campaigns of an
organisation produce their letters at the same time; two jobs over the same members never produce a letter twice —
the letter's claim key (``BulkJobItem.letter_key``: case, kind, draft) is unique among the pending, running and done
items of every job, so one job lists, claims and produces it and the other leaves it out."""

from __future__ import annotations

import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from deletion_portal.accounts.models import Role
from deletion_portal.advocacy import campaigns as svc
from deletion_portal.advocacy.bulk import bulk_job_cancel, bulk_job_resume, bulk_job_start, bulk_job_step
from deletion_portal.advocacy.bulk_models import BulkItemState, BulkJob, BulkJobItem, BulkJobState
from deletion_portal.cases.models import Letter, LetterKind
from deletion_portal.cases.services import case_update
from tests.support.data import DRAFT_FIELDS
from tests.support.world import login, make_account

pytestmark = pytest.mark.django_db

DETAILS = {k: DRAFT_FIELDS[k] for k in ("work_country", "work_region", "requester_name", "requester_address",
                                         "requester_email")}


@pytest.fixture(autouse=True)
def _media(isolated_media, settings):
    settings.BULK_CHUNK = 2


def open_campaign(organisation, actor, employer, title):
    return svc.campaign_open(campaign=svc.campaign_create(
        organisation=organisation, actor=actor, title=title, employers=[employer], law_keys=["eu-gdpr"],
        region="DE-BY", bundle="erase_training", categories=["keystrokes"], language="en"), actor=actor)


@pytest.fixture
def campaigns(organisation, advocate, employer):
    return open_campaign(organisation, advocate, employer, "Keystrokes"), open_campaign(organisation, advocate,
                                                                                        employer, "Screens")


def members(campaign, prefix, n):
    made = []
    for i in range(n):
        name = f"{prefix}{i}"
        user = make_account(f"{name}@mail.example", Role.EMPLOYEE, name.title())
        member = svc.campaign_join(campaign=campaign, user=user, consents={"mandate": True}, signature=name.title())
        case_update(case=member.case, **DETAILS | {"requester_name": name.title()})
        made.append(member.case)
    return made


def step(job) -> str:
    return bulk_job_step(job_id=job.pk)


def run(job) -> BulkJob:
    for _ in range(100):
        if step(job) in ("finished", "cancelled", "idle"):
            break
    job.refresh_from_db()
    return job


def zip_letter_ids(job) -> list[str]:
    archive = zipfile.ZipFile(job.zip_file.open("rb"))
    return [r["letter_id"] for r in json.loads(archive.read("manifest.json"))["letters"] if r["letter_id"]]


def finals(cases) -> list[Letter]:
    return list(Letter.objects.filter(case__in=cases, kind=LetterKind.REQUEST, is_final=True))


def test_two_campaigns_of_one_organisation_run_at_once(organisation, advocate, campaigns, fake_renderer):
    first, second = campaigns
    ours, theirs = members(first, "kay", 3), members(second, "sam", 2)
    job_a = bulk_job_start(organisation=organisation, user=advocate, campaign=first)
    job_b = bulk_job_start(organisation=organisation, user=advocate, campaign=second)  # not refused
    while "more" in (step(job_a), step(job_b)):  # interleaved, as two workers would
        pass
    job_a.refresh_from_db()
    job_b.refresh_from_db()
    assert (job_a.state, job_a.done, job_b.state, job_b.done) == (BulkJobState.FINISHED, 3, BulkJobState.FINISHED, 2)
    assert set(job_a.items.values_list("case_id", flat=True)) == {c.pk for c in ours}
    assert set(job_b.items.values_list("case_id", flat=True)) == {c.pk for c in theirs}


def test_one_job_at_a_time_per_campaign_and_one_organisation_wide(organisation, advocate, campaigns, fake_renderer):
    first, second = campaigns
    members(first, "kay", 1)
    running = bulk_job_start(organisation=organisation, user=advocate, campaign=first)
    with pytest.raises(ValidationError, match="this campaign is still running"):
        bulk_job_start(organisation=organisation, user=advocate, campaign=first)
    wide = bulk_job_start(organisation=organisation, user=advocate)  # another scope
    with pytest.raises(ValidationError, match="organisation-wide bulk job is still running"):
        bulk_job_start(organisation=organisation, user=advocate)
    bulk_job_start(organisation=organisation, user=advocate, campaign=second)
    assert BulkJob.objects.filter(state=BulkJobState.QUEUED).count() == 3

    run(running)
    assert bulk_job_start(organisation=organisation, user=advocate, campaign=first).pk  # the scope is free again
    assert bulk_job_cancel(job=wide)


def test_two_jobs_over_the_same_members_produce_each_letter_once(organisation, advocate, campaigns, fake_renderer):
    """The organisation-wide job and a campaign's job both cover the campaign's members; run interleaved, each
    letter is produced by exactly one of them and is in exactly one ZIP."""
    first, second = campaigns
    shared, other = members(first, "kay", 5), members(second, "sam", 2)
    campaign_job = bulk_job_start(organisation=organisation, user=advocate, campaign=first)
    wide = bulk_job_start(organisation=organisation, user=advocate)
    assert step(campaign_job) == "more" and step(wide) == "more"  # both planned before either produced anything
    while "more" in (step(wide), step(campaign_job)):
        pass
    campaign_job.refresh_from_db()
    wide.refresh_from_db()
    assert (campaign_job.state, wide.state) == (BulkJobState.FINISHED, BulkJobState.FINISHED)

    letters = finals(shared + other)
    assert len(letters) == 7 and len({letter.case_id for letter in letters}) == 7  # one request per member
    produced = list(BulkJobItem.objects.filter(state=BulkItemState.DONE).values_list("letter_id", flat=True))
    assert sorted(produced) == sorted(letter.pk for letter in letters)  # each by one job only
    assert campaign_job.done + wide.done == 7 and campaign_job.done == 5  # the campaign's job planned them first
    in_zips = zip_letter_ids(campaign_job) + zip_letter_ids(wide)
    assert sorted(in_zips) == sorted(letter.short_id for letter in letters)  # no letter in two ZIPs


def test_the_claim_key_is_unique_among_live_items_of_all_jobs(organisation, advocate, campaigns, fake_renderer):
    first, _second = campaigns
    [case] = members(first, "kay", 1)
    one = bulk_job_start(organisation=organisation, user=advocate, campaign=first)
    step(one)
    item = one.items.get()
    assert item.letter_key == f"{case.pk}:request:-"
    other = bulk_job_start(organisation=organisation, user=advocate)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database itself refuses a second live claim
        BulkJobItem.objects.create(job=other, case=case, kind=LetterKind.REQUEST, letter_key=item.letter_key)
    BulkJobItem.objects.create(job=other, case=case, kind=LetterKind.REQUEST, letter_key=item.letter_key,
                               state=BulkItemState.SKIPPED)  # a settled-without-letter item holds nothing
    BulkJobItem.objects.filter(pk=item.pk).update(state=BulkItemState.FAILED)  # a failed item frees the letter
    assert BulkJobItem.objects.filter(job=other).update(state=BulkItemState.PENDING) == 1  # so it can be claimed again


def test_a_cancelled_jobs_pending_letters_are_taken_over_and_its_resume_skips_them(
        organisation, advocate, campaigns, fake_renderer):
    first, _second = campaigns
    cases = members(first, "kay", 4)
    stopped = bulk_job_start(organisation=organisation, user=advocate, campaign=first)
    assert step(stopped) == "more" and step(stopped) == "more"  # planned 4, produced 2
    assert bulk_job_cancel(job=stopped)

    wide = run(bulk_job_start(organisation=organisation, user=advocate))
    assert (wide.state, wide.done) == (BulkJobState.FINISHED, 2)  # the two the cancelled job had not produced

    assert bulk_job_resume(job=stopped)
    stopped = run(stopped)
    assert (stopped.state, stopped.done, stopped.skipped) == (BulkJobState.FINISHED, 2, 2)
    assert len(finals(cases)) == 4
    assert BulkJobItem.objects.filter(state=BulkItemState.DONE).count() == 4


def test_resuming_skips_a_failed_letter_another_job_produced_meanwhile(organisation, advocate, campaigns,
                                                                       fake_renderer, monkeypatch):
    first, _second = campaigns
    [case] = members(first, "kay", 1)
    failing = bulk_job_start(organisation=organisation, user=advocate, campaign=first)
    step(failing)
    BulkJobItem.objects.filter(job=failing).update(state=BulkItemState.FAILED, error="printer on fire")
    BulkJob.objects.filter(pk=failing.pk).update(state=BulkJobState.FAILED, errors=1)

    wide = run(bulk_job_start(organisation=organisation, user=advocate))
    assert wide.done == 1
    failing.refresh_from_db()
    assert bulk_job_resume(job=failing)
    failing = run(failing)
    assert (failing.state, failing.done, failing.errors, failing.skipped) == (BulkJobState.FINISHED, 0, 0, 1)
    assert len(finals([case])) == 1


def test_resuming_is_refused_while_another_job_of_the_scope_runs(client, organisation, advocate, campaigns,
                                                                  fake_renderer):
    first, _second = campaigns
    members(first, "kay", 1)
    stopped = bulk_job_start(organisation=organisation, user=advocate, campaign=first)
    assert bulk_job_cancel(job=stopped)
    bulk_job_start(organisation=organisation, user=advocate, campaign=first)
    with pytest.raises(ValidationError, match="still running"):
        bulk_job_resume(job=stopped)
    login(client, advocate)
    page = client.post(reverse("bulk:resume", args=[stopped.pk]), follow=True)
    assert page.status_code == 200 and b"still running" in page.content
    stopped.refresh_from_db()
    assert stopped.state == BulkJobState.CANCELLED
