"""The forms of the employer's actions. Each form is built for one case's law: its choices (identity
questions, refusal grounds) come from the law record; the rules live in ``dpo.services``."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from deletion_portal.cases.services import OUTCOMES
from deletion_portal.dpo.actions import ACTION_TEXT_LIMIT, REFUSAL_SCOPES, CaseLaw

DATE_INPUT = {"input_formats": ["%Y-%m-%d"], "widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
OUTCOME_LABELS = {
    "fulfilled": "Fulfilled: everything asked for was done",
    "partly_fulfilled": "Partly fulfilled",
    "refused": "Refused",
    "withdrawn": "Withdrawn by the employee",
    "no_response": "No response was given",
    "other": "Other",
}


def _text(label: str, *, required: bool, rows: int = 3, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=ACTION_TEXT_LIMIT, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


class ActionForm(forms.Form):
    date = forms.DateField(label="Date of this action", **DATE_INPUT)

    def __init__(self, *args, law: CaseLaw, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.law = law

    def service_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "date"}


class AcknowledgeForm(ActionForm):
    received_on = forms.DateField(label="Date the request was received", required=False,
                                  help_text="If it differs from the employee's date, both are shown and the deadlines "
                                            "run from the earlier one.", **DATE_INPUT)
    note = _text("Note to the employee", required=False, rows=2)


class IdentityForm(ActionForm):
    questions = forms.MultipleChoiceField(label="Questions", required=False, widget=forms.CheckboxSelectMultiple)
    other_question = _text("Another question", required=False, rows=2)
    reason = _text("Your reasonable doubt about the requester's identity", required=False, rows=2)
    id_copy = forms.BooleanField(label="Also ask for a copy of an identity document", required=False)
    id_copy_reason = _text("Why an ID-document copy is necessary", required=False, rows=2)

    def __init__(self, *args, law: CaseLaw, **kwargs):
        super().__init__(*args, law=law, **kwargs)
        self.fields["questions"].choices = [(q.code, q.label) for q in law.actions.identity.questions]


class ClarificationForm(ActionForm):
    question = _text("What is unclear", required=True)


class ExtendForm(ActionForm):
    reasons = _text("Reasons for the extension", required=False)


class RefuseForm(ActionForm):
    scope = forms.ChoiceField(label="Refuse", choices=list(REFUSAL_SCOPES.items()), initial="part", widget=forms.RadioSelect)
    grounds = forms.MultipleChoiceField(label="Grounds the law allows", widget=forms.CheckboxSelectMultiple)
    reasons = _text("Reasons", required=True)

    def __init__(self, *args, law: CaseLaw, **kwargs):
        super().__init__(*args, law=law, **kwargs)
        self.fields["grounds"].choices = [(g.code, f"{g.label} ({g.citation})") for g in law.actions.refusal_grounds]


class CloseForm(ActionForm):
    outcome = forms.ChoiceField(label="Outcome", choices=[("", "Choose")] + [(o, OUTCOME_LABELS[o]) for o in OUTCOMES])
    note = _text("Note to the employee", required=False, rows=2)


ACTION_FORMS = {
    "acknowledge": AcknowledgeForm,
    "request_identity": IdentityForm,
    "request_clarification": ClarificationForm,
    "extend": ExtendForm,
    "refuse": RefuseForm,
    "close": CloseForm,
}


class BulkAcknowledgeForm(forms.Form):
    case = forms.TypedMultipleChoiceField(coerce=int, required=True, error_messages={"required": "Select at least one case."})
    date = forms.DateField(label="Acknowledged on", **DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        values = self.data.getlist("case") if hasattr(self.data, "getlist") else []
        self.fields["case"].choices = [(v, v) for v in values if str(v).isdigit()]
