"""API shapes for law records and deadlines (read-only; they serialise the dataclasses of types.py)."""

from __future__ import annotations

from rest_framework import serializers

from deletion_portal.laws.forms import EARLIEST, LATEST
from deletion_portal.laws.regions import UnknownRegion, check_region_for_law, parse_region
from deletion_portal.laws.registry import UnknownRegime, get_regime, regime_keys


class RightSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    citation = serializers.CharField()
    verification = serializers.CharField()


class AuthoritySerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.URLField()
    note = serializers.CharField()
    verification = serializers.CharField()


class RuleSerializer(serializers.Serializer):
    text = serializers.CharField()
    citation = serializers.CharField()
    verification = serializers.CharField()


class OtherReadingSerializer(serializers.Serializer):
    counting = serializers.CharField()
    roll_forward = serializers.BooleanField()
    roll_forward_citation = serializers.CharField()
    non_working_days = serializers.CharField()
    label = serializers.CharField()
    explanation = serializers.CharField()
    citation = serializers.CharField()
    verification = serializers.CharField()


class PeriodSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    unit = serializers.CharField()
    counting = serializers.CharField()
    description = serializers.CharField()
    citation = serializers.CharField()
    verification = serializers.CharField()
    roll_forward = serializers.BooleanField()
    roll_forward_citation = serializers.CharField()
    non_working_days = serializers.CharField(help_text="Which days an end moves off when roll_forward is true")
    other_reading = OtherReadingSerializer(
        allow_null=True, help_text="A second reading of the period; the later of the two dates is used"
    )


class LawSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    short_name = serializers.CharField()
    instrument = serializers.CharField()
    countries = serializers.ListField(child=serializers.CharField())
    regions = serializers.ListField(child=serializers.CharField())
    employee_coverage = serializers.CharField(source="coverage.status")
    employee_coverage_reason = serializers.CharField(source="coverage.reason")
    employee_coverage_citation = serializers.CharField(source="coverage.citation")
    rights = RightSerializer(many=True)
    response_period = PeriodSerializer(source="response", allow_null=True)
    no_fixed_period = serializers.SerializerMethodField()
    acknowledgement_period = PeriodSerializer(source="acknowledgement", allow_null=True)
    extension = serializers.SerializerMethodField()
    start = RuleSerializer(source="start_rule")
    holidays = RuleSerializer()
    fee = RuleSerializer()
    identity = RuleSerializer()
    notes = RuleSerializer(many=True)
    authority = AuthoritySerializer()
    reviewed = serializers.DateField()
    verification = serializers.CharField()

    def get_no_fixed_period(self, regime) -> dict | None:
        nfp = regime.no_fixed_period
        if nfp is None:
            return None
        return {
            "reason": nfp.reason,
            "citation": nfp.citation,
            "suggested_follow_up_days": nfp.suggested_follow_up_days,
            "suggestion_basis": nfp.suggestion_basis,
            "verification": nfp.verification,
        }

    def get_extension(self, regime) -> dict:
        ext = regime.extension
        if ext is None:
            return {"available": False, "reason": regime.extension_none_reason}
        return {
            "available": True,
            "period": PeriodSerializer(ext.period).data,
            "measured_from": ext.measured_from,
            "who_must_be_told": ext.who_must_be_told,
            "reasons_required": ext.reasons_required,
            "grounds": ext.grounds,
            "citation": ext.citation,
            "verification": ext.verification,
        }


class MatchSerializer(serializers.Serializer):
    key = serializers.CharField(source="regime.key")
    name = serializers.CharField(source="regime.name")
    employee_coverage = serializers.CharField(source="regime.coverage.status")
    reason = serializers.CharField()
    citation = serializers.CharField()
    coverage_reason = serializers.CharField(source="regime.coverage.reason")


class ApplicabilitySerializer(serializers.Serializer):
    applicable = MatchSerializer(many=True)
    excluded = MatchSerializer(many=True)


class DeadlineSerializer(serializers.Serializer):
    law = serializers.CharField(source="law_key")
    received = serializers.DateField()
    region = serializers.CharField()
    start = serializers.DateField()
    acknowledge_by = serializers.DateField(allow_null=True)
    respond_by = serializers.DateField(allow_null=True)
    extended_respond_by = serializers.DateField(allow_null=True)
    extension_status = serializers.CharField(source="extension.state")
    extension_reason = serializers.CharField(source="extension.reason")
    suggested_follow_up = serializers.DateField(allow_null=True)
    has_fixed_period = serializers.BooleanField()
    steps = serializers.SerializerMethodField()
    citations = serializers.ListField(child=serializers.CharField())
    employee_coverage = serializers.CharField()

    def get_steps(self, result) -> list[str]:
        return [str(step) for step in result.steps]


# --- Query parameters --------------------------------------------------------------------------


def _check_country(value: str, field: str) -> str:
    value = value.strip().upper()
    try:
        region = parse_region(value)
    except UnknownRegion as exc:
        raise serializers.ValidationError(str(exc)) from None
    if region.subdivision:
        raise serializers.ValidationError(f"{field} takes a country code such as DE or US, not a region ({value}).")
    return region.code


def check_region(value: str) -> str:
    """A holiday region code (ISO 3166 country or subdivision), normalised; a DRF error otherwise."""
    try:
        return parse_region(value).code
    except UnknownRegion as exc:
        raise serializers.ValidationError(str(exc)) from None


class StrictDateField(serializers.DateField):
    """YYYY-MM-DD only, a real calendar date, within the years the calculator supports."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m-%d"], **kwargs)

    def to_internal_value(self, value):
        try:
            day = super().to_internal_value(value)
        except serializers.ValidationError:
            raise serializers.ValidationError(
                f"'{str(value)[:40]}' is not a real date: use YYYY-MM-DD, for example 2026-03-14."
            ) from None
        if not EARLIEST <= day <= LATEST:
            raise serializers.ValidationError(f"Choose a date between {EARLIEST} and {LATEST}.")
        return day


class PlaceFieldsMixin:
    """Validation shared by every serializer that takes where a person worked and lives: country
    codes (ISO 3166-1), region codes (ISO 3166-2) and each region inside its country."""

    def validate_work_country(self, value):
        return _check_country(value, "work_country") if value else ""

    def validate_residence_country(self, value):
        return _check_country(value, "residence_country") if value else ""

    def validate_work_region(self, value):
        return check_region(value) if value else ""

    def validate_residence_region(self, value):
        return check_region(value) if value else ""

    def check_regions_in_countries(self, attrs) -> None:
        for region_field, country_field in (("work_region", "work_country"), ("residence_region", "residence_country")):
            region, country = attrs.get(region_field), attrs.get(country_field)
            if region and country and region.split("-")[0] != country:
                raise serializers.ValidationError({region_field: f"{region} is not in {country_field} {country}."})


class ApplicableQuerySerializer(PlaceFieldsMixin, serializers.Serializer):
    work_country = serializers.CharField(help_text="ISO 3166-1 alpha-2 country code, e.g. US")
    work_region = serializers.CharField(required=False, default="", help_text="ISO 3166-2 code, e.g. US-VA")
    residence_country = serializers.CharField(required=False, default="")
    residence_region = serializers.CharField(required=False, default="")
    employer_country = serializers.CharField(required=False, default="")

    def validate_employer_country(self, value):
        return _check_country(value, "employer_country") if value else ""

    def validate(self, attrs):
        self.check_regions_in_countries(attrs)
        if attrs.get("residence_region") and not attrs.get("residence_country"):
            attrs["residence_country"] = attrs["residence_region"].split("-")[0]
        return attrs


class DeadlineQuerySerializer(serializers.Serializer):
    law = serializers.CharField(help_text="A law key from /api/v1/laws, e.g. eu-gdpr")
    received = StrictDateField(help_text="Date the request reached the employer, YYYY-MM-DD")
    region = serializers.CharField(help_text="Holiday region: ISO 3166 country or subdivision, e.g. DE-BY, GB-ENG, US-CA")

    def validate_law(self, value):
        try:
            return get_regime(value.strip())
        except UnknownRegime:
            raise serializers.ValidationError(
                f"Unknown law '{value[:40]}'. Valid keys: {', '.join(regime_keys())}."
            ) from None

    def validate_region(self, value):
        return parse_region(check_region(value))

    def validate(self, attrs):
        try:
            check_region_for_law(attrs["law"], attrs["region"])
        except UnknownRegion as exc:
            raise serializers.ValidationError({"region": [str(exc)]}) from None
        return attrs


def repeated_query_parameters(query_params) -> dict[str, list[str]]:
    """A DRF-style error per query parameter given more than once (``?law=a&law=b``): which value
    would win is a guess, so the request is refused instead."""
    return {
        name: [f"'{name[:40]}' was given {len(values)} times; give it once."]
        for name, values in query_params.lists()
        if len(values) > 1
    }

