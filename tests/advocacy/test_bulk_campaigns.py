"""Bulk letters for a campaign (issue 10): each mandated member's signed authorisation sits beside their letters in
the ZIP and manifest (GDPR Art. 80(1) / 11 CCR §7063: the agent shows its authorisation), a campaign's job covers
only that campaign's members with a live mandate, the letters say the organisation sends them on the member's
behalf, and the campaign page offers the job to admins and organisers only."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import pytest
from django.urls import reverse

from deletion_portal.accounts.models import Role
from deletion_portal.advocacy import campaigns as svc
from deletion_portal.advocacy.bulk import bulk_job_start, bulk_job_step
from deletion_portal.advocacy.bulk_models import BulkJob, BulkJobState
from deletion_portal.advocacy.consents import bulk_authorisations, mandate_revoke
from deletion_portal.advocacy.models import Mandate
from deletion_portal.cases.services import case_update
from tests.support.data import DRAFT_FIELDS
from tests.support.world import login, make_account

pytestmark = pytest.mark.django_db

DETAILS = {k: DRAFT_FIELDS[k] for k in ("work_country", "work_region", "requester_name", "requester_address",
                                         "requester_email")}


@pytest.fixture(autouse=True)
def _media(isolated_media, settings):
    settings.BULK_CHUNK = 50


def open_campaign(organisation, actor, employer, title="Delete the keystrokes"):
    return svc.campaign_open(campaign=svc.campaign_create(
        organisation=organisation, actor=actor, title=title, employers=[employer], law_keys=["eu-gdpr"],
        region="DE-BY", bundle="erase_training", categories=["keystrokes", "mouse_movements"], language="en"),
        actor=actor)


@pytest.fixture
def campaign(organisation, advocate, employer):
    organisation.contact_email = "cases@wdc.example"
    organisation.save()
    return open_campaign(organisation, advocate, employer)


def member_of(campaign, name, **consents):
    user = make_account(f"{name}@mail.example", Role.EMPLOYEE, name.title())
    member = svc.campaign_join(campaign=campaign, user=user, consents=consents,
                               signature=name.title() if consents.get("mandate") else "")
    case_update(case=member.case, **DETAILS | {"requester_name": name.title()})
    return member


def run(job: BulkJob) -> BulkJob:
    for _ in range(50):
        if bulk_job_step(job_id=job.pk) in ("finished", "cancelled", "idle"):
            break
    job.refresh_from_db()
    return job


def manifest(job: BulkJob) -> tuple[zipfile.ZipFile, list[dict]]:
    archive = zipfile.ZipFile(job.zip_file.open("rb"))
    return archive, json.loads(archive.read("manifest.json"))["letters"]


# --- 1. The signed authorisation beside the letters ----------------------------------------------------------


def test_the_zip_holds_each_mandated_members_authorisation_and_every_hash_matches_the_manifest(
        campaign, advocate, fake_renderer):
    mandated = member_of(campaign, "mia", mandate=True)
    also = member_of(campaign, "max", mandate=True)
    job = run(bulk_job_start(organisation=campaign.organisation, user=advocate))
    assert (job.state, job.done) == (BulkJobState.FINISHED, 2), list(job.items.values("state", "error"))

    archive, rows = manifest(job)
    for row in rows:
        assert hashlib.sha256(archive.read(row["file"])).hexdigest() == row["sha256"], row["file"]
    kinds = {(row["member_reference"], row["letter_kind"]) for row in rows}
    assert kinds == {(m.case.reference, kind) for m in (mandated, also) for kind in ("request", "authorisation")}
    [row] = [r for r in rows if r["letter_kind"] == "authorisation" and r["member_reference"] == mandated.case.reference]
    assert row["sha256"] == Mandate.objects.get(member=mandated).pdf_sha256  # the very PDF the member signed
    assert set(json.loads(archive.read("manifest.json")).keys()) >= {"job", "organisation", "campaign"}
    assert archive.read("manifest.csv").decode().count(",authorisation,") == 2


def test_an_authorisation_is_given_only_for_a_live_mandate(campaign, advocate, fake_renderer):
    live = member_of(campaign, "liv", mandate=True)
    revoked = member_of(campaign, "rev", mandate=True)
    shared = member_of(campaign, "sha", see_case=True)
    left = member_of(campaign, "lef", mandate=True)
    mandate_revoke(member=revoked, actor=revoked.case.owner)
    svc.campaign_leave(member=left, actor=left.case.owner)

    found = bulk_authorisations(organisation=campaign.organisation,
                                case_ids=[m.case_id for m in (live, revoked, shared, left)])
    assert list(found) == [live.case_id]
    [document] = found[live.case_id]
    assert document.kind == "authorisation" and document.content.startswith(b"%PDF")


def test_a_letter_produced_after_the_mandate_was_revoked_has_no_authorisation(campaign, advocate, fake_renderer):
    """A member who revoked between the planning and the ZIP: their letter is skipped (not produced) and the
    ZIP carries no authorisation of theirs."""
    kept = member_of(campaign, "kep", mandate=True)
    gone = member_of(campaign, "gon", mandate=True)
    job = bulk_job_start(organisation=campaign.organisation, user=advocate)
    assert bulk_job_step(job_id=job.pk) == "more"  # planned: both
    mandate_revoke(member=gone, actor=gone.case.owner)
    job = run(job)
    _archive, rows = manifest(job)
    assert {(r["member_reference"], r["letter_kind"]) for r in rows} == {
        (kept.case.reference, "request"), (kept.case.reference, "authorisation")}
    assert job.skipped == 1


# --- 2. Campaign-scoped jobs -----------------------------------------------------------------------------------


def test_a_campaign_job_covers_only_that_campaigns_members_with_a_live_mandate(
        campaign, organisation, advocate, employer, fake_renderer):
    other_campaign = open_campaign(organisation, advocate, employer, title="Another one")
    ours = member_of(campaign, "our", mandate=True)
    member_of(campaign, "see", see_case=True, statistics=True)
    revoked = member_of(campaign, "rev", mandate=True)
    mandate_revoke(member=revoked, actor=revoked.case.owner)
    theirs = member_of(other_campaign, "oth", mandate=True)

    job = run(bulk_job_start(organisation=organisation, user=advocate, campaign=campaign))
    assert job.campaign_id == campaign.pk
    assert set(job.items.values_list("case_id", flat=True)) == {ours.case_id}
    _archive, rows = manifest(job)
    assert {r["member_reference"] for r in rows} == {ours.case.reference}

    with pytest.raises(Exception, match="case_ids"):  # a member of the other campaign is not this job's
        bulk_job_start(organisation=organisation, user=advocate, campaign=campaign, case_ids=[theirs.case_id])


def test_another_organisations_campaign_cannot_scope_a_job(campaign, org_people, fake_renderer):
    rival = org_people["other_organisation"]
    with pytest.raises(Exception, match="Not a campaign of this organisation"):
        bulk_job_start(organisation=rival, user=org_people["other_admin"], campaign=campaign)


def test_the_api_starts_a_campaign_job_and_answers_404_to_everybody_else(client, campaign, org_people, fake_renderer):
    from deletion_portal.advocacy.models import OrganisationMembership, OrganisationRole

    for key in ("org_admin", "organiser", "viewer"):  # org_people's organisation is the campaign's
        assert OrganisationMembership.objects.filter(user=org_people[key], organisation=campaign.organisation,
                                                     role=OrganisationRole(key.replace("org_", ""))).exists()
    member = member_of(campaign, "api", mandate=True)
    url = reverse("api-v1:campaign-bulk-letters", args=[campaign.pk])
    for key in ("other_admin", "viewer"):
        login(client, org_people[key])
        assert client.post(url, data="{}", content_type="application/json").status_code == 404, key
    login(client, org_people["organiser"])
    assert client.post(reverse("api-v1:campaign-bulk-letters", args=[campaign.pk + 999]), data="{}",
                       content_type="application/json").status_code == 404
    bad = client.post(url, data=json.dumps({"case_ids": "all"}), content_type="application/json")
    assert bad.status_code == 400 and "case_ids" in bad.json()
    assert not BulkJob.objects.exists()

    response = client.post(url, data="{}", content_type="application/json")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["campaign"], body["organisation"], body["state"]) == (campaign.pk, campaign.organisation_id, "queued")
    run(BulkJob.objects.get(pk=body["id"]))
    detail = client.get(reverse("api-v1:job-detail", args=[body["id"]])).json()
    assert (detail["state"], detail["done"]) == ("finished", 1)
    assert {r["member_reference"] for r in manifest(BulkJob.objects.get(pk=body["id"]))[1]} == {member.case.reference}


def test_the_campaign_page_offers_the_job_to_organisers_only(client, campaign, org_people, fake_renderer):
    member_of(campaign, "pag", mandate=True)
    page_url = reverse("advocacy:campaign", args=[campaign.pk])
    start_url = reverse("advocacy:campaign-bulk", args=[campaign.pk])

    login(client, org_people["viewer"])
    page = client.get(page_url)
    assert page.status_code == 200 and b"Produce the mandated members" not in page.content
    assert client.post(start_url).status_code == 404
    login(client, org_people["other_admin"])
    assert client.post(start_url).status_code == 404
    assert client.get(start_url).status_code == 405  # POST only: a GET never starts anything
    assert not BulkJob.objects.exists()

    login(client, org_people["organiser"])
    page = client.get(page_url)
    assert b"Produce the mandated members' letters" in page.content and b"1 member of this campaign" in page.content
    response = client.post(start_url)
    job = BulkJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("bulk:job", args=[job.pk])
    assert job.campaign_id == campaign.pk
    again = client.post(start_url, follow=True)  # one job at a time: the refusal is shown on the campaign page
    assert again.redirect_chain[-1][0] == page_url and b"still running" in again.content
    run(job)
    page = client.get(page_url)
    assert f'id="job-{job.pk}"'.encode() in page.content and b"Finished" in page.content


# --- 3. Letters under a mandate say who sends them ------------------------------------------------------------


def test_a_bulk_letter_under_a_mandate_says_the_organisation_sends_it_on_the_members_behalf(
        campaign, advocate, pdf_rendering):
    from pypdf import PdfReader

    member = member_of(campaign, "rea", mandate=True)
    job = run(bulk_job_start(organisation=campaign.organisation, user=advocate, campaign=campaign))
    archive, rows = manifest(job)
    [letter] = [r for r in rows if r["letter_kind"] == "request"]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read(letter["file"]))).pages)
    text = " ".join(text.split())
    mandate = Mandate.objects.get(member=member)
    assert f"Sent by {campaign.organisation.name} on behalf of Rea" in text
    assert "cases@wdc.example" in text
    assert mandate.text_sha256[:16] in text.replace(" ", "")


# --- 4. The print PDF: each letter followed by its authorisation ------------------------------------------------


def test_in_the_print_pdf_each_mandated_members_letter_is_followed_by_their_authorisation(
        campaign, advocate, pdf_rendering):
    """Issue 10: the signed authorisation is "attached to every letter sent under it" — on paper too."""
    from pypdf import PdfReader

    members = {m.case.reference: m for m in (member_of(campaign, "mia", mandate=True),
                                             member_of(campaign, "max", mandate=True))}
    member_of(campaign, "sue", see_case=True)  # no mandate: no letter, no authorisation
    job = run(bulk_job_start(organisation=campaign.organisation, user=advocate, campaign=campaign))
    _archive, rows = manifest(job)
    pages = [" ".join((page.extract_text() or "").split()) for page in PdfReader(job.merged_pdf.open("rb")).pages]
    assert sum("Signed authorisation" in text for text in pages) == 2

    position = 0
    for row in [r for r in rows if r["letter_kind"] == "request"]:  # the print order
        name = members[row["member_reference"]].case.requester_name
        letter = pages[position:position + row["pages"]]
        assert letter and f"on behalf of {name}" in letter[0] and not any("Signed authorisation" in t for t in letter)
        position += row["pages"]
        [authorisation] = [r for r in rows if r["letter_kind"] == "authorisation"
                           and r["member_reference"] == row["member_reference"]]
        assert authorisation["pages"] >= 1
        attached = pages[position:position + authorisation["pages"]]
        assert "Signed authorisation" in attached[0] and f"Member: {name}" in attached[0]
        position += authorisation["pages"]
    assert position == len(pages)  # nothing else in the print PDF


def test_every_letter_of_a_member_carries_the_authorisation_in_every_print_volume(
        campaign, advocate, fake_renderer, monkeypatch):
    """A volume boundary never separates a letter from its authorisation (volumes count letters only)."""
    from pypdf import PdfReader

    import deletion_portal.advocacy.bulk as bulk

    monkeypatch.setattr(bulk, "PRINT_VOLUME_LETTERS", 1)
    for name in ("ann", "bob", "cat"):
        member_of(campaign, name, mandate=True)
    job = run(bulk_job_start(organisation=campaign.organisation, user=advocate))
    archive, rows = manifest(job)
    volumes = json.loads(archive.read("manifest.json"))["print_volumes"]
    authorisations = {r["member_reference"]: r for r in rows if r["letter_kind"] == "authorisation"}
    assert len(volumes) == 3 and len(authorisations) == 3
    for volume, letter in zip(volumes, [r for r in rows if r["letter_kind"] == "request"], strict=True):
        authorisation = authorisations[letter["member_reference"]]
        assert volume["pages"] == letter["pages"] + authorisation["pages"] == 2
        assert len(PdfReader(io.BytesIO(archive.read(volume["file"]))).pages) == 2
