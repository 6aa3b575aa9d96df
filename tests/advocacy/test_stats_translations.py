"""The statistics pages, their charts, the PDF report and the campaign form speak German and French (the
interface language, chosen as on every page: the ``django_language`` cookie). Headings, row and category labels,
the suppression rule, the charts' text alternatives and the data dictionary are translated; machine keys (variable
and category codes, the dictionary's keys, the CSV columns) stay English; figures and dates are localised. The
English pages are unchanged (test_outcome_statistics.py, test_campaign_statistics.py, test_stats_pdf.py,
test_campaign_form.py)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse

from deletion_portal.advocacy import stats_store
from deletion_portal.advocacy.consents import consent_set
from deletion_portal.advocacy.models import Campaign, CampaignMember, ConsentKind
from deletion_portal.advocacy.reports import CSV_COLUMNS
from deletion_portal.cases.models import Case
from tests.support.stats import outcome_case
from tests.support.tracking import pdf_text
from tests.support.world import login

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stats_today")]

TODAY = date(2026, 6, 1)

#: English strings of the statistics pages that must not survive in German or French (each is wrapped in gettext).
ENGLISH = ["How small numbers are protected", "counted cases", "Answered on time", "Not answered, date passed",
           "What the employer did", "Completeness of the answers", "Cases behind the row", "Median days to answer",
           "Printable report", "No figure counts fewer than", "Answers by month of receipt", "Stacked bars",
           "Extension notified", "Identity asked", "Figures as of", "\"suppressed\">suppressed<", "How the figures are computed",
           "Filter the figures"]

WORDS = {
    "de": ["Bis zur gesetzlichen Frist beantwortet", "Fristgerecht beantwortet", "Verspätet beantwortet",
           "Nicht beantwortet, Frist abgelaufen", "Was der Arbeitgeber getan hat", "Fristverlängerung mitgeteilt",
           "Wie kleine Zahlen geschützt werden.", "Keine Zahl zählt weniger als 5 Personen",
           "Antworten nach Eingangsmonat", "Gestapelte Balken, einer pro Monat: 2026-02: 6 fristgerecht",
           "Druckbarer Bericht (PDF)", "Datenverzeichnis", "Zahlen mit Stand Montag, 1. Juni 2026.",
           "12 (37,5%)", 'aria-label="Zahlen filtern"', '<span class="suppressed">unterdrückt</span>'],
    "fr": ["Réponse dans le délai légal", "Répondu dans les délais", "Répondu en retard",
           "Sans réponse, délai dépassé", "Ce que l’employeur a fait", "Prolongation du délai notifiée",
           "Comment les petits nombres sont protégés.", "Aucun chiffre ne compte moins de 5 personnes",
           "Réponses par mois de réception", "Barres empilées, une par mois : 2026-02 : 6 dans les délais",
           "Rapport imprimable (PDF)", "dictionnaire des données", "Chiffres au lundi 1 juin 2026.",
           "12 (37,5%)", 'aria-label="Filtrer les chiffres"', '<span class="suppressed">masqué</span>'],
}


@pytest.fixture
def campaign(organisation, employer):
    campaign = Campaign.objects.create(organisation=organisation, title="Keystrokes", slug="keystrokes",
                                       law_keys=["eu-gdpr"], state="open", publish_statistics=True)
    campaign.employers.add(employer)
    return campaign


def counted_case(campaign, employer, *, outcome, received):
    member = CampaignMember.objects.create(campaign=campaign, case=outcome_case(employer, outcome, received=received))
    consent_set(member=member, kind=ConsentKind.STATISTICS, given=True, actor=None)


@pytest.fixture
def figures(campaign, employer):
    """16 counted cases in February and in March (6 on time, 5 late, 5 not answered each): a monthly series."""
    for received in (date(2026, 2, 2), date(2026, 3, 3)):
        for outcome in ["on_time"] * 6 + ["late"] * 5 + ["none"] * 5:
            counted_case(campaign, employer, outcome=outcome, received=received)
    stats_store.statistics_refresh(today=TODAY, full=True)


def get(client, lang, url, params=None):
    client.cookies["django_language"] = lang
    response = client.get(url, params or {})
    assert response.status_code == 200
    return response


def test_the_english_scoreboard_holds_the_strings_the_other_languages_must_not(client, employer, figures):
    """So that the checks of "no leftover English" below look for strings the page really shows."""
    html = get(client, "en", reverse("stats:employer-outcomes", args=[employer.pk])).content.decode()
    for english in ENGLISH:
        assert english in html, english
    assert "12 (37.5%)" in html and "Figures as of Monday 1 June 2026." in html


@pytest.mark.parametrize("lang", ["de", "fr"])
def test_the_public_scoreboard_speaks_the_interface_language(client, employer, figures, lang):
    html = get(client, lang, reverse("stats:employer-outcomes", args=[employer.pk])).content.decode()
    assert f'<html lang="{lang}">' in html
    for words in WORDS[lang]:
        assert words in html, words
    for english in ENGLISH:
        assert english not in html, english


@pytest.mark.parametrize("lang", ["de", "fr"])
def test_the_campaign_dashboard_speaks_the_interface_language(client, advocate, campaign, figures, lang):
    login(client, advocate)
    html = get(client, lang, reverse("advocacy:campaign-stats", args=[campaign.pk])).content.decode()
    heading = {"de": "Statistik der Kampagne „Keystrokes“", "fr": "Statistiques de la campagne « Keystrokes »"}[lang]
    by_employer = {"de": "Nach Arbeitgeber", "fr": "Par employeur"}[lang]
    assert heading in html and by_employer in html
    for words in WORDS[lang]:
        assert words in html, words
    for english in [*ENGLISH, "Statistics of the campaign", "By employer", "Members who consented to be counted"]:
        assert english not in html, english


@pytest.mark.parametrize(("lang", "words"), [
    ("de", ["Wie die Ergebniszahlen berechnet werden", "Schutz kleiner Zahlen",
            "Gezählte Fälle, die beim Arbeitgeber im Zeitraum eingegangen sind", "Arbeitgeber nach fristgerecht"]),
    ("fr", ["Comment les chiffres des résultats sont calculés", "Protection des petits nombres",
            "Dossiers comptés reçus par l’employeur pendant la période", "Employeurs selon les demandes"]),
])
def test_the_method_and_ranking_pages_speak_the_interface_language(client, figures, lang, words):
    html = get(client, lang, reverse("stats:method")).content.decode()
    html += get(client, lang, reverse("stats:ranking")).content.decode()
    for phrase in words:
        assert phrase in html, phrase
    assert "<code>status</code>" in html and "<code>days_median / days_p90</code>" in html  # the keys stay
    for english in ["How the outcome figures are computed", "Protection of small numbers", "Counted cases the employer",
                    "Employers by requests answered on time", "No figure counts fewer than"]:
        assert english not in html, english


def test_the_downloads_keep_their_machine_keys_and_translate_only_the_words(client, employer, figures):
    url = reverse("stats:employer-outcomes-json", args=[employer.pk])
    english = get(client, "en", url).json()
    german = get(client, "de", url).json()
    status = next(t for t in german["tables"] if t["variable"] == "status")
    assert status["label"] == "Antwort bis zur gesetzlichen Frist"
    assert [(c["code"], c["label"]) for c in status["cells"]] == [
        ("on_time", "Fristgerecht beantwortet"), ("late", "Verspätet beantwortet"),
        ("none", "Nicht beantwortet, Frist abgelaufen")]
    assert german["dictionary"].keys() == english["dictionary"].keys()
    assert german["dictionary"]["suppressed"].startswith("true, wenn eine Zahl")
    assert english["dictionary"]["suppressed"].startswith("true when a figure is withheld")
    # the figures themselves do not depend on the language
    assert [[c["count"] for c in t["cells"]] for t in german["tables"]] == \
           [[c["count"] for c in t["cells"]] for t in english["tables"]]
    rows = list(csv.reader(io.StringIO(
        get(client, "de", reverse("stats:employer-outcomes-csv", args=[employer.pk])).content.decode())))
    assert tuple(rows[0]) == CSV_COLUMNS and ["status", "all", "all", "all", "on_time", "12", "37.5", "32", "false"] in rows


@pytest.mark.usefixtures("pdf_rendering")
def test_the_pdf_report_is_in_german_when_the_interface_is(client, advocate, campaign, figures):
    login(client, advocate)
    response = get(client, "de", reverse("advocacy:campaign-stats-pdf", args=[campaign.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for words in ["Statistik der Kampagne „Keystrokes“", "32 gezählte Fälle", "Bis zur gesetzlichen Frist beantwortet",
                  "12 (37,5%)", "Keine Zahl zählt weniger als 5 Personen", "Nach Arbeitgeber",
                  "Fristgerecht beantwortet Verspätet beantwortet Nicht beantwortet, Frist abgelaufen",  # the legend
                  "Kampagne %d · Statistik, Stand 2026-06-01 · Seite 1 von" % campaign.pk]:  # the footer
        assert words in text, words
    for english in ["counted cases", "Statistics of the campaign", "Answered on time", "By employer",
                    "No figure counts fewer than", "statistics as of", "page 1 of"]:
        assert english not in text, english


@pytest.mark.parametrize(("lang", "words", "english"), [
    ("de", ["Neue Kampagne von Worker Data Collective", "Titel", "Statistik veröffentlichen",
            "Mitglieder können diese Angaben im Assistenten nicht ändern.", ">Speichern</button>",
            "Feiertagsregion (z. B. DE-BY)", "Sprache des Briefs", "Gesperrt"],
     ["New campaign of", "Publish the statistics", "Members cannot change these", ">Save</button>",
      "Holiday region", "Letter language", "Plain text added to every member", "Only for 'Choose the rights myself'",
      "The employer's language", ">Title<", ">Locked<"]),
    ("fr", ["Nouvelle campagne de Worker Data Collective", "Titre", "Publier les statistiques",
            "Les membres ne peuvent pas les modifier dans l’assistant.", ">Enregistrer</button>",
            "Région des jours fériés (p. ex. DE-BY)", "Langue de la lettre", "Verrouillé"],
     ["New campaign of", "Publish the statistics", "Members cannot change these", ">Save</button>",
      "Holiday region", "Letter language", "Plain text added to every member", "Only for 'Choose the rights myself'",
      "The employer's language", ">Title<", ">Locked<"]),
])
def test_the_campaign_form_speaks_the_interface_language(client, organisation, advocate, lang, words, english):
    login(client, advocate)
    html = get(client, lang, reverse("advocacy:campaign-new", args=[organisation.pk])).content.decode()
    for phrase in words:
        assert phrase in html, phrase
    for phrase in english:
        assert phrase not in html, phrase


def test_a_running_campaigns_form_says_what_can_change_in_german(client, advocate, campaign):
    login(client, advocate)
    html = get(client, "de", reverse("advocacy:campaign-edit", args=[campaign.pk])).content.decode()
    assert "„Keystrokes“ bearbeiten" in html and "Nur Titel, Beschreibung und Fragen können sich noch ändern." in html
    assert "Statistik veröffentlichen" in html and "Edit “Keystrokes”" not in html and "only its title" not in html


@pytest.mark.parametrize(("lang", "item", "artefact", "outcome"), [
    ("de", "die Empfänger, namentlich (Art. 15 Abs. 1 lit. c DSGVO", "ML-Artefakte: Gelöscht", ">Gelöscht<"),
    ("fr", "les destinataires, nommément (article 15, paragraphe 1, point c), du RGPD",
     "Artefacts d’apprentissage automatique : Supprimé", ">Supprimé<"),
])
def test_the_rows_other_apps_contribute_are_named_in_the_interface_language(
        client, advocate, campaign, employer, team, figures, lang, item, artefact, outcome):
    """Checklist items (tracking) and ML artefacts' outcomes (dpo) carry English labels in the stored figures;
    the page names them through their app's labeller (cases.hooks.register_statistics_labeller)."""
    from deletion_portal.cases.models import CaseEvent, EventKind
    from deletion_portal.dpo.models import EmployerResponse, ResponseStatus
    from deletion_portal.tracking.models import ChecklistItem

    for case in Case.objects.filter(employer=employer, answered_on__isnull=False):  # 12 on time, 10 late
        response = CaseEvent.objects.create(case=case, kind=EventKind.RESPONSE_RECEIVED, on=case.answered_on)
        ChecklistItem.objects.create(case=case, response=response, code="art15_1_c", label="recipients",
                                     answered=case.on_time)
        EmployerResponse.objects.create(case=case, team=team, status=ResponseStatus.SENT, answer={"artefacts": [
            {"kind": "model", "name": "m", "outcome": "deleted" if case.on_time else "retrained_without"}]})
    stats_store.statistics_refresh(today=TODAY, full=True)
    login(client, advocate)
    url = reverse("advocacy:campaign-stats", args=[campaign.pk])
    english = get(client, "en", url).content.decode()
    assert "the recipients, by name (Art. 15(1)(c)" in english and "ML artefacts: Deleted" in english
    html = get(client, lang, url).content.decode()
    assert item in html and artefact in html
    assert outcome in html  # the artefact chart's bar: the outcome alone
    assert "the recipients, by name" not in html and "ML artefacts" not in html
    assert ">Deleted<" not in html and "Retrained without the data" not in html
