"""The letters' small translated texts: language names, labels, month names, category descriptions,
right names and subject-line words, works-council rules, PDF titles.

Data only, no logic: ``cases.letters`` builds the letter context from it, and ``tracking.checklist`` reads
the category words (:data:`CATEGORY_TEXT`) so a checklist item says what the letter asked for. Facts of a
particular law (its letter family, languages, citation style, its own right names) are in the law JSON
(``laws/data/<key>.json``, field ``letters``), never here. The letter prose is in the templates.
"""

from __future__ import annotations

__all__ = [
    "AND_WORD",
    "ARTICLE_WORDS",
    "CATEGORY_TEXT",
    "COUNTRY_LANGUAGE",
    "EDPB_GUIDELINES",
    "EMPLOYEE_INFORMATION_RULES",
    "GDPR_ACT_NAMES",
    "KIND_TITLES",
    "LABELS",
    "LANGUAGES",
    "MONTHS",
    "RAW_RECORD_WORDS",
    "RECORDED_WORDS",
    "RIGHT_NAMES",
    "RIGHT_SUBJECT_WORDS",
    "WORKS_COUNCIL_RULES",
]

#: Every letter language, by its own name. A law record offers some of them (``letters.languages``).
LANGUAGES: dict[str, str] = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "it": "Italiano",
    "nl": "Nederlands",
    "pt": "Português",
}

#: The language a country's employers are most likely to read (used only when the regime offers it).
COUNTRY_LANGUAGE: dict[str, str] = {
    "DE": "de", "AT": "de", "LI": "de",
    "FR": "fr", "BE": "fr", "LU": "fr", "MC": "fr",
    "ES": "es",
    "IT": "it", "SM": "it",
    "NL": "nl",
    "BR": "pt", "PT": "pt",
}

#: The GDPR's usual abbreviation in each language a ``gdpr_articles`` citation is localised to.
GDPR_ACT_NAMES: dict[str, str] = {"de": "DSGVO", "fr": "RGPD", "es": "RGPD", "it": "GDPR", "nl": "AVG"}

#: "EDPB Guidelines" in each language a GDPR letter is written in.
EDPB_GUIDELINES: dict[str, str] = {
    "de": "EDSA-Leitlinien", "fr": "lignes directrices du CEPD", "es": "Directrices del CEPD",
    "it": "Linee guida EDPB", "nl": "EDPB-richtsnoeren",
}

#: The words of an article citation in the Romance languages: article, paragraph, letter, "of the".
ARTICLE_WORDS: dict[str, tuple[str, str, str, str]] = {
    "fr": ("article", "paragraphe", "point", "du"),
    "es": ("artículo", "apartado", "letra", "del"),
    "it": ("articolo", "paragrafo", "lettera", "del"),
}

#: Month names per language (explicit: no dependency on the active locale).
MONTHS: dict[str, tuple[str, ...]] = {
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

#: The letters' small labels per language (sender block, reference line, PDF title, footer word).
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "their_reference": "Your reference", "subject": "Subject",
        "dpo": "Data Protection Officer", "reference": "Reference", "employee_id": "Employee number",
        "job_title": "Job title", "employment": "Employed", "from": "from", "to": "to", "since": "since", "until": "until",
        "email": "Email", "other_data": "Also", "letter": "letter", "title": "Data protection request", "colon": ":",
    },
    "de": {
        "their_reference": "Ihr Zeichen", "subject": "Betreff",
        "dpo": "Datenschutzbeauftragte/r", "reference": "Aktenzeichen", "employee_id": "Personalnummer",
        "job_title": "Funktion", "employment": "Beschäftigt", "from": "vom", "to": "bis zum", "since": "seit dem", "until": "bis zum",
        "email": "E-Mail", "other_data": "Außerdem", "letter": "Schreiben", "title": "Datenschutzrechtlicher Antrag", "colon": ":",
    },
    "fr": {
        "their_reference": "Votre référence", "subject": "Objet",
        "dpo": "Délégué à la protection des données", "reference": "Référence", "employee_id": "Matricule",
        "job_title": "Fonction", "employment": "Employé(e)", "from": "du", "to": "au", "since": "depuis le", "until": "jusqu'au",
        "email": "Courriel", "other_data": "En outre", "letter": "lettre",
        "title": "Demande relative à la protection des données", "colon": "\u00a0:",
    },
    "es": {
        "their_reference": "Su referencia", "subject": "Asunto",
        "dpo": "Delegado de Protección de Datos", "reference": "Referencia", "employee_id": "Número de empleado",
        "job_title": "Puesto", "employment": "Empleado/a", "from": "del", "to": "al", "since": "desde el", "until": "hasta el",
        "email": "Correo electrónico", "other_data": "Además", "letter": "carta",
        "title": "Solicitud de protección de datos", "colon": ":",
    },
    "it": {
        "their_reference": "Vostro riferimento", "subject": "Oggetto",
        "dpo": "Responsabile della protezione dei dati (RPD/DPO)", "reference": "Riferimento",
        "employee_id": "Matricola", "job_title": "Mansione", "employment": "In servizio", "from": "dal", "to": "al",
        "since": "dal", "until": "fino al", "email": "E-mail", "other_data": "Inoltre", "letter": "lettera",
        "title": "Richiesta in materia di protezione dei dati", "colon": ":",
    },
    "nl": {
        "their_reference": "Uw kenmerk", "subject": "Onderwerp",
        "dpo": "Functionaris voor gegevensbescherming", "reference": "Kenmerk", "employee_id": "Personeelsnummer",
        "job_title": "Functie", "employment": "In dienst", "from": "van", "to": "tot en met", "since": "sinds", "until": "tot en met",
        "email": "E-mail", "other_data": "Daarnaast", "letter": "brief", "title": "Verzoek gegevensbescherming", "colon": ":",
    },
    "pt": {
        "their_reference": "Sua referência", "subject": "Assunto",
        "dpo": "Encarregado pelo Tratamento de Dados Pessoais (DPO)", "reference": "Referência",
        "employee_id": "Matrícula", "job_title": "Cargo", "employment": "Vínculo empregatício", "from": "de", "to": "a",
        "since": "desde", "until": "até", "email": "E-mail", "other_data": "Além disso", "letter": "carta",
        "title": "Requerimento de titular de dados", "colon": ":",
    },
}

#: The categories in the first person, as a letter describes them (taxonomy.py speaks to the user).
CATEGORY_TEXT: dict[str, dict[str, tuple[str, str]]] = {
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

#: The recorded categories (the four the employer's monitoring records) as a letter's opening names them, in the
#: sentence "my activity at the computer was recorded — …": only the ones the user chose are named.
RECORDED_WORDS: dict[str, dict[str, str]] = {
    "en": {"keystrokes": "keystrokes", "mouse_movements": "mouse movements", "screen_activity": "screen activity",
           "app_switching": "switching between applications"},
    "de": {"keystrokes": "Tastatureingaben", "mouse_movements": "Mausbewegungen", "screen_activity": "Bildschirmaktivität",
           "app_switching": "Wechsel zwischen Anwendungen"},
    "fr": {"keystrokes": "frappes au clavier", "mouse_movements": "mouvements de la souris",
           "screen_activity": "activité à l'écran", "app_switching": "changements d'application"},
    "es": {"keystrokes": "pulsaciones de teclado", "mouse_movements": "movimientos del ratón",
           "screen_activity": "actividad en pantalla", "app_switching": "cambios entre aplicaciones"},
    "it": {"keystrokes": "digitazioni", "mouse_movements": "movimenti del mouse", "screen_activity": "attività a schermo",
           "app_switching": "cambi di applicazione"},
    "nl": {"keystrokes": "toetsaanslagen", "mouse_movements": "muisbewegingen", "screen_activity": "schermactiviteit",
           "app_switching": "het wisselen tussen applicaties"},
    "pt": {"keystrokes": "digitação", "mouse_movements": "movimentos do mouse", "screen_activity": "atividade na tela",
           "app_switching": "troca de aplicativos"},
}

#: The raw records of each recorded category, as the questions ask for a copy of them ("the raw …"), and "any
#: screenshots and recordings" (screen activity only).
RAW_RECORD_WORDS: dict[str, dict[str, str]] = {
    "en": {"keystrokes": "keystroke logs", "mouse_movements": "mouse-movement trajectories",
           "screen_activity": "screen-operation sequences, screenshots and screen recordings",
           "app_switching": "application-switching records"},
    "de": {"keystrokes": "Protokolle der Tastatureingaben", "mouse_movements": "Mausbewegungsverläufe",
           "screen_activity": "Abfolgen der Bildschirmbedienung, Bildschirmfotos und Bildschirmaufzeichnungen",
           "app_switching": "Protokolle der Anwendungswechsel"},
    "fr": {"keystrokes": "journaux des frappes au clavier", "mouse_movements": "trajectoires de la souris",
           "screen_activity": "séquences d'opérations à l'écran, captures et enregistrements d'écran",
           "app_switching": "journaux des changements d'application"},
    "es": {"keystrokes": "registros de pulsaciones de teclado", "mouse_movements": "trayectorias del ratón",
           "screen_activity": "secuencias de operaciones en pantalla, capturas y grabaciones de pantalla",
           "app_switching": "registros de cambios de aplicación"},
    "it": {"keystrokes": "registri delle digitazioni", "mouse_movements": "traiettorie del mouse",
           "screen_activity": "sequenze di operazioni a schermo, schermate e registrazioni dello schermo",
           "app_switching": "registri dei cambi di applicazione"},
    "nl": {"keystrokes": "logboeken van toetsaanslagen", "mouse_movements": "muisbewegingen",
           "screen_activity": "reeksen schermhandelingen, schermafbeeldingen en schermopnamen",
           "app_switching": "logboeken van het wisselen tussen applicaties"},
    "pt": {"keystrokes": "registros de digitação", "mouse_movements": "trajetórias do mouse",
           "screen_activity": "sequências de operações na tela, capturas e gravações de tela",
           "app_switching": "registros de troca de aplicativos"},
}

#: The rights' names in the letter language (English letters use the record's name; a regime's own names in its
#: local language, e.g. Quebec's French, come from its law record: ``letters.local_right_names``).
RIGHT_NAMES: dict[str, dict[str, str]] = {
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
}

#: Short names of the rights for the subject line.
RIGHT_SUBJECT_WORDS: dict[str, dict[str, str]] = {
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

#: "and" joining the last two items of a list.
AND_WORD: dict[str, str] = {"en": "and", "de": "und", "fr": "et", "es": "y", "it": "e", "nl": "en", "pt": "e"}

#: Rules on the employee representatives an employer in that country had to involve before monitoring (LEGAL.md §3
#: item 12): the works council's co-determination (DE), the CSE's prior information and consultation on the means of
#: monitoring employees' activity (FR, Code du travail L2312-38), the agreement or authorisation for remote
#: monitoring (IT).
WORKS_COUNCIL_RULES: dict[str, str] = {
    "DE": "§ 87 Abs. 1 Nr. 6 BetrVG",
    "FR": "article L2312-38 du Code du travail",
    "IT": "art. 4 dello Statuto dei lavoratori (L. 300/1970)",
}

#: Rules that the employee personally be told of a collecting device before data about them is collected with it
#: (FR, Code du travail L1222-4: no information concerning an employee personally may be collected by a device not
#: brought to their attention beforehand).
EMPLOYEE_INFORMATION_RULES: dict[str, str] = {
    "FR": "article L1222-4 du Code du travail",
}

#: A follow-up's and a complaint's PDF title per language (the request's is ``LABELS[lang]["title"]``).
KIND_TITLES: dict[str, dict[str, str]] = {
    "follow_up": {
        "en": "Follow-up to data protection request", "de": "Erinnerung zum Datenschutzantrag",
        "fr": "Relance de la demande relative aux données personnelles", "es": "Recordatorio de la solicitud de protección de datos",
        "it": "Sollecito della richiesta sulla protezione dei dati", "nl": "Herinnering aan verzoek over persoonsgegevens",
        "pt": "Reiteração da solicitação de proteção de dados",
    },
    "response": {
        "en": "Response to data protection request", "de": "Antwort auf den Datenschutzantrag",
        "fr": "Réponse à la demande relative aux données personnelles",
        "es": "Respuesta a la solicitud de protección de datos", "it": "Risposta alla richiesta sulla protezione dei dati",
        "nl": "Antwoord op verzoek over persoonsgegevens", "pt": "Resposta à solicitação de proteção de dados",
    },
    "complaint": {"en": "Complaint to the supervisory authority", "de": "Beschwerde bei der Aufsichtsbehörde",
                  "fr": "Plainte auprès de l'autorité de contrôle", "es": "Reclamación ante la autoridad de control",
                  "it": "Reclamo all'autorità di controllo", "nl": "Klacht bij de toezichthoudende autoriteit"},
}


#: The request letter's paragraph for the employer's team (only while the employee lets the employer answer
#: in the portal): a heading, one plain sentence on what the code is for, and the two labels.
PORTAL_ANSWER: dict[str, dict[str, str]] = {
    "en": {"heading": "Answering online",
           "text": "You may also answer this request in the deletion portal: with this case access code, a verified "
                   "member of your data protection team can open this one request and answer it there.",
           "address": "Address", "code": "Case access code"},
    "de": {"heading": "Online antworten",
           "text": "Sie können diese Anfrage auch im Löschportal beantworten: Mit diesem Fallzugangscode kann ein "
                   "verifiziertes Mitglied Ihres Datenschutzteams genau diese Anfrage öffnen und dort beantworten.",
           "address": "Adresse", "code": "Fallzugangscode"},
    "fr": {"heading": "Répondre en ligne",
           "text": "Vous pouvez aussi répondre à cette demande sur le portail de suppression : avec ce code d'accès, "
                   "un membre vérifié de votre équipe de protection des données peut ouvrir cette seule demande et y "
                   "répondre.",
           "address": "Adresse", "code": "Code d'accès au dossier"},
    "es": {"heading": "Responder en línea",
           "text": "También puede responder a esta solicitud en el portal de supresión: con este código de acceso, un "
                   "miembro verificado de su equipo de protección de datos puede abrir solo esta solicitud y "
                   "responderla allí.",
           "address": "Dirección", "code": "Código de acceso al caso"},
    "it": {"heading": "Rispondere online",
           "text": "Potete rispondere a questa richiesta anche nel portale di cancellazione: con questo codice di "
                   "accesso, un membro verificato del vostro team per la protezione dei dati può aprire solo questa "
                   "richiesta e rispondervi lì.",
           "address": "Indirizzo", "code": "Codice di accesso alla pratica"},
    "nl": {"heading": "Online antwoorden",
           "text": "U kunt dit verzoek ook in het verwijderportaal beantwoorden: met deze toegangscode kan een "
                   "geverifieerd lid van uw privacyteam alleen dit verzoek openen en daar beantwoorden.",
           "address": "Adres", "code": "Toegangscode van de zaak"},
    "pt": {"heading": "Responder online",
           "text": "Também pode responder a este pedido no portal de eliminação: com este código de acesso, um membro "
                   "verificado da sua equipa de proteção de dados pode abrir apenas este pedido e responder-lhe lá.",
           "address": "Endereço", "code": "Código de acesso ao processo"},
}
