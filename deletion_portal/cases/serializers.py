"""API shapes for cases: what a client sends (input serializers check types, lengths and dates only)
and what it gets back. The rules about laws, rights, categories, languages and events live in
``cases.services``; the views pass these serializers' output to those services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from deletion_portal.cases.models import Case, CaseEvent, Letter, LetterKind
from deletion_portal.employers.models import LEGAL_NAME_MAX
from deletion_portal.laws.regions import UnknownRegion, parse_region
from deletion_portal.laws.serializers import DeadlineSerializer, PlaceFieldsMixin, StrictDateField, check_region

# --- Input ---------------------------------------------------------------------------------------


class EmployerInputSerializer(serializers.Serializer):
    """An employer missing from the directory; added with quality "submitted". ``country`` is optional:
    without it the employer is placed in the case's ``work_country``, else in the country of ``region``."""

    name = serializers.CharField(max_length=LEGAL_NAME_MAX, help_text="Legal name")
    country = serializers.CharField(
        max_length=2, required=False, allow_blank=True, default="",
        help_text="ISO 3166-1 alpha-2 code, e.g. DE. Optional: defaults to work_country, else the region's country",
    )
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="",
                                   help_text="Privacy / DPO email address")
    address = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="",
                                    help_text="Postal address")


class RequesterSerializer(serializers.Serializer):
    """The requester's details, as the letter shows them."""

    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    employee_id = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    job_title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    employment_start = StrictDateField(required=False, allow_null=True, default=None, help_text="YYYY-MM-DD")
    employment_end = StrictDateField(required=False, allow_null=True, default=None, help_text="YYYY-MM-DD")
    identity_note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        start, end = attrs.get("employment_start"), attrs.get("employment_end")
        if start and end and end < start:
            raise serializers.ValidationError({"employment_end": f"The end ({end}) is before the start ({start})."})
        return attrs


def _country_of(data, field: str) -> str:
    """The ISO country of a raw country or region code in ``data`` (e.g. "DE-BY" -> "DE"); "" when the
    field is missing or not a valid code (the field's own validation reports that)."""
    value = data.get(field) if hasattr(data, "get") else None
    if not isinstance(value, str) or not value.strip():
        return ""
    try:
        return parse_region(value).country
    except UnknownRegion:
        return ""


class CaseCreateSerializer(PlaceFieldsMixin, serializers.Serializer):
    law = serializers.CharField(max_length=40, help_text="A law key from /api/v1/laws, e.g. eu-gdpr")
    region = serializers.CharField(max_length=12, help_text="Holiday region for the deadlines, e.g. DE-BY")
    language = serializers.CharField(max_length=8, help_text="The letter's language, e.g. en, de")
    employer = EmployerInputSerializer(required=False, help_text="An employer not yet in the directory")
    employer_id = serializers.IntegerField(required=False, min_value=1, help_text="An employer in the directory")
    rights = serializers.ListField(child=serializers.CharField(max_length=40), allow_empty=False, max_length=30,
                                   help_text="Right codes of the law, e.g. access, erasure")
    categories = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list,
                                       max_length=30, help_text="Data category codes, e.g. keystrokes")
    other_data = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    requester = RequesterSerializer(required=False)
    work_country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    work_region = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    residence_country = serializers.CharField(max_length=2, required=False, allow_blank=True, default="")
    residence_region = serializers.CharField(max_length=12, required=False, allow_blank=True, default="")
    sent_outside_portal = serializers.BooleanField(required=False, default=False,
                                                   help_text="The request was already sent another way")
    employer_may_answer = serializers.BooleanField(
        required=False, default=True,
        help_text="Whether the employer's verified team may open and answer this request in the portal with the "
                  "case access code printed on the letter (default true; withdrawable at any time)")

    def validate_region(self, value):
        return check_region(value)

    def validate_employer(self, value):
        """A new employer without a country takes the case's work country, else its holiday region's."""
        if value.get("country", "").strip():
            return value  # checked like any submitted employer's country, by the employers service
        country = _country_of(self.initial_data, "work_country") or _country_of(self.initial_data, "region")
        if not country:
            raise serializers.ValidationError({"country": [
                "Give the employer's country (ISO 3166-1, e.g. DE), or a valid work_country or region to take it from."
            ]})
        return {**value, "country": country}

    def validate(self, attrs):
        self.check_regions_in_countries(attrs)
        has_employer, has_id = "employer" in attrs, "employer_id" in attrs
        if has_employer == has_id:
            message = (
                "Give either employer_id (an employer in the directory) or employer (a new one), not both."
                if has_employer
                else "Give employer_id (an employer in the directory) or employer {name, email, address, country}."
            )
            raise serializers.ValidationError({"employer": message, "employer_id": message})
        return attrs


class EventCreateSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=40, help_text="sent, received, acknowledged, extension_notified, "
                                 "clarification_requested, clarification_given, identity_requested, "
                                 "identity_given, response_received, refused, closed")
    date = StrictDateField(help_text="The day it happened, YYYY-MM-DD")
    channel = serializers.CharField(max_length=20, required=False, help_text="sent: post, email or web_form")
    delivered_on = StrictDateField(required=False, allow_null=True, help_text="sent by post: delivery date")
    tracking_number = serializers.CharField(required=False, allow_blank=True, help_text="sent by post")
    confirmed = serializers.BooleanField(required=False, help_text="received: the employer confirmed receipt")
    reasons = serializers.CharField(required=False, allow_blank=True, help_text="extension_notified: reasons given")
    grounds = serializers.CharField(required=False, allow_blank=True, help_text="refused: the grounds given")
    outcome = serializers.CharField(max_length=20, required=False,
                                    help_text="closed: fulfilled, partly_fulfilled, refused, withdrawn, no_response, other")
    note = serializers.CharField(required=False, allow_blank=True)
    file = serializers.FileField(required=False, help_text="multipart only: a PDF, PNG, JPEG or .eml")

    DETAIL_FIELDS = ("channel", "delivered_on", "tracking_number", "confirmed", "reasons", "grounds", "outcome", "note")


class SendSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=["email"], help_text="Only email is sent by the portal")


# --- Output --------------------------------------------------------------------------------------


class EmployerSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="legal_name")
    country = serializers.CharField()


class RequesterOutSerializer(serializers.Serializer):
    name = serializers.CharField(source="requester_name")
    address = serializers.CharField(source="requester_address")
    email = serializers.CharField(source="requester_email")
    employee_id = serializers.CharField()
    job_title = serializers.CharField()
    employment_start = serializers.DateField(allow_null=True)
    employment_end = serializers.DateField(allow_null=True)
    identity_note = serializers.CharField()


class LetterLinksSerializer(serializers.Serializer):
    pdf = serializers.CharField(help_text="GET: the PDF (a draft's is rendered on the fly and never stored)")
    finalize = serializers.CharField(allow_null=True, help_text="POST: finalise this draft (null once final)")
    send = serializers.CharField(allow_null=True, help_text="POST: send this final letter by email to the employer "
                                 "(null for a draft and for a complaint, which goes to the authority)")


class LetterSerializer(serializers.ModelSerializer):
    """Any letter of a case: the request, a follow-up, a complaint; a draft or final."""

    pdf = serializers.SerializerMethodField(help_text="Absolute URL of the letter's PDF")
    sha256 = serializers.SerializerMethodField(help_text="SHA-256 of the stored PDF; null for a draft")
    links = serializers.SerializerMethodField()

    class Meta:
        model = Letter
        fields = ["id", "kind", "language", "short_id", "is_final", "created_at", "finalised_at", "sha256", "pdf",
                  "links"]

    def _url(self, name: str, letter) -> str:
        return reverse(f"api-v1:{name}", kwargs={"pk": letter.case_id, "letter_pk": letter.pk},
                       request=self.context.get("request"))

    def get_pdf(self, letter) -> str:
        return self._url("case-letter-pdf", letter)

    def get_sha256(self, letter) -> str | None:
        return letter.sha256 if letter.is_final else None

    @extend_schema_field(LetterLinksSerializer)
    def get_links(self, letter) -> dict:
        return {
            "pdf": self._url("case-letter-pdf", letter),
            "finalize": None if letter.is_final else self._url("case-letter-finalize", letter),
            # A complaint goes to the supervisory authority, never by email to the employer.
            "send": self._url("case-letter-send", letter) if letter.is_final and letter.kind != LetterKind.COMPLAINT
            else None,
        }


class EventSerializer(serializers.ModelSerializer):
    date = serializers.DateField(source="on")
    attachment = serializers.SerializerMethodField()

    class Meta:
        model = CaseEvent
        fields = ["id", "kind", "date", "details", "source", "recorded_at", "attachment"]

    @extend_schema_field({"type": "object", "nullable": True, "properties": {
        "name": {"type": "string"}, "content_type": {"type": "string"}, "size": {"type": "integer"},
        "sha256": {"type": "string"}}})
    def get_attachment(self, event):
        a = event.attachment
        if a is None:
            return None
        return {"name": a.original_name, "content_type": a.content_type, "size": a.size, "sha256": a.sha256}


class CaseSummarySerializer(serializers.ModelSerializer):
    law = serializers.CharField(source="law_key")
    employer = EmployerSummarySerializer(allow_null=True)

    class Meta:
        model = Case
        fields = ["id", "reference", "status", "law", "region", "language", "employer", "sent_outside_portal",
                  "received_on", "next_date", "next_date_label", "created_at"]


class CaseSerializer(CaseSummarySerializer):
    """The full case. The view passes ``events``, ``deadlines`` and ``letters`` in the context so one
    timeline query serves the events and the deadlines."""

    requester = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField(help_text="null until the request reached the employer")
    letters = serializers.SerializerMethodField(
        help_text="Every letter, drafts included (is_final), oldest first: the request, follow-ups, complaints")
    events = serializers.SerializerMethodField()

    class Meta(CaseSummarySerializer.Meta):
        fields = [
            "id", "reference", "status", "law", "region", "language", "employer", "rights", "categories",
            "other_data", "requester", "work_country", "work_region", "residence_country", "residence_region",
            "sent_outside_portal", "received_on", "received_confirmed", "deadlines", "next_date",
            "next_date_label", "employer_may_answer", "letters", "events", "created_at", "updated_at",
        ]

    @extend_schema_field(RequesterOutSerializer)
    def get_requester(self, case):
        return RequesterOutSerializer(case).data

    @extend_schema_field(DeadlineSerializer(allow_null=True))
    def get_deadlines(self, case):
        result = self.context["deadlines"]
        return None if result is None else DeadlineSerializer(result).data

    @extend_schema_field(LetterSerializer(many=True))
    def get_letters(self, case):
        return LetterSerializer(self.context["letters"], many=True, context=self.context).data

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, case):
        return EventSerializer(self.context["events"], many=True).data


class EventResultSerializer(serializers.Serializer):
    """What recording an event returns: the event and the case's recomputed dates."""

    event = EventSerializer()
    status = serializers.CharField()
    received_on = serializers.DateField(allow_null=True)
    received_confirmed = serializers.BooleanField()
    deadlines = DeadlineSerializer(allow_null=True)
    next_date = serializers.DateField(allow_null=True)
    next_date_label = serializers.CharField()


class SendResultSerializer(serializers.Serializer):
    status = serializers.CharField(help_text="The outbox state: queued, sending, sent, retrying, failed")
    case_status = serializers.CharField()
    recipient_verified = serializers.BooleanField(
        help_text="false: staff have not verified that the address belongs to the employer (the email says so)")
