"""The complaint to the supervisory authority: facts, what is missing, the law, the authority and the
enclosures; idempotent per authority; EU authorities chosen under Art. 77."""

from __future__ import annotations

from datetime import date, datetime, time
from datetime import timezone as dt_timezone

import pytest
import time_machine
from django.core.exceptions import ValidationError

from deletion_portal.cases.models import EventKind, LetterKind
from deletion_portal.cases.services import case_record_event, letter_finalize
from deletion_portal.tracking.checklist import checklist_update
from deletion_portal.tracking.letters import complaint_draft, follow_up_draft
from tests.support.tracking import AFTER, HOSTILE, follow_up_sent, pdf_text, respond, send, text_of
from tests.support.world import login

LATER = date(2025, 7, 1)


def on_day(day: date):
    """Freeze the clock at noon UTC on ``day`` (the portal's "today" for pages and drafts)."""
    return time_machine.travel(datetime.combine(day, time(12), dt_timezone.utc), tick=False)


@pytest.fixture
def sent_case(final_case):
    return send(final_case)


def test_it_waits_while_the_employer_still_has_time(sent_case):
    with pytest.raises(ValidationError, match="still has time"):
        complaint_draft(case=sent_case, today=date(2025, 5, 20))


def test_it_needs_the_request_to_have_been_sent(final_case):
    with pytest.raises(ValidationError, match="sent"):
        complaint_draft(case=final_case, today=LATER)


def test_default_authority_is_the_place_of_work(sent_case):
    follow_up_sent(sent_case)
    letter = complaint_draft(case=sent_case, today=LATER)
    assert letter.kind == LetterKind.COMPLAINT and not letter.is_final
    text = text_of(letter.html)
    assert "Bayerisches Landesamt für Datenschutzaufsicht (BayLDA)" in text
    assert "https://www.lda.bayern.de/" in text
    # In the authority's language (issue 12): the BayLDA gets German, the request letters exist in German.
    assert letter.language == "de"
    assert ("als Aufsichtsbehörde meines Arbeitsortes und meines gewöhnlichen Aufenthaltsortes und des Ortes des "
            "mutmaßlichen Verstoßes") in text
    event = sent_case.events.get(kind=EventKind.DRAFTED, details__kind="complaint")
    assert event.details["authority"] == "DE-BY"


def test_facts_missing_items_law_and_enclosures(sent_case, pdf_rendering):
    follow_up = follow_up_sent(sent_case)
    event = respond(sent_case, on=date(2025, 6, 20))
    codes = {i.code for i in event.checklist.all()}
    checklist_update(case=sent_case, response_event=event, answered_codes=codes - {"training:models"})
    request_letter = sent_case.letters.get(kind=LetterKind.REQUEST)
    text = text_of(complaint_draft(case=sent_case, today=LATER).html)
    # German: the BayLDA's language (the request letters exist in German).
    assert "Beschwerde nach Art. 77 DSGVO gegen Acme Analytics GmbH" in text
    assert f"2. Mai 2025: Ich habe meinen Antrag verfasst (Schreiben {request_letter.short_id}" in text
    assert "2. Mai 2025: Ich habe ihn per E-Mail übermittelt." in text
    assert "2. Juni 2025: Die Antwort war fällig (Art. 12 Abs. 3 DSGVO)." in text
    assert f"Ich habe erinnert (Schreiben {follow_up.short_id}; SHA-256 {follow_up.sha256})" in text
    assert "20. Juni 2025: Der Arbeitgeber hat unvollständig geantwortet." in text
    assert "In der Antwort des Arbeitgebers fehlen:" in text
    assert "Recht auf Auskunft und Kopie (Art. 15 DSGVO)" in text
    assert "Art. 58 Abs. 2 lit. c DSGVO" in text
    # The enclosures: the request, the follow-up and the response, with their hashes.
    assert request_letter.sha256 in text
    assert follow_up.sha256 in text
    assert sent_case.attachments.get().sha256 in text
    assert "timeline.pdf" in text


def test_no_answer_at_all(sent_case):
    follow_up_sent(sent_case)
    text = text_of(complaint_draft(case=sent_case, today=LATER).html)
    assert "Alles: Es gab überhaupt keine Antwort." in text
    assert "Bis heute habe ich keine Antwort erhalten." in text


def test_a_disputed_refusal(sent_case):
    case_record_event(case=sent_case, kind=EventKind.REFUSED, on=date(2025, 5, 10), details={"grounds": "Trade secrets."},
                      today=date(2025, 5, 10))
    text = text_of(complaint_draft(case=sent_case, today=date(2025, 5, 12)).html)
    assert "Der Arbeitgeber hat abgelehnt, mit folgender Begründung: „Trade secrets.“. Ich halte die Ablehnung für unberechtigt." in text


def test_idempotent_per_authority(sent_case):
    follow_up_sent(sent_case)
    sent_case.residence_country, sent_case.residence_region = "FR", ""
    sent_case.save()
    first = complaint_draft(case=sent_case, today=LATER)
    assert complaint_draft(case=sent_case, today=LATER).pk == first.pk
    assert complaint_draft(case=sent_case, authority_key="DE-BY", today=LATER).pk == first.pk
    to_cnil = complaint_draft(case=sent_case, authority_key="FR", today=LATER)
    assert to_cnil.pk != first.pk
    assert "https://www.cnil.fr/fr/plaintes" in to_cnil.html
    assert to_cnil.language == "fr"  # the CNIL's language (issue 12)
    assert "Plainte au titre de l'article 77 du RGPD contre Acme Analytics GmbH" in text_of(to_cnil.html)
    assert sent_case.letters.filter(kind=LetterKind.COMPLAINT).count() == 2


def test_bulk_letters_never_start_a_second_complaint_beside_the_members(sent_case, pdf_rendering):
    """The drafter bulk letters call (``due_complaint``) returns the member's complaint to the authority they chose
    (not a new one to the suggested authority); once it is final nothing more is drafted."""
    from deletion_portal.tracking.due_letters import due_complaint

    follow_up_sent(sent_case)
    sent_case.residence_country, sent_case.residence_region = "FR", ""
    sent_case.save()
    to_cnil = complaint_draft(case=sent_case, authority_key="FR", today=LATER)
    assert due_complaint(case=sent_case, today=LATER).pk == to_cnil.pk
    with on_day(LATER):
        letter_finalize(case=sent_case, letter=to_cnil, today=LATER)
    due = due_complaint(case=sent_case, today=LATER)
    assert due.pk == to_cnil.pk and due.is_final
    assert sent_case.letters.filter(kind=LetterKind.COMPLAINT).count() == 1


def test_an_authority_outside_the_choices_is_refused(sent_case):
    with pytest.raises(ValidationError):
        complaint_draft(case=sent_case, authority_key="IE", today=LATER)


def test_german_complaint_to_a_german_authority(sent_case):
    follow_up_sent(sent_case)
    sent_case.language = "de"
    sent_case.save()
    letter = complaint_draft(case=sent_case, today=LATER)
    assert letter.language == "de"
    text = text_of(letter.html)
    assert "Beschwerde nach Art. 77 DSGVO gegen Acme Analytics GmbH" in text
    assert "Art. 58 Abs. 2 lit. c DSGVO" in text
    assert "Art. 12 Abs. 3 DSGVO" in text


def test_outside_the_eu_the_regimes_authority(owner, employer):
    from deletion_portal.cases.services import case_create
    from tests.support.data import DRAFT_FIELDS

    fields = {**DRAFT_FIELDS, "law_key": "uk-gdpr", "region": "GB-ENG", "work_country": "GB", "work_region": "GB-ENG",
              "residence_country": "GB", "residence_region": "GB-ENG", "sent_outside_portal": True}
    case = case_create(owner=owner, employer=employer, **fields)
    send(case)
    follow_up_sent(case)
    letter = complaint_draft(case=case, today=LATER)
    text = text_of(letter.html)
    assert "Information Commissioner's Office (ICO)" in text
    assert "https://ico.org.uk/make-a-complaint/" in text
    assert "Art. 77" not in text


def test_hostile_text_is_escaped(sent_case):
    case_record_event(case=sent_case, kind=EventKind.REFUSED, on=date(2025, 5, 10), details={"grounds": HOSTILE},
                      today=date(2025, 5, 10))
    sent_case.requester_name = HOSTILE
    sent_case.save()
    html = complaint_draft(case=sent_case, today=LATER).html
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_the_pdf_names_the_authority_and_its_url(sent_case, pdf_rendering):
    follow_up_sent(sent_case)
    letter = letter_finalize(case=sent_case, letter=complaint_draft(case=sent_case, today=LATER), today=LATER)
    text = pdf_text(letter.pdf.read())
    assert "Bayerisches Landesamt für Datenschutzaufsicht (BayLDA)" in text
    assert "https://www.lda.bayern.de/" in text
    event = sent_case.events.get(kind=EventKind.FINALISED, details__kind="complaint")
    assert event.details["sha256"] == letter.sha256 and event.details["letter"] == letter.short_id
    assert complaint_draft(case=sent_case, today=LATER).pk == letter.pk  # final: returned unchanged


# --- Views --------------------------------------------------------------------------------------------------


@pytest.fixture
def late():
    with on_day(LATER):
        yield


URL = "/cases/{}/complaint/"


def counts(case) -> tuple[int, int, list]:
    """What a GET must leave as it was: the case's letters and events, and the complaints' text."""
    return (case.letters.count(), case.events.count(),
            list(case.letters.filter(kind=LetterKind.COMPLAINT).order_by("pk").values_list("pk", "html", "language")))


def complaints_drafted(case) -> int:
    return case.events.filter(kind=EventKind.DRAFTED, details__kind=LetterKind.COMPLAINT).count()


def test_the_page_offers_the_art_77_choices(sent_case, owner_client, late):
    follow_up_sent(sent_case)
    sent_case.residence_country, sent_case.residence_region = "FR", ""
    sent_case.save()
    before = counts(sent_case)
    page = owner_client.get(URL.format(sent_case.pk))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'value="DE-BY" checked' in body and 'value="FR"' in body
    assert "suggested" in body
    chosen = owner_client.get(URL.format(sent_case.pk) + "?authority=FR")
    body = chosen.content.decode()
    assert "https://www.cnil.fr/fr/plaintes" in body
    assert '<input type="hidden" name="authority" value="FR">' in body  # the POST drafts to the chosen one
    assert counts(sent_case) == before


def test_a_get_drafts_nothing_and_offers_the_draft_button(sent_case, owner_client, late):
    follow_up_sent(sent_case)
    before = counts(sent_case)
    response = owner_client.get(URL.format(sent_case.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Draft the complaint to " in body and "csrfmiddlewaretoken" in body
    assert '<input type="hidden" name="authority" value="DE-BY">' in body
    assert "no answer is recorded" in body  # why it can be drafted
    assert "Finalise the letter" not in body
    assert counts(sent_case) == before
    assert complaints_drafted(sent_case) == 0


def test_a_post_drafts_once_per_authority_and_redirects_back(sent_case, owner_client, late):
    follow_up_sent(sent_case)
    letters, events, _ = counts(sent_case)
    response = owner_client.post(URL.format(sent_case.pk), {"authority": "DE-BY"})
    assert response.status_code == 302 and response["Location"] == URL.format(sent_case.pk) + "?authority=DE-BY"
    assert sent_case.letters.filter(kind=LetterKind.COMPLAINT).count() == 1 and complaints_drafted(sent_case) == 1
    assert owner_client.post(URL.format(sent_case.pk), {"authority": "DE-BY"}).status_code == 302
    assert owner_client.post(URL.format(sent_case.pk)).status_code == 302  # the default is the same authority
    assert counts(sent_case)[:2] == (letters + 1, events + 1)


def test_get_then_post_then_get_shows_the_draft(sent_case, owner_client, late):
    follow_up_sent(sent_case)
    first = owner_client.get(URL.format(sent_case.pk)).content.decode()
    assert "Finalise the letter" not in first
    page = owner_client.post(URL.format(sent_case.pk), {"authority": "DE-BY"}, follow=True)
    assert page.redirect_chain == [(URL.format(sent_case.pk) + "?authority=DE-BY", 302)]
    body = page.content.decode()
    letter = sent_case.letters.get(kind=LetterKind.COMPLAINT)
    assert "The complaint is drafted" in body
    assert "Finalise the letter" in body and "Update the draft" in body and letter.short_id in body
    assert "Draft the complaint to " not in body
    before = counts(sent_case)
    again = owner_client.get(URL.format(sent_case.pk)).content.decode()
    assert letter.short_id in again and "Finalise the letter" in again
    assert counts(sent_case) == before


def test_a_draft_is_re_rendered_only_on_an_explicit_post(sent_case, owner_client, late):
    follow_up_sent(sent_case)
    from deletion_portal.cases.models import Letter

    letter = complaint_draft(case=sent_case, today=LATER)
    Letter.objects.filter(pk=letter.pk).update(html="<p>stale</p>")
    before = counts(sent_case)
    body = owner_client.get(URL.format(sent_case.pk)).content.decode()
    assert "stale" in body and "Update the draft" in body
    assert counts(sent_case) == before
    assert owner_client.post(URL.format(sent_case.pk), {"authority": "DE-BY"}).status_code == 302
    letter.refresh_from_db()
    assert "stale" not in letter.html
    assert counts(sent_case)[:2] == before[:2]


def test_the_page_finds_the_letter_the_draft_function_returns(sent_case, late):
    follow_up_sent(sent_case)
    from deletion_portal.tracking.letters import current_complaint

    sent_case.residence_country, sent_case.residence_region = "FR", ""
    sent_case.save()
    assert current_complaint(sent_case) is None
    default = complaint_draft(case=sent_case, today=LATER)
    assert current_complaint(sent_case) == default == current_complaint(sent_case, "DE-BY")
    assert current_complaint(sent_case, "FR") is None
    french = complaint_draft(case=sent_case, authority_key="FR", today=LATER)
    assert current_complaint(sent_case, "FR") == french != default
    assert current_complaint(sent_case, "ZZ") is None


def test_the_check_writes_nothing_and_agrees_with_the_draft_function(sent_case):
    from deletion_portal.tracking.letters import complaint_check

    follow_up_sent(sent_case)
    before = counts(sent_case)
    with pytest.raises(ValidationError, match="still has time"):
        complaint_check(case=sent_case, today=AFTER.replace(month=5, day=20))
    with pytest.raises(ValidationError):
        complaint_check(case=sent_case, authority_key="ZZ", today=LATER)
    check = complaint_check(case=sent_case, today=LATER)
    assert check.authority.key == "DE-BY" and check.reason
    assert counts(sent_case) == before


def test_a_bad_authority_is_a_400(sent_case, owner_client, late):
    before = counts(sent_case)
    assert owner_client.get(URL.format(sent_case.pk) + "?authority=ZZ").status_code == 400
    assert owner_client.post(URL.format(sent_case.pk), {"authority": "ZZ"}).status_code == 400
    assert counts(sent_case) == before


def test_a_post_before_it_is_due_shows_why_without_a_500(sent_case, owner_client):
    before = counts(sent_case)
    with on_day(date(2025, 5, 20)):
        page = owner_client.get(URL.format(sent_case.pk))
        assert page.status_code == 200 and "still has time" in page.content.decode()
        assert "Draft the complaint to " not in page.content.decode()
        response = owner_client.post(URL.format(sent_case.pk), {"authority": "DE-BY"})
    assert response.status_code == 400 and "still has time" in response.content.decode()
    assert counts(sent_case) == before


def test_finalise_then_download(sent_case, owner_client, late, pdf_rendering):
    follow_up_sent(sent_case)
    letter = complaint_draft(case=sent_case, today=LATER)
    response = owner_client.post(f"/cases/{sent_case.pk}/letters/{letter.pk}/finalize/")
    assert response.status_code == 302 and "/complaint/?authority=DE-BY" in response["Location"]
    page = owner_client.get(response["Location"])
    body = page.content.decode()
    assert f"/cases/{sent_case.pk}/letters/{letter.pk}/pdf" in body
    assert "Update the draft" not in body and "Draft the complaint to " not in body


def test_other_users_get_404(sent_case, client, colleague, outsider, late):
    for user in (colleague, outsider):
        login(client, user)
        before = counts(sent_case)
        assert client.get(URL.format(sent_case.pk)).status_code == 404
        assert client.post(URL.format(sent_case.pk), {"authority": "DE-BY"}).status_code == 404
        assert counts(sent_case) == before
    assert not sent_case.letters.filter(kind=LetterKind.COMPLAINT).exists()


def test_anonymous_is_sent_to_login(sent_case, client, late):
    before = counts(sent_case)
    for method in ("get", "post"):
        response = getattr(client, method)(URL.format(sent_case.pk))
        assert response.status_code == 302 and "login" in response["Location"]
    assert counts(sent_case) == before


# --- Not before the follow-up was sent and its 14 days have run (issue 12) ---------------------------------------


def test_silence_needs_a_follow_up_first(sent_case):
    with pytest.raises(ValidationError, match="Send the follow-up first"):
        complaint_draft(case=sent_case, today=LATER)


def test_a_follow_up_not_recorded_as_sent_is_not_enough(sent_case, pdf_rendering):
    with on_day(AFTER):
        follow_up = letter_finalize(case=sent_case, letter=follow_up_draft(case=sent_case, today=AFTER), today=AFTER)
    with pytest.raises(ValidationError, match=f"Record that the follow-up {follow_up.short_id} was sent"):
        complaint_draft(case=sent_case, today=LATER)


@pytest.mark.parametrize(("day", "allowed"), [
    (date(2025, 6, 24), False),  # the 14th day the follow-up of 10 June gave: still the employer's
    (date(2025, 6, 25), True),   # the day after: the complaint may be drafted
])
def test_the_follow_ups_14_days_must_have_run(sent_case, day, allowed):
    follow_up_sent(sent_case)  # on 10 June 2025: answer by 24 June 2025
    if allowed:
        assert complaint_draft(case=sent_case, today=day).kind == LetterKind.COMPLAINT
    else:
        with pytest.raises(ValidationError, match="until 2025-06-24"):
            complaint_draft(case=sent_case, today=day)


def test_an_incomplete_answer_also_waits_for_the_follow_up(sent_case):
    respond(sent_case, on=date(2025, 5, 20))
    with pytest.raises(ValidationError, match="Send the follow-up first"):
        complaint_draft(case=sent_case, today=LATER)


def test_a_refusal_can_go_to_the_authority_at_once(sent_case):
    case_record_event(case=sent_case, kind=EventKind.REFUSED, on=date(2025, 5, 10), details={"grounds": "No."},
                      today=date(2025, 5, 10))
    assert complaint_draft(case=sent_case, today=date(2025, 5, 12)).kind == LetterKind.COMPLAINT


#: (where the authority is, the case's letter language, the complaint's language). GDPR letters exist in en, de,
#: fr, es, it, nl; the complaint in en and de: the authority's language where both exist, else the case's, else en.
@pytest.mark.parametrize(("residence", "authority", "case_language", "expected"), [
    ("DE", "DE-BY", "en", "de"),
    ("FR", "FR", "de", "fr"),  # the CNIL gets French
    ("FR", "FR", "en", "fr"),
    ("IT", "IT", "de", "it"),  # the Garante gets Italian
    ("ES", "ES", "en", "es"),
    ("NL", "NL", "en", "nl"),
    ("AT", "AT", "fr", "de"),  # the Austrian DSB: German
    ("PL", "PL", "fr", "fr"),  # no Polish letters: the case's language
])
def test_the_complaint_is_in_the_authoritys_language_where_it_exists(sent_case, residence, authority, case_language,
                                                                     expected):
    sent_case.residence_country, sent_case.residence_region, sent_case.language = residence, "", case_language
    sent_case.save()
    follow_up_sent(sent_case)
    assert complaint_draft(case=sent_case, authority_key=authority, today=LATER).language == expected


def test_a_quebec_complaint_is_in_french(owner, employer):
    """Law 25's authority (the CAI) is written to in French, the regime's local language."""
    from deletion_portal.cases.services import case_create
    from tests.support.data import DRAFT_FIELDS

    fields = {**DRAFT_FIELDS, "law_key": "ca-qc-law25", "region": "CA-QC", "work_country": "CA", "work_region": "CA-QC",
              "residence_country": "CA", "residence_region": "CA-QC", "sent_outside_portal": True,
              "rights": ["access"], "language": "en"}
    case = case_create(owner=owner, employer=employer, **fields)
    send(case)
    follow_up_sent(case, on=date(2025, 7, 10))
    letter = complaint_draft(case=case, today=date(2025, 8, 1))
    text = text_of(letter.html)
    assert letter.language == "fr"
    assert "Plainte contre Acme Analytics GmbH" in text and "article 77" not in text


#: (the authority, the subject line of its complaint in its language; Art. 77 GDPR cited in that language).
COMPLAINT_SUBJECTS = [
    ("FR", "Plainte au titre de l'article 77 du RGPD contre Acme Analytics GmbH"),
    ("ES", "Reclamación conforme al artículo 77 del RGPD contra Acme Analytics GmbH"),
    ("IT", "Reclamo ai sensi dell'articolo 77 del GDPR nei confronti di Acme Analytics GmbH"),
    ("NL", "Klacht op grond van artikel 77 AVG tegen Acme Analytics GmbH"),
]


@pytest.mark.parametrize(("authority", "subject"), COMPLAINT_SUBJECTS)
def test_each_complaint_language_says_it_all_in_that_language(sent_case, authority, subject):
    sent_case.residence_country, sent_case.residence_region = authority, ""
    sent_case.save()
    respond(sent_case, on=date(2025, 5, 20))
    follow_up_sent(sent_case)
    text = text_of(complaint_draft(case=sent_case, authority_key=authority, today=LATER).html)
    assert subject in text
    for english in ("the employer", "I sent", "Enclosures", "What is missing", "Dear Sir"):
        assert english not in text
