"""Campaigns, joining, consents, mandates and the organiser's view (issue 10; LEGAL.md §5)."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from deletion_portal.accounts.models import Role
from deletion_portal.advocacy import campaigns as svc
from deletion_portal.advocacy.consents import consent_set, mandate_revoke
from deletion_portal.advocacy.models import (
    Campaign,
    CampaignState,
    CaseShare,
    Consent,
    ConsentKind,
    Mandate,
    OrganisationMembership,
    OrganisationRole,
)
from deletion_portal.advocacy.selectors import campaign_overview, small_count
from deletion_portal.cases.access import Need, case_access_for
from deletion_portal.cases.letters import letter_html
from deletion_portal.cases.services import case_update, letter_send_email
from deletion_portal.core.models import OutboxMessage
from tests.support.data import DRAFT_FIELDS, PASSWORD
from tests.support.world import finalise_directly, login, make_account

pytestmark = pytest.mark.django_db

DETAILS = {k: DRAFT_FIELDS[k] for k in ("work_country", "work_region", "requester_name", "requester_address",
                                         "requester_email")}


@pytest.fixture
def campaign(organisation, advocate, employer):
    organisation.contact_email = "cases@wdc.example"
    organisation.not_for_profit = True  # GDPR Art. 80(1): the mandate then covers complaints and court
    organisation.save()
    c = svc.campaign_create(organisation=organisation, actor=advocate, title="Delete the keystrokes",
                            employers=[employer], law_keys=["eu-gdpr"], region="DE-BY", bundle="erase_training",
                            categories=["keystrokes", "mouse_movements"], language="en",
                            extra_questions="Which vendor trained the model?\n<script>x</script>",
                            locked=["employer", "law_key", "rights"])
    return svc.campaign_open(campaign=c, actor=advocate)


def member_of(campaign, name, **consents):
    user = make_account(f"{name}@mail.example", Role.EMPLOYEE, name.title())
    member = svc.campaign_join(campaign=campaign, user=user, consents=consents,
                               signature=name.title() if consents.get("mandate") else "")
    case_update(case=member.case, **DETAILS | {"requester_name": name.title()})
    return member


# --- Campaigns -----------------------------------------------------------------------------------------


def test_it_opens_a_campaign_only_for_a_verified_organisation(organisation, advocate, employer):
    organisation.verified_at = None
    organisation.save()
    c = svc.campaign_create(organisation=organisation, actor=advocate, title="T", employers=[employer], law_keys=["eu-gdpr"])
    with pytest.raises(ValidationError) as info:
        svc.campaign_open(campaign=c, actor=advocate)
    assert "verified" in str(info.value)
    assert Campaign.objects.get(pk=c.pk).state == CampaignState.DRAFT


def test_a_viewer_cannot_create_and_a_bad_field_is_named(organisation, employer):
    viewer = make_account("v@wdc.example", Role.ADVOCATE)
    OrganisationMembership.objects.create(organisation=organisation, user=viewer, role=OrganisationRole.VIEWER)
    with pytest.raises(PermissionDenied):
        svc.campaign_create(organisation=organisation, actor=viewer, title="T")
    organiser = make_account("o@wdc.example", Role.ADVOCATE)
    OrganisationMembership.objects.create(organisation=organisation, user=organiser, role=OrganisationRole.ORGANISER)
    with pytest.raises(ValidationError) as info:
        svc.campaign_create(organisation=organisation, actor=organiser, title="T", law_keys=["xx-nope"])
    assert "law_keys" in info.value.message_dict


def test_closed_campaigns_accept_no_new_members_but_keep_their_cases(campaign, advocate):
    first = member_of(campaign, "olga")
    svc.campaign_close(campaign=campaign, actor=advocate)
    with pytest.raises(ValidationError):
        member_of(campaign, "paul")
    first.refresh_from_db()
    assert first.left_at is None


# --- Joining: pre-filled, locked ----------------------------------------------------------------------------


def test_joining_prefills_the_wizard_and_the_locked_fields_refuse_other_values(campaign, other_employer):
    member = member_of(campaign, "olga")
    case = member.case
    assert case.employer_id == campaign.employers.get().pk and case.law_key == "eu-gdpr" and case.region == "DE-BY"
    assert case.rights == ["access", "objection", "restriction", "erasure"]
    assert case.categories == ["keystrokes", "mouse_movements"] and case.language == "en"
    with pytest.raises(ValidationError) as info:
        case_update(case=case, law_key="uk-gdpr")
    assert "law_key" in info.value.message_dict
    with pytest.raises(ValidationError):
        case_update(case=case, employer=other_employer)
    case_update(case=case, categories=["keystrokes"])  # not locked: the member may change it


def test_the_wizard_shows_the_lock_and_a_changed_choice_is_a_form_error(client, campaign):
    member = member_of(campaign, "olga")
    case_update(case=member.case, wizard_step=7)
    login(client, member.case.owner)
    page = client.get(reverse("cases:step", args=[member.case.pk, 3]))
    assert "Delete the keystrokes" in page.content.decode() and "cannot be changed here" in page.content.decode()
    response = client.post(reverse("cases:step", args=[member.case.pk, 3]), {"bundle": "find_out"})
    assert response.status_code == 400
    member.case.refresh_from_db()
    assert "erasure" in member.case.rights


def test_leaving_keeps_the_case_withdraws_everything_and_lifts_the_locks(campaign, fast_pdf):
    member = member_of(campaign, "olga", see_case=True, statistics=True, mandate=True)
    svc.campaign_leave(member=member, actor=member.case.owner)
    case = member.case
    assert case.__class__.objects.filter(pk=case.pk, owner=case.owner).exists()
    assert not CaseShare.objects.filter(case=case, revoked_at=None).exists()
    assert Mandate.objects.get(member=member).revoked_at is not None
    case_update(case=case, law_key="uk-gdpr")  # no lock any more


def test_the_join_page_works_without_javascript_and_defaults_everything_off(client, campaign, owner):
    landing = client.get(f"/c/{campaign.slug}")
    assert landing.status_code == 200 and b"Join the campaign" in landing.content and b"<script" not in landing.content
    login(client, owner)
    page = client.get(reverse("advocacy:join", args=[campaign.slug]))
    assert page.content.count(b'type="checkbox"') == 4 and b" checked" not in page.content
    response = client.post(reverse("advocacy:join", args=[campaign.slug]), {})
    case = owner.cases.get()
    assert response["Location"] == reverse("cases:step", args=[case.pk, 2])
    assert not Consent.objects.exists() and not CaseShare.objects.exists()
    assert not case.campaign_memberships.get().mention_in_letter


def test_a_mandate_without_a_signature_is_a_form_error_and_nothing_is_created(client, campaign, owner):
    login(client, owner)
    response = client.post(reverse("advocacy:join", args=[campaign.slug]), {"mandate": "on"})
    assert response.status_code == 400 and b"Type your full name" in response.content
    assert not owner.cases.exists()


# --- Consents ------------------------------------------------------------------------------------------------


def test_each_consent_is_its_own_row_and_withdrawal_ends_the_groups_access_at_once(campaign, advocate):
    member = member_of(campaign, "olga", see_case=True)
    case = member.case
    row = Consent.objects.get(member=member)
    assert (row.kind, row.given, row.wording_version) == (ConsentKind.SEE_CASE, True, "2026-12-1")
    assert case_access_for(advocate, case, need=Need.VIEW) is not None
    consent_set(member=member, kind=ConsentKind.SEE_CASE, given=False, actor=case.owner)
    assert case_access_for(advocate, case, need=Need.VIEW) is None
    assert list(Consent.objects.filter(member=member).values_list("given", flat=True)) == [True, False]


def test_the_case_page_offers_one_click_withdrawal(client, campaign):
    member = member_of(campaign, "olga", statistics=True)
    login(client, member.case.owner)
    page = client.get(reverse("cases:detail", args=[member.case.pk])).content.decode()
    assert "Withdraw: count my case in the campaign&#x27;s statistics" in page
    client.post(reverse("advocacy:consent", args=[member.case.pk, member.pk]), {"kind": "statistics", "given": "no"})
    assert Consent.objects.filter(member=member).latest("id").given is False


# --- The organiser's overview: small cells, nobody's refusal ---------------------------------------------------


@pytest.mark.parametrize(("n", "shown"), [(0, "fewer than 5"), (1, "fewer than 5"), (4, "fewer than 5"), (5, "5"),
                                           (12, "12")])
def test_small_counts_follow_the_disclosure_rule(n, shown):  # LEGAL.md §5: no cell with fewer than k people (k = 5)
    assert small_count(n) == shown


def test_small_counts_follow_stats_min_cell(settings):
    settings.STATS_MIN_CELL = 7
    assert small_count(6) == "fewer than 7" and small_count(7) == "7"


def test_the_organiser_sees_shared_cases_and_only_counts_of_the_rest(client, campaign, advocate):
    from django.utils import timezone

    sharer = member_of(campaign, "sam", see_case=True, statistics=True)
    member_of(campaign, "olga", statistics=True)
    member_of(campaign, "nina")  # declined everything: in no figure
    overview = campaign_overview(user=advocate, campaign=campaign, today=timezone.localdate())
    assert [row.case.pk for row in overview["rows"]] == [sharer.case.pk]
    assert overview["counts"]["total"] == "fewer than 5"
    login(client, advocate)
    page = client.get(reverse("advocacy:campaign", args=[campaign.pk])).content.decode()
    assert "Sam" in page and "Olga" not in page and "Nina" not in page and "fewer than 5" in page


def test_the_csv_lists_shared_members_only_and_neutralises_formulas(client, campaign, advocate):
    sharer = member_of(campaign, "sam", see_case=True)
    case_update(case=sharer.case, requester_name="=HYPERLINK(\"http://evil\")")
    member_of(campaign, "olga", statistics=True)
    login(client, advocate)
    response = client.get(reverse("advocacy:campaign-csv", args=[campaign.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 2 and rows[1][0] == sharer.case.reference
    assert rows[1][1].startswith("'=")


# --- Mandates ----------------------------------------------------------------------------------------------


def test_a_mandate_makes_a_signed_authorisation_and_the_letter_is_sent_by_the_organisation(campaign, fast_pdf):
    member = member_of(campaign, "olga", mandate=True)
    mandate = Mandate.objects.get(member=member)
    assert mandate.signature == "Olga" and len(mandate.text_sha256) == 64 and mandate.pdf_sha256
    assert "Art. 80(1) GDPR" in mandate.text and "Worker Data Collective" in mandate.text
    assert CaseShare.objects.get(case=member.case, revoked_at=None).act_for
    html = letter_html(member.case, today=member.case.created_at.date())
    assert "Sent by Worker Data Collective on behalf of Olga" in html and "cases@wdc.example" in html
    assert mandate.text_sha256 in html
    # The group's questions are in the letter, escaped; the campaign is not named (the member did not agree).
    assert "Which vendor trained the model?" in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "part of the campaign" not in html


def test_mentioning_the_campaign_needs_the_members_agreement(campaign):
    member = member_of(campaign, "olga")
    svc.campaign_mention_set(member=member, mention=True)
    html = letter_html(member.case, today=member.case.created_at.date())
    assert "This request is part of the campaign “Delete the keystrokes” of Worker Data Collective." in html


def test_an_email_under_a_mandate_replies_to_the_organisation_with_the_authorisation_attached(campaign, fast_pdf):
    member = member_of(campaign, "olga", mandate=True)
    case = finalise_directly(member.case)
    message = letter_send_email(case=case)
    assert message.reply_to == ["cases@wdc.example"] and "cases@wdc.example" in message.cc
    mandate = Mandate.objects.get(member=member)
    assert [a["storage_name"] for a in message.attachments][1:] == [mandate.pdf.name]


def test_revoking_stops_acting_at_once_and_tells_the_group(campaign, advocate, fast_pdf):
    member = member_of(campaign, "olga", mandate=True)
    assert case_access_for(advocate, member.case, need=Need.ACT_FOR) is not None
    mandate_revoke(member=member, actor=member.case.owner)
    assert case_access_for(advocate, member.case, need=Need.ACT_FOR) is None
    notice = OutboxMessage.objects.get(key__startswith="mandate-revoked:")
    assert advocate.email in notice.to and "revoked" in notice.subject
    html = letter_html(member.case, today=member.case.created_at.date())
    assert "Sent by" not in html


def test_the_authorisation_pdf_is_the_members_only(client, campaign, advocate, fast_pdf):
    member = member_of(campaign, "olga", mandate=True, see_case=True)
    mandate = Mandate.objects.get(member=member)
    url = reverse("advocacy:authorisation", args=[member.case.pk, mandate.pk])
    login(client, member.case.owner)
    assert client.get(url)["Content-Type"] == "application/pdf"
    client.logout()
    login(client, advocate)
    assert client.get(url).status_code == 404


# --- Export and deletion ----------------------------------------------------------------------------------


def test_the_export_lists_the_consent_rows_and_the_deletion_removes_them(campaign, fast_pdf,
                                                                        django_capture_on_commit_callbacks):
    import json
    import zipfile

    from deletion_portal.accounts.export import account_export
    from deletion_portal.accounts.services import account_delete

    member = member_of(campaign, "olga", statistics=True, mandate=True)
    mandate = Mandate.objects.get(member=member)
    storage, name = mandate.pdf.storage, mandate.pdf.name
    user = member.case.owner
    archive = zipfile.ZipFile(io.BytesIO(account_export(user=user)))
    cases = json.loads(archive.read("cases.json"))
    entry = cases[0]["campaigns"][0]
    assert entry["campaign"] == "Delete the keystrokes"
    assert [(c["kind"], c["given"]) for c in entry["consents"]] == [("statistics", True), ("mandate", True)]
    assert entry["mandates"][0]["text_sha256"] == mandate.text_sha256
    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=user, password=PASSWORD)
    assert not Consent.objects.exists() and not Mandate.objects.exists()
    assert not storage.exists(name)


def test_the_group_reads_a_shared_case_on_its_own_page_until_the_consent_goes(client, campaign, advocate):
    member = member_of(campaign, "sam", see_case=True)
    url = reverse("advocacy:shared-case", args=[member.case.pk])
    login(client, advocate)
    page = client.get(url)
    assert page.status_code == 200 and "Sam" in page.content.decode()
    consent_set(member=member, kind=ConsentKind.SEE_CASE, given=False, actor=member.case.owner)
    assert client.get(url).status_code == 404


def test_a_failed_authorisation_pdf_gives_no_mandate_and_a_form_error(client, campaign, owner, monkeypatch):
    import deletion_portal.core.pdf as pdf

    def fail(*args, **kwargs):
        raise pdf.PdfRenderError("The document is too long.")

    monkeypatch.setattr(pdf, "render_pdf", fail)
    login(client, owner)
    response = client.post(reverse("advocacy:join", args=[campaign.slug]), {"mandate": "on", "signature": "Olive"})
    assert response.status_code == 400 and b"could not be made" in response.content
    assert not Mandate.objects.exists() and not owner.cases.exists()


def test_a_draft_has_no_public_page_and_a_closed_one_offers_no_join(client, organisation, advocate, employer, campaign,
                                                                     owner):
    draft = svc.campaign_create(organisation=organisation, actor=advocate, title="Not yet", employers=[employer])
    assert client.get(f"/c/{draft.slug}").status_code == 404
    svc.campaign_close(campaign=campaign, actor=advocate)
    page = client.get(f"/c/{campaign.slug}")
    assert page.status_code == 200 and b"closed" in page.content and b"Join the campaign" not in page.content
    login(client, owner)
    client.post(reverse("advocacy:join", args=[campaign.slug]), {})
    assert not owner.cases.exists()


def test_joining_twice_leads_back_to_the_same_case(campaign, owner):
    first = svc.campaign_join(campaign=campaign, user=owner)
    again = svc.campaign_join(campaign=campaign, user=owner, consents={ConsentKind.STATISTICS: True})
    assert again.pk == first.pk and owner.cases.count() == 1
