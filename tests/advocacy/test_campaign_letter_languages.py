"""Campaign lines in the letter's own language (issue 10): under a mandate "sent by <organisation> on behalf of
<member> … reply to <contact>", the group's extra questions under their heading, and the campaign mention the
member agreed to are written in the language of the letter — request, follow-up and complaint — whatever the
interface language is. Table-driven on the rendered letter text."""

from __future__ import annotations

import html as html_lib
import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import translation

from deletion_portal.accounts.models import Role
from deletion_portal.advocacy import campaigns as svc
from deletion_portal.advocacy.models import Mandate
from deletion_portal.cases.services import case_update
from tests.support.data import DRAFT_FIELDS, FINALISED_AT, SENT_ON
from tests.support.tracking import AFTER, follow_up_sent, send
from tests.support.world import make_account

pytestmark = pytest.mark.django_db

# language → (law, holiday region, agent line start, reply-to words, questions heading, mention)
# The words were checked against each letter's own wording ("Antrag", "solicitud", "demande", "richiesta",
# "verzoek", "solicitação"); pt is the Brazilian LGPD letter, es also the CCPA one.
CASES = {
    "en": ("eu-gdpr", "DE-BY", "Sent by Worker Data Collective on behalf of Mia Muster, under the signed authorisation of",
           "Please reply to cases@wdc.example.", "Further questions",
           "This request is part of the campaign “Delete the keystrokes” of Worker Data Collective."),
    "de": ("eu-gdpr", "DE-BY", "Versandt von Worker Data Collective im Namen von Mia Muster aufgrund der unterzeichneten Vollmacht vom",
           "Bitte antworten Sie an cases@wdc.example.", "Weitere Fragen",
           "Dieser Antrag ist Teil der Kampagne „Delete the keystrokes“ von Worker Data Collective."),
    "es": ("eu-gdpr", "DE-BY", "Enviada por Worker Data Collective en nombre de Mia Muster, en virtud de la autorización firmada el",
           "Les ruego que respondan a cases@wdc.example.", "Preguntas adicionales",
           "Esta solicitud forma parte de la campaña «Delete the keystrokes» de Worker Data Collective."),
    "fr": ("eu-gdpr", "DE-BY", "Envoyée par Worker Data Collective au nom de Mia Muster, en vertu de l'autorisation signée du",
           "Merci d'adresser votre réponse à cases@wdc.example.", "Questions complémentaires",
           "Cette demande s'inscrit dans la campagne « Delete the keystrokes » de Worker Data Collective."),
    "it": ("eu-gdpr", "DE-BY", "Inviata da Worker Data Collective per conto di Mia Muster, in forza dell'autorizzazione firmata il",
           "Si prega di rispondere a cases@wdc.example.", "Ulteriori domande",
           "Questa richiesta fa parte della campagna «Delete the keystrokes» di Worker Data Collective."),
    "nl": ("eu-gdpr", "DE-BY", "Verzonden door Worker Data Collective namens Mia Muster, op grond van de ondertekende machtiging van",
           "Gelieve te antwoorden aan cases@wdc.example.", "Aanvullende vragen",
           "Dit verzoek maakt deel uit van de campagne “Delete the keystrokes” van Worker Data Collective."),
    "pt": ("br-lgpd", "BR", "Enviado por Worker Data Collective em nome de Mia Muster, com base na autorização assinada em",
           "Favor responder para cases@wdc.example.", "Perguntas adicionais",
           "Esta solicitação faz parte da campanha “Delete the keystrokes” de Worker Data Collective."),
}
ENGLISH_WORDS = ("Sent by", "on behalf of", "Please reply", "Further questions", "is part of the campaign")


@pytest.fixture
def member(organisation, advocate, employer, fast_pdf):
    organisation.contact_email = "cases@wdc.example"
    organisation.save()
    campaign = svc.campaign_open(campaign=svc.campaign_create(
        organisation=organisation, actor=advocate, title="Delete the keystrokes", employers=[employer],
        law_keys=["eu-gdpr"], extra_questions="Which vendor trained the model?\n<b>x</b>"), actor=advocate)
    user = make_account("mia@mail.example", Role.EMPLOYEE, "Mia Muster")
    member = svc.campaign_join(campaign=campaign, user=user, consents={"mandate": True}, signature="Mia Muster")
    svc.campaign_mention_set(member=member, mention=True)
    return member


def text_of(markup: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def lines_in(html: str, language: str, *, questions: bool) -> None:
    _law, _region, agent, reply, heading, mention = CASES[language]
    text = text_of(html)
    assert agent in text, (language, text[:700])
    assert reply in text and mention in text, language
    if questions:  # the group's questions go into the request only, escaped
        assert f"{heading} Which vendor trained the model?" in text and "&lt;b&gt;x&lt;/b&gt;" in html
    else:
        assert heading not in text
    if language != "en":
        assert not [w for w in ENGLISH_WORDS if w in text], language


@pytest.mark.parametrize("language", list(CASES))
def test_the_campaign_lines_are_in_each_letters_language(member, language):
    """Request, follow-up (the request's language) and complaint (the authority's language, e.g. German for the
    BayLDA): each carries the campaign's lines in its own language, while the interface speaks another one."""
    from deletion_portal.cases.services import letter_finalize
    from deletion_portal.tracking.letters import complaint_draft, follow_up_draft

    law, region = CASES[language][:2]
    fields = {**DRAFT_FIELDS, "requester_name": "Mia Muster", "law_key": law, "region": region, "language": language}
    if law == "br-lgpd":
        fields.update(work_country="BR", work_region="", residence_country="BR", residence_region="",
                      rights=["access", "erasure"])
    case = case_update(case=member.case, **fields)
    interface = "fr" if language == "de" else "de"
    with translation.override(interface), time_machine.travel(FINALISED_AT, tick=False):
        request = letter_finalize(case=case, today=SENT_ON)
    assert request.language == language
    lines_in(request.html, language, questions=True)
    assert Mandate.objects.get(member=member).text_sha256 in request.html

    case = send(case)
    with translation.override(interface):
        follow_up = follow_up_draft(case=case, today=AFTER)
    assert follow_up.language == language
    lines_in(follow_up.html, language, questions=False)

    follow_up_sent(case)
    with translation.override(interface):
        complaint = complaint_draft(case=case, today=AFTER + timedelta(days=20))
    assert complaint.language in CASES
    lines_in(complaint.html, complaint.language, questions=False)
