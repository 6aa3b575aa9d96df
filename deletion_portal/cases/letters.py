"""The request letter: which languages a regime's letter comes in, and the context its templates read.

Templates live in ``templates/letters/``: one base layout (``base.html``) with the shared structure,
one ``<lang>/request.html`` per language that fills the base's blocks with text, and per language one
``_asks_<family>.html`` per regime family with the demands and the numbered questions (LEGAL.md §3):

* ``gdpr``    — EU GDPR and UK GDPR (the full list; UK: Arts 22A–22D, no AI Act);
* ``ccpa``    — California (CCPA/CPRA and its regulations);
* ``generic`` — every other regime (the generic subset of questions).

Everything the user typed (names, addresses, free text, the employer's details) reaches the templates
as plain strings and is autoescaped there; nothing here marks anything safe.

Small translated strings (labels, category descriptions, right names, month names) are data in this
module; the letter prose is in the templates.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string

from deletion_portal.cases.models import Case, LetterKind
from deletion_portal.cases.taxonomy import CATEGORIES, CATEGORY_BY_CODE
from deletion_portal.laws.deadlines import compute_deadlines
from deletion_portal.laws.regions import UnknownRegion, parse_region
from deletion_portal.laws.registry import get_regime
from deletion_portal.laws.types import RIGHT_CODES, Regime

if TYPE_CHECKING:  # pragma: no cover
    from deletion_portal.core.pdf import PdfMetadata

__all__ = [
    "LANGUAGES",
    "TEMPLATE_VERSION",
    "default_language",
    "format_date",
    "letter_context",
    "letter_footer",
    "letter_html",
    "letter_language",
    "letter_languages",
    "letter_metadata",
    "local_citation",
    "regime_family",
]

#: Bump when the wording of any request template changes; stored on each Letter.
TEMPLATE_VERSION = "request-1"

LANGUAGES: dict[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "it": "Italiano",
    "nl": "Nederlands",
    "pt": "Português",
}

#: Languages beyond English that a regime's letter is written in (English is offered for every regime).
_EXTRA_LANGUAGES: dict[str, tuple[str, ...]] = {
    "eu-gdpr": ("de", "fr", "es", "it", "nl"),
    "ca-qc-law25": ("fr",),
    "br-lgpd": ("pt",),
}

#: The language a country's employers are most likely to read (used only when the regime offers it).
_COUNTRY_LANGUAGE: dict[str, str] = {
    "DE": "de", "AT": "de", "LI": "de",
    "FR": "fr", "BE": "fr", "LU": "fr", "MC": "fr",
    "ES": "es",
    "IT": "it", "SM": "it",
    "NL": "nl",
    "BR": "pt", "PT": "pt",
}

#: The local language of a sub-national or single-language regime, used when the country alone does not
#: decide (Canada is bilingual, but a Quebec Law 25 letter goes in French).
_REGIME_LANGUAGE: dict[str, str] = {"ca-qc-law25": "fr", "br-lgpd": "pt"}

_US_DATE_REGIMES_PREFIX = "us-"


def letter_languages(law_key: str) -> list[str]:
    """The languages the request letter for ``law_key`` exists in; English first."""
    return ["en", *_EXTRA_LANGUAGES.get(law_key, ())]


def _language_code(value: str) -> str:
    """``"de-AT"`` / ``"DE"`` / ``" pt_BR "`` -> ``"de"`` / ``"de"`` / ``"pt"``."""
    return (value or "").strip().replace("_", "-").split("-")[0].lower()


def default_language(*, law_key: str, employer_language: str, employer_country: str) -> str:
    """The employer's preferred language if the regime's letter exists in it; else the employer
    country's main language if offered; else the regime's own local language if offered; else English."""
    offered = letter_languages(law_key)
    candidates = (
        _language_code(employer_language),
        _COUNTRY_LANGUAGE.get((employer_country or "").strip().upper(), ""),
        _REGIME_LANGUAGE.get(law_key, ""),
    )
    for candidate in candidates:
        if candidate and candidate in offered:
            return candidate
    return "en"


# --- Regime families and citations -----------------------------------------------------------------


def regime_family(law_key: str) -> str:
    if law_key in ("eu-gdpr", "uk-gdpr"):
        return "gdpr"
    if law_key == "us-ca-ccpa":
        return "ccpa"
    return "generic"


#: How each language writes "Art. N(p)(x) GDPR": the act's name and the parts of the citation.
_GDPR_STYLE: dict[str, dict[str, str]] = {
    "de": {"act": "DSGVO"},
    "fr": {"act": "RGPD"},
    "es": {"act": "RGPD"},
    "it": {"act": "GDPR"},
    "nl": {"act": "AVG"},
}
_GDPR_CITATION = re.compile(r"^Art\.\s*(?P<art>\d+)(?P<parts>(?:\(\w+\))*)\s+GDPR$")
_LGPD_CITATION = re.compile(r"^Lei 13\.709/2018,\s*Art\.\s*(?P<art>\d+)(?:,\s*(?P<items>.+))?$")
_QC_CITATION = re.compile(r"^CQLR c P-39\.1(?:,\s*s\.(?P<sec>[\d.]+))?$")


def _gdpr_local(art: str, parts: list[str], lang: str) -> str:
    act = _GDPR_STYLE[lang]["act"]
    paragraph = next((p for p in parts if p.isdigit()), None)
    letter = next((p for p in parts if not p.isdigit()), None)
    if lang == "de":
        text = f"Art. {art}"
        text += f" Abs. {paragraph}" if paragraph else ""
        text += f" lit. {letter}" if letter else ""
        return f"{text} {act}"
    if lang == "nl":
        text = f"artikel {art}"
        text += f", lid {paragraph}" if paragraph else ""
        text += f", onder {letter}" if letter else ""
        return f"{text}{',' if paragraph else ''} {act}"
    word, par_word, letter_word, of = {
        "fr": ("article", "paragraphe", "point", "du"),
        "es": ("artículo", "apartado", "letra", "del"),
        "it": ("articolo", "paragrafo", "lettera", "del"),
    }[lang]
    text = f"{word} {art}"
    text += f", {par_word} {paragraph}" if paragraph else ""
    text += f", {letter_word} {letter})" if letter else ""
    return f"{text}{',' if paragraph else ''} {of} {act}"


def _local_part(citation: str, lang: str) -> str:
    if lang in _GDPR_STYLE:
        match = _GDPR_CITATION.match(citation)
        if match:
            parts = re.findall(r"\((\w+)\)", match["parts"])
            return _gdpr_local(match["art"], parts, lang)
        if citation.startswith("EDPB Guidelines"):
            return {"de": "EDSA-Leitlinien", "fr": "lignes directrices du CEPD", "es": "Directrices del CEPD",
                    "it": "Linee guida EDPB", "nl": "EDPB-richtsnoeren"}[lang] + citation[len("EDPB Guidelines"):]
    if lang == "pt":
        match = _LGPD_CITATION.match(citation)
        if match:
            items = (match["items"] or "").replace(" and ", " e ")
            return f"art. {match['art']}, {items}, da LGPD" if items else f"art. {match['art']} da LGPD"
    if lang == "fr":
        match = _QC_CITATION.match(citation)
        if match:
            return f"RLRQ, c. P-39.1, art. {match['sec']}" if match["sec"] else "RLRQ, c. P-39.1"
    return citation


def local_citation(citation: str, lang: str) -> str:
    """A citation from the law records (written in English) in the letter language's convention:
    ``Art. 21(1) GDPR`` -> ``Art. 21 Abs. 1 DSGVO`` / ``article 21, paragraphe 1, du RGPD`` /
    ``artículo 21, apartado 1, del RGPD`` / ``articolo 21, paragrafo 1, del GDPR`` / ``artikel 21, lid 1,
    AVG``; ``Lei 13.709/2018, Art. 19`` -> ``art. 19 da LGPD``; ``CQLR c P-39.1, s.32`` -> ``RLRQ, c.
    P-39.1, art. 32``. Anything it does not recognise is returned unchanged."""
    return "; ".join(_local_part(part.strip(), lang) for part in citation.split(";"))


# --- Dates -----------------------------------------------------------------------------------------

_MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
           "ottobre", "novembre", "dicembre"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
           "novembro", "dezembro"),
}


def format_date(day: date | None, lang: str, *, us: bool = False) -> str:
    """A date as a letter in ``lang`` writes it: ``5 March 2026`` (US: ``March 5, 2026``),
    ``5. März 2026``, ``1er mars 2026``, ``5 de marzo de 2026``, ``1º marzo 2026``, ``5 maart 2026``,
    ``1º de março de 2026``. Explicit month names: no dependency on the active locale."""
    if day is None:
        return ""
    month = _MONTHS[lang][day.month - 1]
    d, y = day.day, day.year
    if lang == "en":
        return f"{month} {d}, {y}" if us else f"{d} {month} {y}"
    if lang == "de":
        return f"{d}. {month} {y}"
    if lang == "fr":
        return f"{'1er' if d == 1 else d} {month} {y}"
    if lang == "es":
        return f"{d} de {month} de {y}"
    if lang == "it":
        return f"{'1º' if d == 1 else d} {month} {y}"
    if lang == "nl":
        return f"{d} {month} {y}"
    if lang == "pt":
        return f"{'1º' if d == 1 else d} de {month} de {y}"
    raise ValueError(f"Unknown letter language {lang!r}")


# --- Translated labels -----------------------------------------------------------------------------

_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "dpo": "Data Protection Officer", "reference": "Reference", "employee_id": "Employee number",
        "job_title": "Job title", "employment": "Employed", "from": "from", "to": "to", "since": "since", "until": "until",
        "email": "Email", "other_data": "Also", "letter": "letter", "title": "Data protection request", "colon": ":",
    },
    "de": {
        "dpo": "Datenschutzbeauftragte/r", "reference": "Aktenzeichen", "employee_id": "Personalnummer",
        "job_title": "Funktion", "employment": "Beschäftigt", "from": "vom", "to": "bis zum", "since": "seit dem", "until": "bis zum",
        "email": "E-Mail", "other_data": "Außerdem", "letter": "Schreiben", "title": "Datenschutzrechtlicher Antrag", "colon": ":",
    },
    "fr": {
        "dpo": "Délégué à la protection des données", "reference": "Référence", "employee_id": "Matricule",
        "job_title": "Fonction", "employment": "Employé(e)", "from": "du", "to": "au", "since": "depuis le", "until": "jusqu'au",
        "email": "Courriel", "other_data": "En outre", "letter": "lettre",
        "title": "Demande relative à la protection des données", "colon": "\u00a0:",
    },
    "es": {
        "dpo": "Delegado de Protección de Datos", "reference": "Referencia", "employee_id": "Número de empleado",
        "job_title": "Puesto", "employment": "Empleado/a", "from": "del", "to": "al", "since": "desde el", "until": "hasta el",
        "email": "Correo electrónico", "other_data": "Además", "letter": "carta",
        "title": "Solicitud de protección de datos", "colon": ":",
    },
    "it": {
        "dpo": "Responsabile della protezione dei dati (RPD/DPO)", "reference": "Riferimento",
        "employee_id": "Matricola", "job_title": "Mansione", "employment": "In servizio", "from": "dal", "to": "al",
        "since": "dal", "until": "fino al", "email": "E-mail", "other_data": "Inoltre", "letter": "lettera",
        "title": "Richiesta in materia di protezione dei dati", "colon": ":",
    },
    "nl": {
        "dpo": "Functionaris voor gegevensbescherming", "reference": "Kenmerk", "employee_id": "Personeelsnummer",
        "job_title": "Functie", "employment": "In dienst", "from": "van", "to": "tot en met", "since": "sinds", "until": "tot en met",
        "email": "E-mail", "other_data": "Daarnaast", "letter": "brief", "title": "Verzoek gegevensbescherming", "colon": ":",
    },
    "pt": {
        "dpo": "Encarregado pelo Tratamento de Dados Pessoais (DPO)", "reference": "Referência",
        "employee_id": "Matrícula", "job_title": "Cargo", "employment": "Vínculo empregatício", "from": "de", "to": "a",
        "since": "desde", "until": "até", "email": "E-mail", "other_data": "Além disso", "letter": "carta",
        "title": "Requerimento de titular de dados", "colon": ":",
    },
}

#: The categories in the first person, as a letter describes them (taxonomy.py speaks to the user).
_CATEGORY_TEXT: dict[str, dict[str, tuple[str, str]]] = {
    "en": {
        "keystrokes": ("Keystrokes", "keystroke logs and their timing: what I typed, when and how fast"),
        "mouse_movements": ("Mouse movements", "mouse trajectories, clicks and scrolling"),
        "screen_activity": ("Screen activity", "screenshots, screen recordings and the sequences of operations I performed on screen"),
        "app_switching": ("Application switching", "which window had focus and when I switched between applications"),
        "derived_data": ("Data derived from it", "features, labels, embeddings, inferences and productivity or behaviour scores computed from the data above"),
        "training_datasets": ("Training datasets", "datasets that contain any of the data above"),
        "trained_models": ("Trained models", "models, checkpoints and evaluations trained or tested on the data above"),
    },
    "de": {
        "keystrokes": ("Tastatureingaben", "Protokolle meiner Tastenanschläge und ihres Timings: was ich wann und wie schnell getippt habe"),
        "mouse_movements": ("Mausbewegungen", "Mausbewegungsverläufe, Klicks und Scrollvorgänge"),
        "screen_activity": ("Bildschirmaktivität", "Bildschirmfotos, Bildschirmaufzeichnungen und die Abfolgen meiner Bedienvorgänge am Bildschirm"),
        "app_switching": ("Anwendungswechsel", "welches Fenster wann im Vordergrund war und wann ich zwischen Anwendungen gewechselt habe"),
        "derived_data": ("Daraus abgeleitete Daten", "Merkmale, Labels, Embeddings, Schlussfolgerungen sowie Produktivitäts- oder Verhaltenswerte, die aus den oben genannten Daten berechnet wurden"),
        "training_datasets": ("Trainingsdatensätze", "Datensätze, die solche Daten enthalten"),
        "trained_models": ("Trainierte Modelle", "Modelle, Checkpoints und Evaluierungen, die mit diesen Daten trainiert oder getestet wurden"),
    },
    "fr": {
        "keystrokes": ("Frappes au clavier", "les journaux de mes frappes et leur rythme : ce que j'ai saisi, quand et à quelle vitesse"),
        "mouse_movements": ("Mouvements de la souris", "les trajectoires de la souris, les clics et le défilement"),
        "screen_activity": ("Activité à l'écran", "les captures d'écran, les enregistrements d'écran et les séquences d'opérations que j'ai effectuées à l'écran"),
        "app_switching": ("Changements d'application", "la fenêtre active à chaque instant et mes passages d'une application à l'autre"),
        "derived_data": ("Données dérivées", "les caractéristiques, étiquettes, plongements (embeddings), déductions et scores de productivité ou de comportement calculés à partir de ces données"),
        "training_datasets": ("Jeux de données d'entraînement", "les jeux de données qui contiennent ces données"),
        "trained_models": ("Modèles entraînés", "les modèles, points de contrôle et évaluations entraînés ou testés sur ces données"),
    },
    "es": {
        "keystrokes": ("Pulsaciones de teclado", "los registros de mis pulsaciones y su ritmo: qué escribí, cuándo y a qué velocidad"),
        "mouse_movements": ("Movimientos del ratón", "las trayectorias del ratón, los clics y el desplazamiento"),
        "screen_activity": ("Actividad en pantalla", "capturas de pantalla, grabaciones de pantalla y las secuencias de operaciones que realicé en pantalla"),
        "app_switching": ("Cambios de aplicación", "qué ventana estaba activa y cuándo cambié de una aplicación a otra"),
        "derived_data": ("Datos derivados", "características, etiquetas, embeddings, inferencias y puntuaciones de productividad o de comportamiento calculadas a partir de esos datos"),
        "training_datasets": ("Conjuntos de datos de entrenamiento", "los conjuntos de datos que contengan esos datos"),
        "trained_models": ("Modelos entrenados", "los modelos, puntos de control y evaluaciones entrenados o probados con esos datos"),
    },
    "it": {
        "keystrokes": ("Digitazioni", "i registri dei tasti premuti e dei relativi tempi: che cosa ho digitato, quando e a quale velocità"),
        "mouse_movements": ("Movimenti del mouse", "le traiettorie del mouse, i clic e lo scorrimento"),
        "screen_activity": ("Attività a schermo", "schermate, registrazioni dello schermo e le sequenze di operazioni che ho eseguito a schermo"),
        "app_switching": ("Cambi di applicazione", "quale finestra era attiva e quando sono passato/a da un'applicazione all'altra"),
        "derived_data": ("Dati derivati", "caratteristiche, etichette, embedding, inferenze e punteggi di produttività o di comportamento calcolati a partire da tali dati"),
        "training_datasets": ("Dataset di addestramento", "i dataset che contengono tali dati"),
        "trained_models": ("Modelli addestrati", "modelli, checkpoint e valutazioni addestrati o testati su tali dati"),
    },
    "nl": {
        "keystrokes": ("Toetsaanslagen", "logboeken van mijn toetsaanslagen en hun timing: wat ik typte, wanneer en hoe snel"),
        "mouse_movements": ("Muisbewegingen", "muisbewegingen, klikken en scrollen"),
        "screen_activity": ("Schermactiviteit", "schermafbeeldingen, schermopnamen en de reeksen handelingen die ik op het scherm uitvoerde"),
        "app_switching": ("Wisselen tussen applicaties", "welk venster actief was en wanneer ik tussen applicaties wisselde"),
        "derived_data": ("Afgeleide gegevens", "kenmerken, labels, embeddings, afleidingen en productiviteits- of gedragsscores die uit deze gegevens zijn berekend"),
        "training_datasets": ("Trainingsdatasets", "datasets die deze gegevens bevatten"),
        "trained_models": ("Getrainde modellen", "modellen, checkpoints en evaluaties die met deze gegevens zijn getraind of getest"),
    },
    "pt": {
        "keystrokes": ("Digitação", "os registros das teclas que pressionei e do seu ritmo: o que digitei, quando e com que velocidade"),
        "mouse_movements": ("Movimentos do mouse", "as trajetórias do mouse, os cliques e a rolagem"),
        "screen_activity": ("Atividade na tela", "capturas de tela, gravações de tela e as sequências de operações que realizei na tela"),
        "app_switching": ("Troca de aplicativos", "qual janela estava ativa e quando alternei entre aplicativos"),
        "derived_data": ("Dados derivados", "características, rótulos, embeddings, inferências e pontuações de produtividade ou de comportamento calculadas a partir desses dados"),
        "training_datasets": ("Conjuntos de dados de treinamento", "os conjuntos de dados que contenham esses dados"),
        "trained_models": ("Modelos treinados", "modelos, checkpoints e avaliações treinados ou testados com esses dados"),
    },
}

#: The rights' names in the letter language, per regime family (English letters use the record's name).
_RIGHT_NAMES: dict[str, dict[str, str]] = {
    "de": {
        "access": "Recht auf Auskunft und Kopie", "rectification": "Recht auf Berichtigung",
        "erasure": "Recht auf Löschung", "restriction": "Recht auf Einschränkung der Verarbeitung",
        "portability": "Recht auf Datenübertragbarkeit", "objection": "Widerspruchsrecht",
        "automated_decisions": "Recht, keiner ausschließlich automatisierten Entscheidung unterworfen zu werden",
    },
    "fr": {
        "access": "Droit d'accès et de copie", "rectification": "Droit de rectification",
        "erasure": "Droit à l'effacement", "restriction": "Droit à la limitation du traitement",
        "portability": "Droit à la portabilité des données", "objection": "Droit d'opposition",
        "automated_decisions": "Droit de ne pas faire l'objet d'une décision fondée exclusivement sur un traitement automatisé",
    },
    "es": {
        "access": "Derecho de acceso y copia", "rectification": "Derecho de rectificación",
        "erasure": "Derecho de supresión", "restriction": "Derecho a la limitación del tratamiento",
        "portability": "Derecho a la portabilidad de los datos", "objection": "Derecho de oposición",
        "automated_decisions": "Derecho a no ser objeto de decisiones basadas únicamente en el tratamiento automatizado",
    },
    "it": {
        "access": "Diritto di accesso e di copia", "rectification": "Diritto di rettifica",
        "erasure": "Diritto alla cancellazione", "restriction": "Diritto di limitazione del trattamento",
        "portability": "Diritto alla portabilità dei dati", "objection": "Diritto di opposizione",
        "automated_decisions": "Diritto di non essere sottoposto/a a una decisione basata unicamente sul trattamento automatizzato",
    },
    "nl": {
        "access": "Recht van inzage en op een kopie", "rectification": "Recht op rectificatie",
        "erasure": "Recht op gegevenswissing", "restriction": "Recht op beperking van de verwerking",
        "portability": "Recht op overdraagbaarheid van gegevens", "objection": "Recht van bezwaar",
        "automated_decisions": "Recht om niet te worden onderworpen aan uitsluitend geautomatiseerde besluitvorming",
    },
    "pt": {  # LGPD
        "access": "Confirmação da existência de tratamento e acesso aos dados",
        "rectification": "Correção de dados incompletos, inexatos ou desatualizados",
        "erasure": "Anonimização, bloqueio ou eliminação de dados desnecessários ou excessivos e eliminação dos dados tratados com consentimento",
        "portability": "Portabilidade dos dados",
        "automated_decisions": "Revisão de decisões automatizadas, inclusive as que definem o perfil profissional",
        "restriction": "Bloqueio do tratamento", "objection": "Oposição ao tratamento",
    },
}
#: French for Quebec Law 25 (its rights are named differently from the GDPR's).
_RIGHT_NAMES_QC_FR: dict[str, str] = {
    "access": "Droit d'accès", "rectification": "Droit de rectification",
    "portability": "Droit à la portabilité (communication dans un format technologique structuré et couramment utilisé)",
    "objection": "Droit à la cessation de la diffusion et de l'utilisation",
    "automated_decisions": "Droit d'être informé(e) des décisions fondées exclusivement sur un traitement automatisé",
}

#: Short names of the rights for the subject line.
_RIGHT_SHORT: dict[str, dict[str, str]] = {
    "en": {"access": "access", "erasure": "erasure", "rectification": "rectification", "restriction": "restriction",
           "objection": "objection", "portability": "portability", "automated_decisions": "automated decisions",
           "opt_out_sharing": "opt-out of sale or sharing", "limit_sensitive": "limit use of sensitive information"},
    "de": {"access": "Auskunft", "erasure": "Löschung", "rectification": "Berichtigung", "restriction": "Einschränkung",
           "objection": "Widerspruch", "portability": "Datenübertragung", "automated_decisions": "automatisierte Entscheidungen"},
    "fr": {"access": "accès", "erasure": "effacement", "rectification": "rectification", "restriction": "limitation",
           "objection": "opposition", "portability": "portabilité", "automated_decisions": "décisions automatisées"},
    "es": {"access": "acceso", "erasure": "supresión", "rectification": "rectificación", "restriction": "limitación",
           "objection": "oposición", "portability": "portabilidad", "automated_decisions": "decisiones automatizadas"},
    "it": {"access": "accesso", "erasure": "cancellazione", "rectification": "rettifica", "restriction": "limitazione",
           "objection": "opposizione", "portability": "portabilità", "automated_decisions": "decisioni automatizzate"},
    "nl": {"access": "inzage", "erasure": "wissing", "rectification": "rectificatie", "restriction": "beperking",
           "objection": "bezwaar", "portability": "overdraagbaarheid", "automated_decisions": "geautomatiseerde besluiten"},
    "pt": {"access": "acesso", "erasure": "eliminação", "rectification": "correção", "restriction": "bloqueio",
           "objection": "oposição", "portability": "portabilidade", "automated_decisions": "revisão de decisões automatizadas"},
}
_RIGHT_SHORT_QC_FR = {"objection": "cessation", "automated_decisions": "décisions automatisées"}

_AND = {"en": "and", "de": "und", "fr": "et", "es": "y", "it": "e", "nl": "en", "pt": "e"}

#: Works-council rules an employer in that country had to follow before monitoring (LEGAL.md §3 item 12).
_WORKS_COUNCIL: dict[str, str] = {
    "DE": "§ 87 Abs. 1 Nr. 6 BetrVG",
    "FR": "article L1222-4 du Code du travail",
    "IT": "art. 4 dello Statuto dei lavoratori (L. 300/1970)",
}

#: Regimes where the employer may claim an employment exemption; the letter asks it to justify that
#: training a model is an employment purpose (LEGAL.md §3 item 14).
_EMPLOYMENT_PURPOSE_REGIMES = {"in-dpdp": "DPDP Act 2023, s.7(i)", "au-privacy": "Privacy Act 1988 (Cth), s.7B(3)"}


def _join_words(words: list[str], lang: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {_AND[lang]} {words[-1]}"


def _right_name(regime: Regime, code: str, lang: str) -> str:
    record_name = regime.right(code).name
    if lang == "en":
        return record_name
    if lang == "fr" and regime.key == "ca-qc-law25":
        return _RIGHT_NAMES_QC_FR.get(code, record_name)
    return _RIGHT_NAMES.get(lang, {}).get(code, record_name)


def _right_short(regime: Regime, code: str, lang: str) -> str:
    if lang == "fr" and regime.key == "ca-qc-law25" and code in _RIGHT_SHORT_QC_FR:
        return _RIGHT_SHORT_QC_FR[code]
    return _RIGHT_SHORT.get(lang, {}).get(code, code.replace("_", " "))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]


def _region_for(case: Case, regime: Regime) -> str:
    """The holiday region: the case's; else a sub-national regime's region (US-CA, CA-QC); else the
    employer's country; else the regime's first country."""
    employer_country = case.employer_country or (case.employer.country if case.employer else "")
    for candidate in (case.region, *regime.regions, employer_country, *regime.countries):
        if not candidate:
            continue
        try:
            return parse_region(candidate).code
        except UnknownRegion:
            continue
    return "US" if regime.key.startswith(_US_DATE_REGIMES_PREFIX) else "GB"


def letter_language(case: Case) -> str:
    offered = letter_languages(case.law_key)
    if not case.language:
        employer = case.employer
        return default_language(
            law_key=case.law_key,
            employer_language=employer.preferred_language if employer else "",
            employer_country=case.employer_country or (employer.country if employer else ""),
        )
    if case.language not in offered:
        raise ValueError(
            f"No {case.law_key} request letter in {case.language!r}; it exists in {', '.join(offered)}."
        )
    return case.language


# --- The context -----------------------------------------------------------------------------------


def letter_context(case: Case, *, kind: str = "request", today: date) -> dict[str, Any]:
    """Everything a letter template reads. Plain values only; the templates autoescape them."""
    if kind not in LetterKind.values:
        raise ValueError(f"Unknown letter kind {kind!r}")
    regime = get_regime(case.law_key)
    lang = letter_language(case)
    family = regime_family(regime.key)
    us = regime.key.startswith(_US_DATE_REGIMES_PREFIX)

    def fmt(day: date | None) -> str:
        return format_date(day, lang, us=us)

    codes = [code for code in case.rights if regime.right(code) is not None]
    rights = [
        {
            "code": code,
            "name": _right_name(regime, code, lang),
            "citation": local_citation(regime.right(code).citation, lang),
        }
        for code in codes
    ]
    ask = {code: code in codes for code in RIGHT_CODES}

    chosen = [code for code in case.categories if code in CATEGORY_BY_CODE] or [c.code for c in CATEGORIES]
    texts = _CATEGORY_TEXT[lang]
    categories = [
        {"code": code, "label": texts[code][0] if code in texts else CATEGORY_BY_CODE[code].label,
         "help": texts[code][1] if code in texts else CATEGORY_BY_CODE[code].help}
        for code in chosen
    ]

    received = case.received_on or today
    region = _region_for(case, regime)
    result = compute_deadlines(regime, received=received, region=region)
    response_citation = ""
    if regime.response is not None:
        response_citation = regime.response.citation
    elif regime.no_fixed_period is not None:
        response_citation = regime.no_fixed_period.citation
    deadline = {
        "fixed": result.respond_by is not None,
        "received": received,
        "received_text": fmt(received),
        "received_assumed": case.received_on is None,
        "respond_by": result.respond_by,
        "respond_by_text": fmt(result.respond_by),
        "citation": local_citation(response_citation, lang) if response_citation else "",
        "description": regime.response.description if regime.response else "",
        "extension_citation": local_citation(regime.extension.citation, lang) if regime.extension else "",
        "follow_up": result.suggested_follow_up,
        "follow_up_text": fmt(result.suggested_follow_up),
        "acknowledge_by_text": fmt(result.acknowledge_by),
        "acknowledge_citation": regime.acknowledgement.citation if regime.acknowledgement else "",
        "acknowledge_description": regime.acknowledgement.description if regime.acknowledgement else "",
        "region": region,
    }

    employer = case.employer
    employer_country = case.employer_country or (employer.country if employer else "")
    labels = _LABELS[lang]
    short_names = [_right_short(regime, code, lang) for code in codes]
    return {
        "kind": kind,
        "language": lang,
        "language_name": LANGUAGES[lang],
        "template_version": TEMPLATE_VERSION,
        "labels": labels,
        "family": family,
        "uk": regime.key == "uk-gdpr",
        "eu": regime.key == "eu-gdpr",
        "act": regime.short_name,  # "GDPR" / "UK GDPR" / "CCPA" ...
        "regime": {
            "key": regime.key,
            "name": regime.name,
            "short_name": regime.short_name,
            "instrument": regime.instrument if regime.instrument != regime.name else "",
            "authority": regime.authority.name,
        },
        "asks_template": f"letters/{lang}/_asks_{family}.html",
        "reference": case.reference,
        "today": today,
        "date_text": fmt(today),
        # Sender.
        "requester_name": case.requester_name,
        "requester_address_lines": _lines(case.requester_address),
        "requester_email": case.requester_email,
        "employee_id": case.employee_id,
        "job_title": case.job_title,
        "employment_start_text": fmt(case.employment_start),
        "employment_end_text": fmt(case.employment_end),
        # Recipient.
        "employer_name": employer.legal_name if employer else "",
        "recipient_address_lines": _lines(employer.postal_address) if employer else [],
        "privacy_email": employer.privacy_email if employer else "",
        "employer_country": employer_country,
        # What is asked.
        "subject_rights": _join_words(short_names, lang),
        "rights": rights,
        "ask": ask,
        "categories": categories,
        "other_data": case.other_data,
        "works_council": _WORKS_COUNCIL.get(employer_country.upper(), "") if family == "gdpr" and regime.key == "eu-gdpr" else "",
        "employment_purpose_citation": _EMPLOYMENT_PURPOSE_REGIMES.get(regime.key, ""),
        "deadline": deadline,
        # Identity.
        "identity_citation": local_citation(regime.identity.citation, lang),
        "identity_note": case.identity_note,
    }


def letter_html(case: Case, *, kind: str = "request", today: date) -> str:
    """The letter as HTML (no styles: the print stylesheet comes from ``core.pdf.render_pdf``)."""
    context = letter_context(case, kind=kind, today=today)
    return render_to_string(f"letters/{context['language']}/{kind}.html", context)


def _safe_language(case: Case) -> str:
    try:
        return letter_language(case)
    except (ValueError, LookupError):
        return "en"


def letter_footer(case: Case, letter_short_id: str) -> str:
    """The running footer, e.g. ``DP-7K3Q-9M2X · letter 7K3Q9M2X`` (page numbers come from the CSS)."""
    lang = _safe_language(case)
    return f"{case.reference} · {_LABELS[lang]['letter']} {letter_short_id}"


_KIND_TITLES = {
    "follow_up": {
        "en": "Follow-up to data protection request", "de": "Erinnerung zum Datenschutzantrag",
        "fr": "Relance de la demande relative aux données personnelles", "es": "Recordatorio de la solicitud de protección de datos",
        "it": "Sollecito della richiesta sulla protezione dei dati", "nl": "Herinnering aan verzoek over persoonsgegevens",
        "pt": "Reiteração da solicitação de proteção de dados",
    },
    "complaint": {"en": "Complaint to the supervisory authority", "de": "Beschwerde bei der Aufsichtsbehörde"},
}


def letter_metadata(case: Case, kind: str = "request") -> PdfMetadata:
    """The PDF's document information: title, author (the requester), subject and language."""
    from deletion_portal.core.pdf import PdfMetadata

    lang = _safe_language(case)
    titles = _KIND_TITLES.get(kind, {})
    title = f"{titles.get(lang) or titles.get('en') or _LABELS[lang]['title']} {case.reference}"
    employer = case.employer.legal_name if case.employer else ""
    try:
        act = get_regime(case.law_key).short_name
    except LookupError:
        act = ""
    subject = " · ".join(part for part in (act, employer) if part)
    return PdfMetadata(title=title, author=case.requester_name, subject=subject, language=lang)
