"""What the case views share: the wizard's steps and small request helpers."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join, strip_tags
from django.utils.translation import gettext_lazy

from deletion_portal.cases import forms as case_forms
from deletion_portal.cases.models import Case
from deletion_portal.employers.selectors import employer_get, employer_search
from deletion_portal.employers.services import employer_submit
from deletion_portal.laws.registry import UnknownRegime, get_regime

STEPS = {
    1: gettext_lazy("Employer"),
    2: gettext_lazy("Law"),
    3: gettext_lazy("What to ask for"),
    4: gettext_lazy("Which data"),
    5: gettext_lazy("Your details"),
    6: gettext_lazy("Language"),
    7: gettext_lazy("Preview"),
}
LAST_STEP = 7
# Which wizard step fixes a missing or invalid field (keys of case_missing_for_letter / validate_case_fields).
FIELD_STEP = {
    "employer": 1, "law_key": 2, "law": 2, "region": 2, "rights": 3, "categories": 4, "requester_name": 5,
    "requester_address": 5, "requester_email": 5, "language": 6,
}


def posted_data(request):
    """The POST data on a POST (even an empty one, so the form is bound and says what is missing)."""
    return request.POST if request.method == "POST" else None


def posted_files(request):
    return request.FILES if request.method == "POST" else None


def step_url(case: Case, n: int) -> str:
    return reverse("cases:step", args=[case.pk, n])


def next_step(case: Case, n: int) -> int:
    return min(max(case.wizard_step, n + 1), LAST_STEP)


def case_regime(case: Case):
    try:
        return get_regime(case.law_key) if case.law_key else None
    except UnknownRegime:
        return None


def language_choices(law_key: str) -> list[tuple[str, str]]:
    from deletion_portal.cases.letters import LANGUAGES, letter_languages

    return [(code, LANGUAGES.get(code, code)) for code in letter_languages(law_key)]


def wizard_context(case: Case | None, n: int, **extra) -> dict:
    from deletion_portal.cases.hooks import case_locks

    locks = case_locks(case=case)
    return {"case": case, "step": n, "steps": STEPS, "last_step": LAST_STEP,
            "locks": sorted({lock.reason for lock in locks.values()}), "locked_fields": set(locks), **extra}


def employer_search_context(request) -> dict:
    query = request.GET.get("q", "")[:100]
    return {"query": query, "results": employer_search(query=query) if query.strip() else []}


def chosen_employer(pk):
    """The directory entry a (re-displayed) form had chosen, so the choice stays on the page."""
    return employer_get(pk=pk) if pk not in (None, "") else None


def employer_from_form(request, form: case_forms.EmployerForm):
    """The employer the form chose or added; None (with the errors on the form) when it cannot be."""
    data = form.cleaned_data
    if data["adding"]:
        try:
            return employer_submit(added_by=request.user, **form.new_employer_fields())
        except ValidationError as exc:
            case_forms.add_service_errors(form, exc)
            return None
    employer = employer_get(pk=data["employer"])
    if employer is None:
        form.add_error(None, "That employer is not in the directory any more; search again.")
    return employer


def letter_as_text(html: str) -> str:
    """The letter's words for the preview page: tags stripped, entities decoded (the template escapes
    the result again), blank runs collapsed."""
    text = unescape(strip_tags(re.sub(r"<br\s*/?>", "\n", html, flags=re.IGNORECASE)))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# --- The letter on the web preview: its headings, lists and numbering kept --------------------------------

#: The letter's elements the preview keeps (everything else is unwrapped to its text); headings move down
#: two levels to sit under the page's own "The letter" (h2).
_PREVIEW_TAGS = {"p": "p", "div": "div", "section": "div", "article": "div", "ol": "ol", "ul": "ul", "li": "li",
                 "strong": "strong", "b": "strong", "em": "em", "i": "em", "br": "br", "h1": "h3", "h2": "h3",
                 "h3": "h4", "h4": "h5", "h5": "h6", "h6": "h6", "table": "table", "thead": "thead",
                 "tbody": "tbody", "tr": "tr", "th": "th", "td": "td", "dl": "dl", "dt": "dt", "dd": "dd"}
_PREVIEW_CLASSES = {"recipient", "signature", "sender", "date", "subject", "reference"}
_PREVIEW_DROP = {"head", "title", "script", "style", "template", "iframe", "object", "svg", "math"}


class _PreviewBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag, attrs):
        if tag in _PREVIEW_DROP:
            self.dropping += 1
            return
        if self.dropping or tag not in _PREVIEW_TAGS:
            return
        name = _PREVIEW_TAGS[tag]
        if name == "br":
            self.out.append(format_html("<br{}>", ""))
            return
        classes = " ".join(c for c in (dict(attrs).get("class") or "").split() if c in _PREVIEW_CLASSES)
        start = dict(attrs).get("start") or ""
        if classes:
            self.out.append(format_html('<{} class="{}">', name, classes))
        elif name == "ol" and start.isdigit():
            self.out.append(format_html('<ol start="{}">', int(start)))
        else:
            self.out.append(format_html("<{}>", name))

    def handle_startendtag(self, tag, attrs):
        if tag == "br" and not self.dropping:
            self.out.append(format_html("<br{}>", ""))

    def handle_endtag(self, tag):
        if tag in _PREVIEW_DROP:
            self.dropping = max(0, self.dropping - 1)
            return
        if self.dropping or tag not in _PREVIEW_TAGS or _PREVIEW_TAGS[tag] == "br":
            return
        self.out.append(format_html("</{}>", _PREVIEW_TAGS[tag]))

    def handle_data(self, data):
        if not self.dropping:
            self.out.append(escape(data))


def letter_web_preview(html: str) -> str:
    """The letter for the wizard's preview page as a small, safe HTML fragment: its headings, paragraphs,
    numbered and bulleted lists kept (so the numbering reads as in the PDF), every attribute dropped but a
    few layout classes, scripts, styles and anything else unwrapped to escaped text."""
    builder = _PreviewBuilder()
    builder.feed(html)
    builder.close()
    # Every part is already safe HTML (format_html / escape), so joining them escapes nothing twice.
    return format_html_join("", "{}", ((part,) for part in builder.out))
