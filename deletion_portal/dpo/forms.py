"""The employer side's forms: a team note, assignment, and a request that arrived elsewhere."""

from __future__ import annotations

from django import forms

from deletion_portal.cases.forms import RIGHT_LABELS
from deletion_portal.laws.registry import all_regimes
from deletion_portal.laws.types import RIGHT_CODES

CHANNEL_CHOICES = [("email", "Email"), ("post", "Post"), ("web_form", "Web form"), ("hr_portal", "HR portal"),
                   ("other", "Another way")]


class NoteForm(forms.Form):
    text = forms.CharField(label="Note (visible to your team only)", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label="Assign to", coerce=int, required=False, empty_value=None)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", "Nobody (unassigned)")] + [
            (m.user_id, m.user.display_name or m.user.email) for m in members]


class RecordRequestForm(forms.Form):
    requester_name = forms.CharField(label="Requester's name", max_length=200)
    requester_address = forms.CharField(label="Requester's postal address", required=False, max_length=500,
                                        widget=forms.Textarea(attrs={"rows": 3}))
    requester_email = forms.EmailField(label="Requester's email", required=False)
    employer = forms.TypedChoiceField(label="Employer", coerce=int)
    rights = forms.MultipleChoiceField(label="Rights asked for", widget=forms.CheckboxSelectMultiple,
                                       choices=[(code, RIGHT_LABELS.get(code, code)) for code in RIGHT_CODES])
    law_key = forms.ChoiceField(label="Law the request is made under")
    region = forms.CharField(label="Holiday region (e.g. DE-BY, US-CA, GB-ENG)", max_length=12)
    received_on = forms.DateField(label="Received on", widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(label="How it arrived", choices=CHANNEL_CHOICES)

    def __init__(self, *args, employers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].choices = [(e.pk, e.legal_name) for e in employers]
        self.fields["law_key"].choices = [("", "—")] + [(r.key, r.name) for r in all_regimes()]

    def clean_region(self):
        return self.cleaned_data["region"].strip().upper()


class ClaimForm(forms.Form):
    """Claim a case with the case access code from the request letter or email (POST only: the code never
    travels in a URL)."""

    reference = forms.CharField(label="Reference", max_length=40, help_text="As on the letter, e.g. DP-7K3Q-9M2X.",
                                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))
    code = forms.CharField(label="Case access code", max_length=80,
                           help_text="The whole code from the letter (reference and secret), dashes optional.",
                           widget=forms.PasswordInput(attrs={"autocomplete": "off", "autocapitalize": "characters"},
                                                      render_value=False))
    team = forms.ModelChoiceField(label="Claim for the team", queryset=None, empty_label=None)

    def __init__(self, *args, teams, **kwargs):
        """``teams``: the user's teams that may claim (a list; the choices come from it without a query)."""
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        field.queryset = type(teams[0]).objects.filter(pk__in=[t.pk for t in teams]) if teams else None
        field.choices = [(t.pk, t.name) for t in teams]
        if len(teams) == 1:
            self.fields["team"].initial = teams[0].pk
            self.fields["team"].widget = forms.HiddenInput()
