"""Forms of the employer side's pages."""

from __future__ import annotations

from django import forms


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
