"""Forms of the employer directory: the search box and "add a missing employer"."""

from __future__ import annotations

from django import forms
from django.conf import global_settings
from django.core.validators import URLValidator

from deletion_portal.employers.selectors import QUERY_MAX
from deletion_portal.employers.services import ADDRESS_MAX, NAME_MAX, SOURCE_MAX
from deletion_portal.laws.places import country_choices


def language_choices() -> list[tuple[str, str]]:
    languages = sorted(global_settings.LANGUAGES, key=lambda choice: str(choice[1]))
    return [("", "Not known")] + [(code, f"{name} ({code})") for code, name in languages]


class EmployerSearchForm(forms.Form):
    q = forms.CharField(
        label="Employer name",
        help_text="Its legal name, a brand or a former name. At least 2 characters.",
        required=False,
        max_length=QUERY_MAX,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "maxlength": QUERY_MAX}),
    )


class EmployerAddForm(forms.Form):
    legal_name = forms.CharField(
        label="Legal name",
        max_length=NAME_MAX,
        help_text="As on a payslip, contract or the employer's imprint, e.g. “Example Analytics GmbH”.",
    )
    other_names = forms.CharField(
        label="Other names",
        required=False,
        max_length=(NAME_MAX + 2) * 20,
        help_text="Brands, trading or former names, separated by commas.",
    )
    country = forms.ChoiceField(label="Country where it is established", help_text="Its head office or the branch you worked for.")
    postal_address = forms.CharField(
        label="Postal address", required=False, max_length=ADDRESS_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    privacy_email = forms.EmailField(
        label="Privacy or data protection email",
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter a valid email address, such as privacy@example.com."},
    )
    web_form_url = forms.URLField(
        label="Privacy web form",
        required=False,
        max_length=200,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        error_messages={"invalid": "Enter a web address starting with https:// or http://."},
        help_text="The page where the employer takes data protection requests.",
    )
    preferred_language = forms.ChoiceField(label="Language it answers in", required=False)
    source = forms.CharField(
        label="Where did you find these details?",
        required=False,
        max_length=SOURCE_MAX,
        help_text="A web address or document (e.g. its privacy policy). Others judge the details by it.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Choose a country")] + country_choices()
        self.fields["preferred_language"].choices = language_choices()

    def clean_web_form_url(self) -> str:
        url = self.cleaned_data["web_form_url"]
        if url and not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError("Enter a web address starting with https:// or http://.")
        return url

    def clean_other_names(self) -> list[str]:
        names = [" ".join(name.split()) for name in self.cleaned_data["other_names"].split(",")]
        names = [name for name in names if name]
        too_long = [name for name in names if len(name) > NAME_MAX]
        if too_long:
            raise forms.ValidationError(f"Each other name may have at most {NAME_MAX} characters.")
        return names
