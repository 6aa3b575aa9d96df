"""Forms for the drafting wizard, the case page and "track a request sent elsewhere".

Forms validate input and carry error messages; the rules live in services (``validate_case_fields``,
``case_record_event``, ``employer_submit``) whose ``ValidationError`` messages are attached to the
fields here with :func:`add_service_errors`.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from deletion_portal.cases.models import EventKind
from deletion_portal.cases.services import CHANNELS, OUTCOMES, TEXT_LIMIT
from deletion_portal.cases.taxonomy import BUNDLES, CATEGORIES
from deletion_portal.cases.uploads import check_upload
from deletion_portal.employers.models import LEGAL_NAME_MAX
from deletion_portal.laws import forms as laws_forms
from deletion_portal.laws.applicability import applicable_regimes
from deletion_portal.laws.places import country_choices
from deletion_portal.laws.regions import UnknownRegion
from deletion_portal.laws.registry import all_regimes
from deletion_portal.laws.types import RIGHT_CODES

DATE_INPUT = {"input_formats": ["%Y-%m-%d"], "widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
DATE_ERRORS = {"invalid": "Enter a real date as YYYY-MM-DD, for example 2026-03-14."}
EARLIEST_EMPLOYMENT = date(1950, 1, 1)

CHANNEL_LABELS = {"post": "By post", "email": "By email", "web_form": "Through the employer's web form"}
OUTCOME_LABELS = {
    "fulfilled": "They did everything I asked",
    "partly_fulfilled": "They did part of it",
    "refused": "They refused",
    "withdrawn": "I withdrew the request",
    "no_response": "They never answered",
    "other": "Something else",
}
RIGHT_LABELS = {
    "access": "Access (a copy of my data)",
    "erasure": "Erasure",
    "rectification": "Rectification",
    "restriction": "Restriction of processing",
    "objection": "Objection",
    "portability": "Portability",
    "automated_decisions": "Automated decisions",
    "opt_out_sharing": "Opt out of sale or sharing",
    "limit_sensitive": "Limit use of sensitive data",
}


def add_service_errors(form: forms.Form, error: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Attach a service's ValidationError to the form: each key to its field, the rest to the form."""
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        for key, messages in error.message_dict.items():
            name = field_map.get(key, key)
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def _date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=help_text, error_messages=DATE_ERRORS, **DATE_INPUT)


# --- Employer (wizard step 1 and "track") -------------------------------------------------------


class EmployerForm(forms.Form):
    """Use an employer from the directory (``employer``: its id), or add a missing one inline."""

    employer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    legal_name = forms.CharField(label="Employer's legal name", required=False, max_length=LEGAL_NAME_MAX)
    country = forms.ChoiceField(label="Country where it is established", required=False)
    privacy_email = forms.EmailField(label="Privacy or data-protection email", required=False, max_length=254,
                                     help_text="From its privacy notice, if you know it.")
    postal_address = forms.CharField(label="Postal address", required=False, max_length=1000,
                                     widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Choose a country")] + country_choices()

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        adding = bool(data.get("legal_name", "").strip())
        if not adding and not data.get("employer"):
            raise forms.ValidationError("Choose an employer from the search results, or add a missing one below.")
        data["adding"] = adding
        if adding and not data.get("country"):
            self.add_error("country", "Choose the country where the employer is established.")
        return data

    def new_employer_fields(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name, "") for name in ("legal_name", "country", "privacy_email", "postal_address")}


# --- Places and law (wizard step 2 and "track") -------------------------------------------------


class PlacesForm(laws_forms.PlacesForm):
    """The calculator's place questions plus the law; ``region`` is the case's holiday region."""

    law_key = forms.CharField(label="The law your request is made under", required=False)

    def cleaned_places(self) -> dict:
        places = super().cleaned_places()
        places["region"] = places.pop("holiday_region")
        return places

    def applicability(self):
        places = self.cleaned_places()
        return applicable_regimes(**{k: v for k, v in places.items() if k != "region"})

    def clean(self):
        data = super().clean()
        if any(name in self.errors for name in ("work_place", "residence", "employer_country")):
            return data
        try:
            found = self.applicability()
        except (ValueError, UnknownRegion) as exc:
            raise forms.ValidationError(str(exc)) from None
        data["applicable"], data["excluded"] = found.applicable, found.excluded
        law_key = data.get("law_key", "")
        keys = [match.regime.key for match in found.applicable]
        if "law_key" in self.errors:
            pass
        elif self.require_law and not law_key:
            self.add_error("law_key", "Choose the law your request is made under.")
        elif law_key and law_key not in keys:
            excluded = next((m for m in found.excluded if m.regime.key == law_key), None)
            if excluded is not None:
                self.add_error("law_key", f"{excluded.regime.short_name} does not help an employee: "
                                          f"{excluded.regime.coverage.reason}")
            elif keys:
                names = ", ".join(m.regime.short_name for m in found.applicable)
                self.add_error("law_key", f"For these places choose one of the laws that apply: {names}.")
            else:
                self.add_error("law_key", "None of the laws we track applies to these places.")
        return data

    require_law = True


def places_initial(case) -> dict:
    """The form's initial values from a case (work region, else country)."""
    return {
        "work_place": case.work_region or case.work_country,
        "residence": (case.residence_region or case.residence_country)
        if (case.residence_region or case.residence_country) != (case.work_region or case.work_country) else "",
        "employer_country": case.employer_country,
        "law_key": case.law_key,
    }


# --- What to ask for (step 3) --------------------------------------------------------------------


class RightsForm(forms.Form):
    bundle = forms.ChoiceField(label="What do you want to ask for?", widget=forms.RadioSelect,
                               choices=[(b.code, b.label) for b in BUNDLES],
                               error_messages={"required": "Choose what you want to ask for."})
    rights = forms.MultipleChoiceField(label="Rights", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, regime, **kwargs):
        super().__init__(*args, **kwargs)
        self.regime = regime
        self.fields["rights"].choices = [(r.code, f"{r.name} ({r.citation})") for r in regime.rights]

    def clean(self):
        from deletion_portal.cases.taxonomy import bundle_contents

        data = super().clean()
        bundle = data.get("bundle")
        self.dropped: list[str] = []
        self.added: list[str] = []
        self.unticked: list[str] = []  # bundle rights the user unticked: kept, and the user is told why
        if not bundle:
            return data
        available = {r.code for r in self.regime.rights}
        if bundle == "custom":
            if not data.get("rights"):
                self.add_error("rights", "Choose at least one right.")
            # keep the regime's order
            data["rights"] = [r.code for r in self.regime.rights if r.code in (data.get("rights") or [])]
        else:
            contents = bundle_contents(bundle, self.regime)
            rights = [r for r in contents if r in available]
            self.dropped = [r for r in contents if r not in available]
            # Rights ticked beside the bundle are kept (never silently dropped), after the bundle's own.
            ticked = data.get("rights") or []
            self.added = [r.code for r in self.regime.rights if r.code in ticked and r.code not in rights]
            self.unticked = [r for r in rights if ticked and r not in ticked]
            if not rights and not self.added:
                self.add_error("bundle", f"{self.regime.short_name} gives none of the rights in this bundle; "
                                         "choose the rights yourself.")
            data["rights"] = rights + self.added
        return data


# --- Which data (step 4) ---------------------------------------------------------------------------


class CategoriesForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label="Which data is the request about?", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(c.code, c.label) for c in CATEGORIES],
    )
    other_data = forms.CharField(
        label="Anything else", required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Other data or systems you know about, in your own words (at most 2000 characters).",
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("categories") and not data.get("other_data", "").strip():
            raise forms.ValidationError("Choose at least one kind of data, or describe it under “Anything else”.")
        return data


# --- Your details (step 5) -------------------------------------------------------------------------


class DetailsForm(forms.Form):
    requester_name = forms.CharField(label="Your full name", max_length=200,
                                     error_messages={"required": "Enter your name."})
    requester_address = forms.CharField(label="Your postal address", max_length=500,
                                        widget=forms.Textarea(attrs={"rows": 3}),
                                        error_messages={"required": "Enter your postal address."})
    requester_email = forms.EmailField(
        label="Your personal email address", max_length=254,
        help_text="Where the answer should go. Use a private address: access to a work address ends when you leave.",
        error_messages={"required": "Enter a personal email address for the answer."},
    )
    employee_id = forms.CharField(label="Employee number", required=False, max_length=100)
    job_title = forms.CharField(label="Your role", required=False, max_length=200)
    employment_start = _date_field("Employment started on", required=False)
    employment_end = _date_field("Employment ended on", required=False, help_text="Leave empty if you still work there.")
    identity_note = forms.CharField(
        label="How they can recognise you", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Details the employer already holds (e.g. your work login or team). "
                  "You do not need to send a copy of an ID document by default.",
    )
    employer_may_answer = forms.TypedChoiceField(
        label="May the employer answer you in this portal?", required=False, widget=forms.RadioSelect,
        choices=[("yes", "Yes (recommended)"), ("no", "No, only by email or post")],
        coerce=lambda value: value != "no", empty_value=True,
        help_text="Your letter will carry a case access code. With it, the employer's verified privacy team can "
                  "open this one request here and answer it: you see every step they take and every time they "
                  "look at it. They never see your other requests, drafts or your account. You can withdraw this "
                  "at any time on the case page, and their access ends at once.",
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        start, end = data.get("employment_start"), data.get("employment_end")
        if start and not (EARLIEST_EMPLOYMENT <= start <= today):
            self.add_error("employment_start", f"Choose a start date between {EARLIEST_EMPLOYMENT.isoformat()} and today.")
        if end and not (EARLIEST_EMPLOYMENT <= end <= today + timedelta(days=366)):
            self.add_error("employment_end", f"Choose an end date between {EARLIEST_EMPLOYMENT.isoformat()} and a year from now.")
        if start and end and end < start and "employment_end" not in self.errors:
            self.add_error("employment_end", "The end of your employment cannot be before its start.")
        return data


_LEGAL_WORDS = {"gmbh", "ag", "ltd", "limited", "inc", "llc", "plc", "sa", "sas", "sarl", "bv", "nv", "co", "corp",
                "corporation", "company", "the", "kg", "se", "spa", "srl", "ab", "as", "oy", "group"}


def work_email_warning(email: str, employer) -> str:
    """A warning when the address looks like the employer's (its privacy domain or its name)."""
    if not email or "@" not in email or employer is None:
        return ""
    domain = email.rsplit("@", 1)[1].lower().strip(".")
    message = (f"{domain} looks like your employer's domain: access to a work address ends when you leave, "
               "so use a personal address for the answer.")
    privacy = (employer.privacy_email or "").lower()
    if "@" in privacy:
        privacy_domain = privacy.rsplit("@", 1)[1].strip(".")
        if domain == privacy_domain or domain.endswith("." + privacy_domain) or privacy_domain.endswith("." + domain):
            return message
    labels = domain.split(".")
    label = labels[-2] if len(labels) >= 2 else labels[0]
    words = [w for w in re.split(r"[^a-z0-9]+", " ".join(employer.all_names()).casefold()) if w]
    significant = [w for w in words if w not in _LEGAL_WORDS]
    if len(label) >= 3 and (label in significant or label == "".join(significant)):
        return message
    return ""


# --- Letter language (step 6) ------------------------------------------------------------------------


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label="Language of the letter", widget=forms.RadioSelect,
                                 error_messages={"required": "Choose the letter's language."})

    def __init__(self, *args, languages: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = languages


# --- The case page -----------------------------------------------------------------------------------


def _past_date(value: date) -> None:
    if value > timezone.localdate():
        raise forms.ValidationError(f"{value.isoformat()} is in the future; record events once they have happened.")


def _letter_field() -> forms.CharField:
    """Which final letter was sent (its short id); empty = the request letter."""
    return forms.CharField(required=False, max_length=8, widget=forms.HiddenInput)


class EmployerAccessForm(forms.Form):
    """The case page's switch: withdraw (``allow`` = "no") or give again ("yes") the employer's permission
    to answer online."""

    allow = forms.ChoiceField(choices=[("yes", "yes"), ("no", "no")])


class AttachmentShareForm(forms.Form):
    """The timeline's switch for one upload: share it with the employer's team ("yes") or stop ("no")."""

    share = forms.ChoiceField(choices=[("yes", "yes"), ("no", "no")])


class SendEmailForm(forms.Form):
    letter = _letter_field()


class PostedForm(forms.Form):
    posted_on = _date_field("Posted on")
    delivered_on = _date_field("Delivered on", required=False, help_text="If the tracking says so.")
    tracking_number = forms.CharField(label="Tracking number", required=False, max_length=100)
    letter = _letter_field()

    field_map = {"date": "posted_on", "letter": None}

    def details(self) -> dict:
        data = self.cleaned_data
        details = {"channel": "post", "tracking_number": data.get("tracking_number", "")}
        if data.get("delivered_on"):
            details["delivered_on"] = data["delivered_on"].isoformat()
        if data.get("letter"):
            details["letter"] = data["letter"]
        return details


class WebFormForm(forms.Form):
    used_on = _date_field("Sent through the web form on")
    letter = _letter_field()

    field_map = {"date": "used_on", "letter": None}

    def details(self) -> dict:
        details = {"channel": "web_form"}
        if self.cleaned_data.get("letter"):
            details["letter"] = self.cleaned_data["letter"]
        return details


RECORD_KINDS = [(kind.value, kind.label) for kind in EventKind if kind in (
    EventKind.RECEIVED, EventKind.ACKNOWLEDGED, EventKind.EXTENSION_NOTIFIED, EventKind.CLARIFICATION_REQUESTED,
    EventKind.CLARIFICATION_GIVEN, EventKind.IDENTITY_REQUESTED, EventKind.IDENTITY_GIVEN,
    EventKind.RESPONSE_RECEIVED, EventKind.REFUSED, EventKind.CLOSED,
)]


class RecordEventForm(forms.Form):
    kind = forms.ChoiceField(label="What happened?", choices=[("", "Choose")] + RECORD_KINDS,
                             error_messages={"required": "Choose what happened."})
    on = _date_field("On")
    confirmed = forms.BooleanField(label="Confirmed (e.g. a delivery receipt or their acknowledgement)", required=False,
                                   help_text="For “Received by the employer”.")
    reasons = forms.CharField(label="Reasons they gave", required=False, max_length=TEXT_LIMIT,
                              widget=forms.Textarea(attrs={"rows": 2}), help_text="For an extension.")
    grounds = forms.CharField(label="Grounds for the refusal", required=False, max_length=TEXT_LIMIT,
                              widget=forms.Textarea(attrs={"rows": 2}), help_text="For a refusal.")
    outcome = forms.ChoiceField(label="Outcome", required=False, help_text="For closing the case.",
                                choices=[("", "Choose")] + [(o, OUTCOME_LABELS[o]) for o in OUTCOMES])
    their_reference = forms.CharField(label="Their reference", required=False, max_length=100,
                                      help_text="The employer's own reference for your request, if their letter or "
                                                "email gives one: your follow-up and complaint quote it.")
    note = forms.CharField(label="Note", required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2}))
    upload = forms.FileField(label="Attach their letter or email", required=False,
                             help_text="A PDF, PNG, JPEG or an email file (.eml).")

    field_map = {"date": "on"}

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if not upload:
            return None
        try:
            return check_upload(upload)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None

    def details(self) -> dict:
        data = self.cleaned_data
        kind = data["kind"]
        details = {"note": data.get("note", "")}
        if data.get("their_reference"):
            details["their_reference"] = data["their_reference"]
        if kind == EventKind.RECEIVED:
            details["confirmed"] = bool(data.get("confirmed"))
        elif kind == EventKind.EXTENSION_NOTIFIED:
            details["reasons"] = data.get("reasons", "")
        elif kind == EventKind.REFUSED:
            details["grounds"] = data.get("grounds", "")
        elif kind == EventKind.CLOSED:
            details["outcome"] = data.get("outcome", "")
        return details

    def upload_name(self) -> str:
        upload = self.files.get(self.add_prefix("upload"))
        return getattr(upload, "name", "") or ""


# --- Track a request sent elsewhere ------------------------------------------------------------------


class TrackForm(PlacesForm):
    law_key = forms.ChoiceField(label="The law your request was made under")
    sent_on = _date_field("Sent on", help_text="Any past date.")
    channel = forms.ChoiceField(label="How you sent it", widget=forms.RadioSelect,
                                choices=[(c, CHANNEL_LABELS[c]) for c in CHANNELS],
                                error_messages={"required": "Choose how you sent it."})
    rights = forms.MultipleChoiceField(label="What you asked for", widget=forms.CheckboxSelectMultiple,
                                       choices=[(code, RIGHT_LABELS[code]) for code in RIGHT_CODES],
                                       error_messages={"required": "Choose at least one right you asked for."})
    upload = forms.FileField(label="The letter or email you sent", required=False,
                             help_text="Optional: a PDF, PNG, JPEG or an email file (.eml).")

    field_map = {"date": "sent_on", "law": "law_key"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["law_key"].choices = [("", "Choose a law")] + [
            (r.key, f"{r.name}") for r in all_regimes() if r.coverage.status != "excluded"
        ]

    clean_upload = RecordEventForm.clean_upload
    upload_name = RecordEventForm.upload_name

    def clean_sent_on(self):
        value = self.cleaned_data["sent_on"]
        _past_date(value)
        return value
