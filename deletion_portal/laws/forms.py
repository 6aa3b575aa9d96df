"""The public deadline calculator's form: where you worked, lived, the employer, and the date."""

from __future__ import annotations

from datetime import date

from django import forms

from deletion_portal.laws.places import country_choices, place_choices
from deletion_portal.laws.regions import UnknownRegion, parse_region

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


def validate_received(value: date) -> None:
    if not EARLIEST <= value <= LATEST:
        raise forms.ValidationError(
            f"Choose a date between {EARLIEST.isoformat()} and {LATEST.isoformat()}.", code="out_of_range"
        )


class PlacesForm(forms.Form):
    """Where the person worked and lives and where the employer is established: the calculator's
    and the case wizard's shared questions, and the rule that picks the holiday region."""

    work_place = forms.ChoiceField(
        label="Where did you work?",
        help_text="Country, and the state or province where it matters (US, Canada, UK nations, German Länder …).",
    )
    residence = forms.ChoiceField(label="Where do you live?", required=False)
    employer_country = forms.ChoiceField(
        label="Where is the employer established?",
        required=False,
        help_text="Its head office or the branch you worked for. Its public holidays decide when a deadline moves.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        places = place_choices()
        self.fields["work_place"].choices = [("", "Choose a place")] + places
        self.fields["residence"].choices = [("", "Same as where I worked")] + places
        self.fields["employer_country"].choices = [("", "Same country as where I worked")] + country_choices()

    def cleaned_places(self) -> dict:
        """The cleaned choices, with the defaults applied, as the rules engine's arguments."""
        data = self.cleaned_data
        work = parse_region(data["work_place"])
        residence = parse_region(data["residence"]) if data.get("residence") else work
        employer_country = data.get("employer_country") or work.country
        # Holidays are those where the controller is established (LEGAL.md §2); when that is the
        # country the person worked in, the work place's subdivision is the best guess we have.
        holiday_region = work.code if employer_country == work.country else employer_country
        return {
            "work_country": work.country,
            "work_region": work.code if work.subdivision else "",
            "residence_country": residence.country,
            "residence_region": residence.code if residence.subdivision else "",
            "employer_country": employer_country,
            "holiday_region": holiday_region,
        }


class CalculatorForm(PlacesForm):
    received = forms.DateField(
        label="When did your request reach the employer?",
        help_text="The day it arrived, not the day you sent it. Format: YYYY-MM-DD.",
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_received],
        error_messages={"invalid": "Enter a real date as YYYY-MM-DD, for example 2026-03-14."},
    )

    def clean(self):
        data = super().clean()
        # A field given twice in the query (?received=a&received=b): which one wins would be a guess.
        getlist = getattr(self.data, "getlist", None)
        if getlist is not None:
            for name in self.fields:
                if len(getlist(name)) > 1:
                    self.add_error(name, f"'{name}' was given more than once; give it once.")
        return data


__all__ = ["CalculatorForm", "PlacesForm", "UnknownRegion", "validate_received", "EARLIEST", "LATEST"]
