"""The employer side's API shapes: what a DPO may see of a case (as on the DPO's case page), the inbox
rows, and a request recorded that arrived elsewhere."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from deletion_portal.cases.models import Case, Letter
from deletion_portal.cases.serializers import EmployerSummarySerializer
from deletion_portal.dpo.forms import CHANNEL_CHOICES
from deletion_portal.laws.serializers import DeadlineSerializer, StrictDateField
from deletion_portal.laws.types import RIGHT_CODES


class TeamRequesterSerializer(serializers.Serializer):
    """The requester as the letter shows them (never the employee's account email)."""

    name = serializers.CharField(source="requester_name")
    address = serializers.CharField(source="requester_address")
    email = serializers.CharField(source="requester_email")
    employee_id = serializers.CharField()
    job_title = serializers.CharField()
    employment_start = serializers.DateField(allow_null=True)
    employment_end = serializers.DateField(allow_null=True)


class TeamCaseSummarySerializer(serializers.ModelSerializer):
    law = serializers.CharField(source="law_key")
    employer = EmployerSummarySerializer(allow_null=True)
    assignee = serializers.SerializerMethodField(help_text="The assigned team member's name, or null")
    days_left = serializers.SerializerMethodField(help_text="Days to the respond-by date (negative: overdue); "
                                                  "null once answered or closed")
    recorded_by_team = serializers.BooleanField(source="recorded_by_team_id", help_text="Recorded by a team "
                                                "(arrived outside the portal)")

    class Meta:
        model = Case
        fields = ["id", "reference", "status", "law", "region", "employer", "rights", "received_on", "respond_by",
                  "days_left", "next_date", "next_date_label", "assignee", "recorded_by_team"]

    def get_assignee(self, case) -> str | None:
        assignment = next((a for a in getattr(case, "team_assignments", []) if a.assignee_id), None)
        return (assignment.assignee.display_name or assignment.assignee.email) if assignment else None

    def get_days_left(self, case) -> int | None:
        if case.respond_by is None or case.answered_on is not None or case.status == "closed":
            return None
        return (case.respond_by - self.context["today"]).days


class TeamLetterSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="request, follow_up or complaint")
    pdf = serializers.SerializerMethodField(help_text="Absolute URL of the final letter's PDF")

    class Meta:
        model = Letter
        fields = ["id", "kind", "language", "short_id", "finalised_at", "sha256", "pdf"]

    def get_pdf(self, letter) -> str:
        return reverse("api-v1:case-letter-pdf", kwargs={"pk": letter.case_id, "letter_pk": letter.pk},
                       request=self.context.get("request"))


class TeamEventSerializer(serializers.Serializer):
    kind = serializers.CharField(source="event.kind")
    date = serializers.DateField(source="event.on")
    source = serializers.CharField(source="event.source")
    side = serializers.ChoiceField(choices=["employer", "requester"])
    team = serializers.CharField(source="team_name", help_text="The acting team (employer events)")
    role = serializers.CharField(help_text="The acting member's team role (employer events)")
    details = serializers.DictField()


class TeamCaseSerializer(TeamCaseSummarySerializer):
    """What the DPO may see of a case (as on the DPO's case page): never drafts, the employee's account
    email, their notes or unshared uploads."""

    categories = serializers.JSONField()
    requester = serializers.SerializerMethodField()
    deadlines = serializers.SerializerMethodField(help_text="null until the request reached the employer")
    letters = serializers.SerializerMethodField(help_text="The final letters, oldest first")
    events = serializers.SerializerMethodField(help_text="The shared timeline: both sides' events")
    shared_files = serializers.SerializerMethodField()

    class Meta(TeamCaseSummarySerializer.Meta):
        fields = [*TeamCaseSummarySerializer.Meta.fields, "categories", "received_confirmed", "requester", "deadlines",
                  "letters", "events", "shared_files"]

    @extend_schema_field(TeamRequesterSerializer)
    def get_requester(self, case):
        return TeamRequesterSerializer(case).data

    @extend_schema_field(DeadlineSerializer(allow_null=True))
    def get_deadlines(self, case):
        result = self.context["page"]["deadlines"]
        return None if result is None else DeadlineSerializer(result).data

    @extend_schema_field(TeamLetterSerializer(many=True))
    def get_letters(self, case):
        return TeamLetterSerializer(self.context["page"]["letters"], many=True, context=self.context).data

    @extend_schema_field(TeamEventSerializer(many=True))
    def get_events(self, case):
        return TeamEventSerializer(self.context["page"]["timeline"], many=True).data

    @extend_schema_field({"type": "array", "items": {"type": "object", "properties": {
        "name": {"type": "string"}, "size": {"type": "integer"}, "sha256": {"type": "string"}}}})
    def get_shared_files(self, case):
        return [{"name": a.original_name, "size": a.size, "sha256": a.sha256} for a in self.context["page"]["attachments"]]


class RecordRequesterSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    address = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class RecordRequestSerializer(serializers.Serializer):
    """A request that arrived outside the portal (email, post, HR portal)."""

    requester = RecordRequesterSerializer()
    employer_id = serializers.IntegerField(help_text="One of your team's employers")
    rights = serializers.ListField(child=serializers.ChoiceField(choices=RIGHT_CODES), min_length=1)
    law = serializers.CharField(max_length=40)
    region = serializers.CharField(max_length=12, help_text="Holiday region, e.g. DE-BY")
    received_on = StrictDateField()
    channel = serializers.ChoiceField(choices=[c for c, _ in CHANNEL_CHOICES])
