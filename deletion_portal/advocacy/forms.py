from __future__ import annotations

from django import forms

from deletion_portal.advocacy.models import LOCKABLE_FIELDS, OrganisationRole
from deletion_portal.cases.letter_texts import LANGUAGES
from deletion_portal.cases.taxonomy import BUNDLES, CATEGORIES
from deletion_portal.employers.models import Employer
from deletion_portal.laws.registry import all_regimes
from deletion_portal.laws.types import RIGHT_CODES

LOCK_LABELS = {"employer": "Employer", "law_key": "Law", "rights": "Rights asked for", "categories": "Data asked about",
               "language": "Letter language"}


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=OrganisationRole.choices)


class ContactForm(forms.Form):
    website = forms.URLField(required=False, max_length=200)
    contact_email = forms.EmailField(required=False, label="Contact email (employers reply here under a mandate)")
    contact_address = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                                      label="Postal contact")


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=OrganisationRole.choices)


class CampaignForm(forms.Form):
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(max_length=80, required=False, help_text="The address /c/<slug>; empty: made from the title.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    employers = forms.ModelMultipleChoiceField(queryset=Employer.objects.order_by("legal_name"),
                                               widget=forms.CheckboxSelectMultiple, required=False)
    law_keys = forms.MultipleChoiceField(label="Laws", widget=forms.CheckboxSelectMultiple, required=False)
    region = forms.CharField(max_length=10, required=False, label="Holiday region (e.g. DE-BY)")
    bundle = forms.ChoiceField(choices=[("", "—")] + [(b.code, b.label) for b in BUNDLES], required=False)
    rights = forms.MultipleChoiceField(choices=[(c, c.replace("_", " ")) for c in RIGHT_CODES],
                                       widget=forms.CheckboxSelectMultiple, required=False,
                                       help_text="Only for 'Choose the rights myself'.")
    categories = forms.MultipleChoiceField(choices=[(c.code, c.label) for c in CATEGORIES],
                                           widget=forms.CheckboxSelectMultiple, required=False)
    extra_questions = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=2000,
                                      help_text="Plain text added to every member's letter, one question per line.")
    language = forms.ChoiceField(choices=[("", "The employer's language")] + list(LANGUAGES.items()), required=False)
    locked = forms.MultipleChoiceField(choices=[(f, LOCK_LABELS[f]) for f in LOCKABLE_FIELDS],
                                       widget=forms.CheckboxSelectMultiple, required=False,
                                       help_text="Members cannot change these in the wizard.")
    publish_statistics = forms.BooleanField(
        required=False, label="Publish the statistics",
        help_text="Count the cases of members who consented to statistics in the public employer scoreboard "
                  "(small groups are always suppressed). Unticking removes them from the next figures.")

    def __init__(self, *args, draft: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["law_keys"].choices = [(r.key, f"{r.short_name} ({r.key})") for r in all_regimes()]
        if not draft:  # members joined under the choices: only the words change
            for name in list(self.fields):
                if name not in ("title", "description", "extra_questions", "publish_statistics"):
                    del self.fields[name]


class JoinForm(forms.Form):
    employer = forms.TypedChoiceField(coerce=int, required=False, widget=forms.RadioSelect)
    statistics = forms.BooleanField(required=False)
    see_case = forms.BooleanField(required=False)
    mandate = forms.BooleanField(required=False)
    signature = forms.CharField(max_length=200, required=False, label="Type your full name to sign the mandate")
    mention = forms.BooleanField(required=False, label="Mention the campaign in my letter")

    def __init__(self, *args, employers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].choices = [(e.pk, e.legal_name) for e in employers]
        if len(employers) <= 1:
            del self.fields["employer"]
