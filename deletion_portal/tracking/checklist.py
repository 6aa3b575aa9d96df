"""Response completeness: what the request asked for, ticked off against the employer's answer.

Recording a response (``EventKind.RESPONSE_RECEIVED``) opens a checklist (tracking's receiver of
``cases.signals.case_changed`` calls :func:`checklist_open`). Its items follow what the request letter asked:

* access under the GDPR / UK GDPR: the eight items of Art. 15(1)(a)–(h), the copy (Art. 15(3)), one item
  per requested data category, and the training questions (used for training? which models? recipients?
  legal basis?); other regimes: the same in generic words;
* erasure: confirmation for the raw data, the training datasets, the trained models and the copies at
  vendors / recipients (Art. 19 under the GDPR);
* objection and restriction: confirmation that the processing stopped / was restricted.

What stays unticked feeds the follow-up letter ("your answer omitted …") and the complaint. Labels are
stored in English on the rows (the UI); :func:`checklist_label` gives them in a letter's language.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from deletion_portal.cases.hooks import StatisticsCount
from deletion_portal.cases.letter_texts import CATEGORY_TEXT  # the letter's own category words
from deletion_portal.cases.letters import regime_family
from deletion_portal.cases.models import Case, CaseEvent, EventKind
from deletion_portal.cases.taxonomy import CATEGORY_BY_CODE
from deletion_portal.tracking.models import ChecklistItem

LANGS = ("en", "de", "fr", "es", "it", "nl", "pt")

#: code -> label per language, for the GDPR family (the citations are part of the label).
_GDPR: dict[str, tuple[str, ...]] = {
    # (en, de, fr, es, it, nl, pt)
    "art15_1_a": ("the purposes of the processing (Art. 15(1)(a))",
                  "die Verarbeitungszwecke (Art. 15 Abs. 1 lit. a DSGVO)",
                  "les finalités du traitement (article 15, paragraphe 1, point a), du RGPD)",
                  "los fines del tratamiento (artículo 15, apartado 1, letra a), del RGPD)",
                  "le finalità del trattamento (articolo 15, paragrafo 1, lettera a), del GDPR)",
                  "de verwerkingsdoeleinden (artikel 15, lid 1, onder a, AVG)",
                  "as finalidades do tratamento (art. 15.º, n.º 1, alínea a), do RGPD)"),
    "art15_1_b": ("the categories of personal data concerned (Art. 15(1)(b))",
                  "die Kategorien personenbezogener Daten (Art. 15 Abs. 1 lit. b DSGVO)",
                  "les catégories de données concernées (article 15, paragraphe 1, point b), du RGPD)",
                  "las categorías de datos de que se trate (artículo 15, apartado 1, letra b), del RGPD)",
                  "le categorie di dati personali (articolo 15, paragrafo 1, lettera b), del GDPR)",
                  "de betrokken categorieën persoonsgegevens (artikel 15, lid 1, onder b, AVG)",
                  "as categorias de dados em causa (art. 15.º, n.º 1, alínea b), do RGPD)"),
    "art15_1_c": ("the recipients, by name (Art. 15(1)(c); CJEU C-154/21)",
                  "die Empfänger, namentlich (Art. 15 Abs. 1 lit. c DSGVO; EuGH C-154/21)",
                  "les destinataires, nommément (article 15, paragraphe 1, point c), du RGPD ; CJUE C-154/21)",
                  "los destinatarios, por su nombre (artículo 15, apartado 1, letra c), del RGPD; TJUE C-154/21)",
                  "i destinatari, per nome (articolo 15, paragrafo 1, lettera c), del GDPR; CGUE C-154/21)",
                  "de ontvangers, bij naam (artikel 15, lid 1, onder c, AVG; HvJ EU C-154/21)",
                  "os destinatários, nominalmente (art. 15.º, n.º 1, alínea c), do RGPD; TJUE C-154/21)"),
    "art15_1_d": ("the retention period (Art. 15(1)(d))",
                  "die Speicherdauer (Art. 15 Abs. 1 lit. d DSGVO)",
                  "la durée de conservation (article 15, paragraphe 1, point d), du RGPD)",
                  "el plazo de conservación (artículo 15, apartado 1, letra d), del RGPD)",
                  "il periodo di conservazione (articolo 15, paragrafo 1, lettera d), del GDPR)",
                  "de bewaartermijn (artikel 15, lid 1, onder d, AVG)",
                  "o prazo de conservação (art. 15.º, n.º 1, alínea d), do RGPD)"),
    "art15_1_e": ("my rights to rectification, erasure, restriction and objection (Art. 15(1)(e))",
                  "meine Rechte auf Berichtigung, Löschung, Einschränkung und Widerspruch (Art. 15 Abs. 1 lit. e DSGVO)",
                  "mes droits de rectification, d'effacement, de limitation et d'opposition (article 15, paragraphe 1, point e), du RGPD)",
                  "mis derechos de rectificación, supresión, limitación y oposición (artículo 15, apartado 1, letra e), del RGPD)",
                  "i miei diritti di rettifica, cancellazione, limitazione e opposizione (articolo 15, paragrafo 1, lettera e), del GDPR)",
                  "mijn rechten op rectificatie, wissing, beperking en bezwaar (artikel 15, lid 1, onder e, AVG)",
                  "os meus direitos de retificação, apagamento, limitação e oposição (art. 15.º, n.º 1, alínea e), do RGPD)"),
    "art15_1_f": ("my right to lodge a complaint with a supervisory authority (Art. 15(1)(f))",
                  "mein Beschwerderecht bei einer Aufsichtsbehörde (Art. 15 Abs. 1 lit. f DSGVO)",
                  "mon droit d'introduire une réclamation auprès d'une autorité de contrôle (article 15, paragraphe 1, point f), du RGPD)",
                  "mi derecho a presentar una reclamación ante una autoridad de control (artículo 15, apartado 1, letra f), del RGPD)",
                  "il mio diritto di proporre reclamo a un'autorità di controllo (articolo 15, paragrafo 1, lettera f), del GDPR)",
                  "mijn recht een klacht in te dienen bij een toezichthoudende autoriteit (artikel 15, lid 1, onder f, AVG)",
                  "o meu direito de apresentar reclamação a uma autoridade de controlo (art. 15.º, n.º 1, alínea f), do RGPD)"),
    "art15_1_g": ("the source of the data (Art. 15(1)(g))",
                  "die Herkunft der Daten (Art. 15 Abs. 1 lit. g DSGVO)",
                  "l'origine des données (article 15, paragraphe 1, point g), du RGPD)",
                  "el origen de los datos (artículo 15, apartado 1, letra g), del RGPD)",
                  "l'origine dei dati (articolo 15, paragrafo 1, lettera g), del GDPR)",
                  "de bron van de gegevens (artikel 15, lid 1, onder g, AVG)",
                  "a origem dos dados (art. 15.º, n.º 1, alínea g), do RGPD)"),
    "art15_1_h": ("automated decision-making and the logic actually applied (Art. 15(1)(h); CJEU C-203/22)",
                  "automatisierte Entscheidungen und die tatsächlich angewandte Logik (Art. 15 Abs. 1 lit. h DSGVO; EuGH C-203/22)",
                  "les décisions automatisées et la logique effectivement appliquée (article 15, paragraphe 1, point h), du RGPD ; CJUE C-203/22)",
                  "las decisiones automatizadas y la lógica efectivamente aplicada (artículo 15, apartado 1, letra h), del RGPD; TJUE C-203/22)",
                  "le decisioni automatizzate e la logica effettivamente applicata (articolo 15, paragrafo 1, lettera h), del GDPR; CGUE C-203/22)",
                  "geautomatiseerde besluitvorming en de daadwerkelijk toegepaste logica (artikel 15, lid 1, onder h, AVG; HvJ EU C-203/22)",
                  "as decisões automatizadas e a lógica efetivamente aplicada (art. 15.º, n.º 1, alínea h), do RGPD; TJUE C-203/22)"),
    "copy": ("a copy of the data (Art. 15(3))",
             "eine Kopie der Daten (Art. 15 Abs. 3 DSGVO)",
             "une copie des données (article 15, paragraphe 3, du RGPD)",
             "una copia de los datos (artículo 15, apartado 3, del RGPD)",
             "una copia dei dati (articolo 15, paragrafo 3, del GDPR)",
             "een kopie van de gegevens (artikel 15, lid 3, AVG)",
             "uma cópia dos dados (art. 15.º, n.º 3, do RGPD)"),
    "erasure:recipients": ("erasure confirmed at vendors and other recipients (Art. 19)",
                           "Bestätigung der Löschung bei Dienstleistern und sonstigen Empfängern (Art. 19 DSGVO)",
                           "confirmation de l'effacement chez les prestataires et autres destinataires (article 19 du RGPD)",
                           "confirmación de la supresión por los proveedores y demás destinatarios (artículo 19 del RGPD)",
                           "conferma della cancellazione presso fornitori e altri destinatari (articolo 19 del GDPR)",
                           "bevestiging van de wissing bij leveranciers en andere ontvangers (artikel 19 AVG)",
                           "confirmação do apagamento junto de fornecedores e outros destinatários (art. 19.º do RGPD)"),
    "objection:stopped": ("confirmation that the processing for training stopped, or the compelling grounds relied on (Art. 21(1))",
                          "die Bestätigung, dass die Verarbeitung für das Training eingestellt wurde, oder die geltend gemachten zwingenden Gründe (Art. 21 Abs. 1 DSGVO)",
                          "la confirmation que le traitement à des fins d'entraînement a cessé, ou les motifs impérieux invoqués (article 21, paragraphe 1, du RGPD)",
                          "la confirmación de que cesó el tratamiento para entrenamiento, o los motivos imperiosos invocados (artículo 21, apartado 1, del RGPD)",
                          "la conferma che il trattamento a fini di addestramento è cessato, o i motivi cogenti invocati (articolo 21, paragrafo 1, del GDPR)",
                          "de bevestiging dat de verwerking voor training is gestaakt, of de dwingende gronden waarop u zich beroept (artikel 21, lid 1, AVG)",
                          "a confirmação de que o tratamento para treino cessou, ou os motivos imperiosos invocados (art. 21.º, n.º 1, do RGPD)"),
    "restriction:applied": ("confirmation that the processing was restricted (Art. 18)",
                            "die Bestätigung der Einschränkung der Verarbeitung (Art. 18 DSGVO)",
                            "la confirmation de la limitation du traitement (article 18 du RGPD)",
                            "la confirmación de la limitación del tratamiento (artículo 18 del RGPD)",
                            "la conferma della limitazione del trattamento (articolo 18 del GDPR)",
                            "de bevestiging dat de verwerking is beperkt (artikel 18 AVG)",
                            "a confirmação da limitação do tratamento (art. 18.º do RGPD)"),
}

#: Labels shared by every regime (no citation), and the generic variants of the GDPR ones.
_COMMON: dict[str, tuple[str, ...]] = {
    "data:held": ("what personal data about me you hold", "welche personenbezogenen Daten über mich Sie speichern",
                  "les données personnelles me concernant que vous détenez", "qué datos personales míos conservan",
                  "quali dati personali mi riguardano sono da voi conservati", "welke persoonsgegevens over mij u bewaart",
                  "quais dados pessoais meus são mantidos"),
    "copy": ("a copy of the data", "eine Kopie der Daten", "une copie des données", "una copia de los datos",
             "una copia dei dati", "een kopie van de gegevens", "uma cópia dos dados"),
    "training:used": ("whether the data was used to train, fine-tune or evaluate models",
                      "ob die Daten zum Training, Fine-Tuning oder zur Evaluierung von Modellen verwendet wurden",
                      "si les données ont servi à entraîner, affiner ou évaluer des modèles",
                      "si los datos se utilizaron para entrenar, ajustar o evaluar modelos",
                      "se i dati sono stati usati per addestrare, affinare o valutare modelli",
                      "of de gegevens zijn gebruikt om modellen te trainen, te verfijnen of te evalueren",
                      "se os dados foram usados para treinar, ajustar ou avaliar modelos"),
    "training:models": ("which models, when and for what purpose", "welche Modelle, wann und zu welchem Zweck",
                        "quels modèles, quand et dans quel but", "qué modelos, cuándo y con qué fin",
                        "quali modelli, quando e per quale scopo", "welke modellen, wanneer en met welk doel",
                        "quais modelos, quando e com que finalidade"),
    "training:recipients": ("whether models or datasets containing the data went to third parties, and to whom",
                            "ob Modelle oder Datensätze mit diesen Daten an Dritte gegeben wurden, und an wen",
                            "si des modèles ou jeux de données contenant ces données ont été transmis à des tiers, et à qui",
                            "si se cedieron a terceros modelos o conjuntos de datos que los contienen, y a quién",
                            "se modelli o dataset contenenti i dati sono stati trasmessi a terzi, e a chi",
                            "of modellen of datasets met deze gegevens aan derden zijn verstrekt, en aan wie",
                            "se modelos ou conjuntos de dados com esses dados foram transmitidos a terceiros, e a quem"),
    "training:legal_basis": ("the legal basis for each purpose, in particular for training",
                             "die Rechtsgrundlage für jeden Zweck, insbesondere für das Training",
                             "la base juridique de chaque finalité, en particulier de l'entraînement",
                             "la base jurídica de cada fin, en particular del entrenamiento",
                             "la base giuridica di ciascuna finalità, in particolare dell'addestramento",
                             "de rechtsgrond voor elk doel, in het bijzonder voor de training",
                             "a base legal de cada finalidade, em especial do treino"),
    "erasure:raw": ("erasure confirmed for the raw data", "Bestätigung der Löschung der Rohdaten",
                    "confirmation de l'effacement des données brutes", "confirmación de la supresión de los datos en bruto",
                    "conferma della cancellazione dei dati grezzi", "bevestiging van de wissing van de ruwe gegevens",
                    "confirmação da eliminação dos dados brutos"),
    "erasure:datasets": ("erasure confirmed for the training datasets", "Bestätigung der Löschung aus den Trainingsdatensätzen",
                         "confirmation de l'effacement dans les jeux de données d'entraînement",
                         "confirmación de la supresión de los conjuntos de datos de entrenamiento",
                         "conferma della cancellazione dai dataset di addestramento",
                         "bevestiging van de wissing uit de trainingsdatasets",
                         "confirmação da eliminação dos conjuntos de dados de treino"),
    "erasure:models": ("erasure confirmed for the trained models (or what was done instead)",
                       "Bestätigung der Löschung aus den trainierten Modellen (oder was stattdessen geschah)",
                       "confirmation de l'effacement dans les modèles entraînés (ou de ce qui a été fait à la place)",
                       "confirmación de la supresión en los modelos entrenados (o de lo que se hizo en su lugar)",
                       "conferma della cancellazione dai modelli addestrati (o di cosa è stato fatto invece)",
                       "bevestiging van de wissing uit de getrainde modellen (of wat er in plaats daarvan is gedaan)",
                       "confirmação da eliminação nos modelos treinados (ou do que foi feito em alternativa)"),
    "erasure:recipients": ("deletion confirmed at vendors and other recipients",
                           "Bestätigung der Löschung bei Dienstleistern und sonstigen Empfängern",
                           "confirmation de l'effacement chez les prestataires et autres destinataires",
                           "confirmación de la supresión por los proveedores y demás destinatarios",
                           "conferma della cancellazione presso fornitori e altri destinatari",
                           "bevestiging van de wissing bij leveranciers en andere ontvangers",
                           "confirmação da eliminação junto de fornecedores e outros destinatários"),
    "objection:stopped": ("confirmation that the use of the data for training stopped",
                          "die Bestätigung, dass die Nutzung der Daten für das Training eingestellt wurde",
                          "la confirmation que l'utilisation des données pour l'entraînement a cessé",
                          "la confirmación de que cesó el uso de los datos para entrenamiento",
                          "la conferma che l'uso dei dati per l'addestramento è cessato",
                          "de bevestiging dat het gebruik van de gegevens voor training is gestaakt",
                          "a confirmação de que cessou o uso dos dados para treino"),
    "restriction:applied": ("confirmation that the processing was suspended", "die Bestätigung, dass die Verarbeitung ausgesetzt wurde",
                            "la confirmation que le traitement a été suspendu", "la confirmación de que se suspendió el tratamiento",
                            "la conferma che il trattamento è stato sospeso", "de bevestiging dat de verwerking is opgeschort",
                            "a confirmação de que o tratamento foi suspenso"),
    "other_data": ("the other data named in my request", "die sonstigen in meinem Antrag genannten Daten",
                   "les autres données citées dans ma demande", "los demás datos mencionados en mi solicitud",
                   "gli altri dati indicati nella mia richiesta", "de overige in mijn verzoek genoemde gegevens",
                   "os demais dados indicados no meu pedido"),
}

_THE_DATA = {"en": "the data: {}", "de": "die Daten: {}", "fr": "les données : {}", "es": "los datos: {}",
             "it": "i dati: {}", "nl": "de gegevens: {}", "pt": "os dados: {}"}


def checklist_codes(case: Case) -> list[str]:
    """The item codes for what ``case``'s request asked, in the letter's order."""
    rights = set(case.rights or [])
    gdpr = regime_family(case.law_key) == "gdpr"
    codes: list[str] = []
    if "access" in rights:
        codes += [f"art15_1_{x}" for x in "abcdefgh"] if gdpr else ["data:held"]
        codes.append("copy")
        codes += [f"category:{code}" for code in case.categories if code in CATEGORY_BY_CODE]
        if case.other_data.strip():
            codes.append("other_data")
        codes += ["training:used", "training:models", "training:recipients"]
    if rights & {"access", "objection"}:
        codes.append("training:legal_basis")
    if "objection" in rights:
        codes.append("objection:stopped")
    if "restriction" in rights:
        codes.append("restriction:applied")
    if "erasure" in rights:
        codes += ["erasure:raw", "erasure:datasets", "erasure:models", "erasure:recipients"]
    return codes


def checklist_label(code: str, lang: str = "en", *, family: str = "gdpr") -> str:
    """An item's label in ``lang`` (GDPR family: with the article; otherwise generic words)."""
    index = LANGS.index(lang) if lang in LANGS else 0
    if code.startswith("category:"):
        category = code.split(":", 1)[1]
        label = CATEGORY_TEXT.get(lang, {}).get(category, (CATEGORY_BY_CODE[category].label,))[0]
        return _THE_DATA[LANGS[index]].format(label)
    table = _GDPR if family == "gdpr" and code in _GDPR else _COMMON
    if code not in table:
        return code
    return table[code][index]


def checklist_items(*, case: Case, response_event: CaseEvent) -> list[ChecklistItem]:
    """The checklist as it stands, for reading: the stored rows, plus unsaved rows (not answered) for any
    item the response has no row for yet. Writes nothing (a GET never writes)."""
    stored = list(response_event.checklist.order_by("id"))
    have = {item.code for item in stored}
    family = regime_family(case.law_key)
    return stored + [
        ChecklistItem(case=case, response=response_event, code=code, label=checklist_label(code, "en", family=family)[:300])
        for code in checklist_codes(case) if code not in have
    ]


@transaction.atomic
def checklist_open(*, case: Case, response_event: CaseEvent) -> list[ChecklistItem]:
    """The checklist for one recorded response (created once; calling again returns the same rows)."""
    if response_event.case_id != case.pk or response_event.kind != EventKind.RESPONSE_RECEIVED:
        raise ValidationError("A checklist belongs to a response recorded on this case.")
    existing = {item.code for item in response_event.checklist.all()}
    family = regime_family(case.law_key)
    # A structured answer from the employer's team says which items it covered: the checklist starts from it.
    structured = isinstance(response_event.details.get("answered"), list)
    covered = set(response_event.details.get("answered") or []) if structured else set()
    for code in checklist_codes(case):
        if code not in existing:
            ChecklistItem.objects.get_or_create(
                case=case, response=response_event, code=code,
                defaults={"label": checklist_label(code, "en", family=family)[:300], "answered": code in covered,
                          "set_by": "answer" if structured else ""},
            )
    return list(response_event.checklist.order_by("id"))


@transaction.atomic
def checklist_update(*, case: Case, response_event: CaseEvent, answered_codes: set[str]) -> list[ChecklistItem]:
    """Tick exactly ``answered_codes`` (what the answer covered); untick the rest."""
    if response_event.case_id != case.pk:
        raise ValidationError("A checklist belongs to a response recorded on this case.")
    items = checklist_open(case=case, response_event=response_event)
    answered_codes = set(answered_codes)
    for item in items:
        answered = item.code in answered_codes
        if item.answered != answered:
            item.answered = answered
            fields = ["answered"]
            if item.set_by:  # the employee overrides what the employer's answer said: recorded
                item.set_by, item.overridden_at = "employee", timezone.now()
                fields += ["set_by", "overridden_at"]
            item.save(update_fields=fields)
    return items


def latest_response(case: Case) -> CaseEvent | None:
    return case.events.filter(kind=EventKind.RESPONSE_RECEIVED).order_by("-on", "-recorded_at", "-id").first()


def checklist_missing_codes(case: Case) -> list[str]:
    response = latest_response(case)
    if response is None:
        return []
    return [item.code for item in response.checklist.filter(answered=False).order_by("id")]


def checklist_statistics_label(variable: str, language: str) -> str | None:
    """The label of an ``item:<code>`` statistics variable in ``language`` (``cases.hooks.register_statistics_labeller``);
    the counts carry the English one."""
    if not variable.startswith("item:") or language not in LANGS:
        return None
    return checklist_label(variable.removeprefix("item:"), language)


def checklist_statistics(*, cases) -> list:
    """Completeness for the outcome statistics (``cases.hooks.register_statistics_source``): per checklist
    item, employer, law and month received, the cases whose answer addressed it and those whose answer did not — one
    grouped query. A case answered more than once counts as addressed when any of its answers did."""
    rows = (ChecklistItem.objects.filter(case__in=cases.filter(received_on__isnull=False).values("pk"))
            .values("code", "case__employer_id", law=F("case__law_key"), month=TruncMonth("case__received_on")).order_by()
            .annotate(cases=Count("case", distinct=True), answered=Count("case", distinct=True, filter=Q(answered=True))))
    out = []
    for row in rows:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        out.append(StatisticsCount(variable=f"item:{row['code']}", label=checklist_label(row["code"], "en"),
                                   law=row["law"], month=month, yes=row["answered"], no=row["cases"] - row["answered"],
                                   employer_id=row["case__employer_id"]))
    return out
