from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from deletion_portal.advocacy.models import LOCKABLE_FIELDS, OrganisationRole
from deletion_portal.cases.letter_texts import LANGUAGES
from deletion_portal.cases.taxonomy import BUNDLES, CATEGORIES
from deletion_portal.employers.models import Employer
from deletion_portal.employers.selectors import employer_search
from deletion_portal.laws.registry import all_regimes
from deletion_portal.laws.types import RIGHT_CODES

LOCK_LABELS = {"employer": _("Employer"), "law_key": _("Law"), "region": _("Holiday region"),
               "rights": _("Rights asked for"), "categories": _("Data asked about"), "language": _("Letter language")}
#: At most this many search results are offered as tick boxes (the directory may hold thousands of employers).
EMPLOYER_RESULTS = 25


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=OrganisationRole.choices)


class ContactForm(forms.Form):
    website = forms.URLField(required=False, max_length=200)
    contact_email = forms.EmailField(required=False, label=_("Contact email (employers reply here under a mandate)"))
    contact_address = forms.CharField(required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                                      label=_("Postal contact"))


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=OrganisationRole.choices)


class CampaignForm(forms.Form):
    MULTIPLE = ("employers", "law_keys", "rights", "categories", "locked")  # fields posted as lists
    title = forms.CharField(max_length=200, label=_("Title"))
    slug = forms.SlugField(max_length=80, required=False, label=_("Slug"),
                           help_text=_("The address /c/<slug>; empty: made from the title."))
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, label=_("Description"))
    employer_q = forms.CharField(
        required=False, max_length=100, label=_("Find target employers"),
        help_text=_("Type part of an employer's name and press “Search employers”; the employers you ticked stay "
                    "ticked. Nothing is saved until you press “Save”."))
    # Validated against the whole directory; the tick boxes offer only the ticked ones and the search results.
    employers = forms.ModelMultipleChoiceField(queryset=Employer.objects.all(), label=_("Target employers"),
                                               widget=forms.CheckboxSelectMultiple, required=False)
    law_keys = forms.MultipleChoiceField(label=_("Laws"), widget=forms.CheckboxSelectMultiple, required=False)
    region = forms.CharField(max_length=10, required=False, label=_("Holiday region (e.g. DE-BY)"))
    bundle = forms.ChoiceField(choices=[("", "—")] + [(b.code, b.label) for b in BUNDLES], required=False,
                               label=_("Bundle"))
    rights = forms.MultipleChoiceField(choices=[(c, c.replace("_", " ")) for c in RIGHT_CODES],
                                       widget=forms.CheckboxSelectMultiple, required=False, label=_("Rights"),
                                       help_text=_("Only for 'Choose the rights myself'."))
    categories = forms.MultipleChoiceField(choices=[(c.code, c.label) for c in CATEGORIES],
                                           widget=forms.CheckboxSelectMultiple, required=False, label=_("Categories"))
    extra_questions = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=2000,
                                      label=_("Extra questions"),
                                      help_text=_("Plain text added to every member's letter, one question per line."))
    language = forms.ChoiceField(choices=[("", _("The employer's language"))] + list(LANGUAGES.items()), required=False,
                                 label=_("Language"))
    locked = forms.MultipleChoiceField(choices=[(f, LOCK_LABELS[f]) for f in LOCKABLE_FIELDS],
                                       widget=forms.CheckboxSelectMultiple, required=False, label=_("Locked"),
                                       help_text=_("Members cannot change these in the wizard."))
    publish_statistics = forms.BooleanField(
        required=False, label=_("Publish the statistics"),
        help_text=_("Count the cases of members who consented to statistics in the public employer scoreboard "
                    "(small groups are always suppressed). Unticking removes them from the next figures."))

    def __init__(self, *args, draft: bool = True, search: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["law_keys"].choices = [(r.key, f"{r.short_name} ({r.key})") for r in all_regimes()]
        if not draft:  # members joined under the choices: only the words change
            for name in list(self.fields):
                if name not in ("title", "description", "extra_questions", "publish_statistics"):
                    del self.fields[name]
            return
        query = (self.data.get(self.add_prefix("employer_q")) if self.is_bound else search) or ""
        self.employer_results = employer_search(query=str(query)[:100], limit=EMPLOYER_RESULTS)
        self.employer_query = str(query).strip()
        selected = self._selected_employers()
        offered = selected + [e for e in self.employer_results if e.pk not in {s.pk for s in selected}]
        self.fields["employers"].widget.choices = [(e.pk, f"{e.legal_name} ({e.country})") for e in offered]

    def _selected_employers(self) -> list[Employer]:
        """The employers ticked so far (posted, else the campaign's): always offered, so a search keeps them."""
        if self.is_bound:
            raw = self.data.getlist(self.add_prefix("employers")) if hasattr(self.data, "getlist") else \
                self.data.get(self.add_prefix("employers"), [])
        else:
            raw = self.initial.get("employers") or []
        ids = []
        for value in raw:
            value = getattr(value, "pk", value)
            try:
                ids.append(int(value))
            except (TypeError, ValueError):
                continue  # the field's own validation names it
        return list(Employer.objects.filter(pk__in=ids[:500]).order_by("legal_name", "pk")) if ids else []


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
