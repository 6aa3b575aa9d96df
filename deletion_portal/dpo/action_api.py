"""The employer's actions through the API: ``POST /api/v1/employer/cases/<id>/actions``.

Thin: the serializer checks the input's shape, ``dpo.actions.case_act`` checks it against the case's law and
records it. A rule that forbids the action is a 400 naming it and its citation (``rule``, ``citation``);
a case the user may not RESPOND to (another team's, a viewer's, the employee's own) is a 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from deletion_portal.cases.access import Need, case_get_for
from deletion_portal.cases.selectors import case_deadlines
from deletion_portal.cases.serializers import EventSerializer
from deletion_portal.dpo.actions import ACTION_CODES, ActionRefused, case_act
from deletion_portal.laws.serializers import DeadlineSerializer, StrictDateField

# Which request fields each action takes (the service's keyword names).
ACTION_FIELDS = {
    "acknowledge": ("received_on", "note"),
    "request_identity": ("questions", "other_question", "id_copy", "id_copy_reason", "reason"),
    "request_clarification": ("question",),
    "extend": ("reasons",),
    "refuse": ("grounds", "reasons", "scope"),
    "close": ("outcome", "note"),
}


class ActionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(ACTION_CODES), help_text="What the employer does")
    date = StrictDateField(help_text="The day the action is taken (the notice's date), YYYY-MM-DD")
    received_on = StrictDateField(required=False, help_text="acknowledge: the day the employer received the request")
    note = serializers.CharField(required=False, allow_blank=True, help_text="acknowledge, close: a note for the employee")
    questions = serializers.ListField(child=serializers.CharField(max_length=40), required=False,
                                      help_text="request_identity: codes of the law's proportionate questions "
                                                "(employee_number, last_working_day, team, manager)")
    other_question = serializers.CharField(required=False, allow_blank=True, help_text="request_identity: one more question")
    id_copy = serializers.BooleanField(required=False, help_text="request_identity: ask for a copy of an ID document "
                                                                "(needs id_copy_reason)")
    id_copy_reason = serializers.CharField(required=False, allow_blank=True, help_text="request_identity: why an ID copy is necessary")
    reason = serializers.CharField(required=False, allow_blank=True, help_text="request_identity: the doubt about identity")
    question = serializers.CharField(required=False, allow_blank=True, help_text="request_clarification: what is unclear")
    reasons = serializers.CharField(required=False, allow_blank=True, help_text="extend, refuse: the reasons")
    grounds = serializers.ListField(child=serializers.CharField(max_length=60), required=False,
                                    help_text="refuse: codes of the law's refusal grounds")
    scope = serializers.ChoiceField(choices=["whole", "part"], required=False, help_text="refuse: in whole or in part")
    outcome = serializers.CharField(max_length=20, required=False,
                                    help_text="close: fulfilled, partly_fulfilled, refused, withdrawn, no_response, other")


class ActionResultSerializer(serializers.Serializer):
    """The event recorded and the case's recomputed dates."""

    event = EventSerializer()
    team = serializers.CharField(help_text="The team that acted")
    status = serializers.CharField()
    received_on = serializers.DateField(allow_null=True)
    deadlines = DeadlineSerializer(allow_null=True)
    respond_by = serializers.DateField(allow_null=True, help_text="The effective respond-by date (extended if so)")
    next_date = serializers.DateField(allow_null=True)
    next_date_label = serializers.CharField()


class ActionRefusedSerializer(serializers.Serializer):
    rule = serializers.CharField(help_text="The rule that forbids the action")
    citation = serializers.CharField(help_text="Where the rule is (e.g. Art. 12(3) GDPR)")
    detail = serializers.ListField(child=serializers.CharField())


@extend_schema(
    operation_id="employer_case_action",
    request=ActionSerializer,
    responses={201: ActionResultSerializer,
               400: OpenApiResponse(ActionRefusedSerializer, description="The rule that forbids the action and its "
                                    "citation, or the fields that are wrong"),
               404: OpenApiResponse(description="No such case, or you may not act on it for the employer")},
    summary="Act on a case for the employer (acknowledge, request identity or clarification, extend, refuse, close)",
    description="Each action is checked against the law of the case: an action the law does not know, an extension "
                "notified after the first period or without the reasons the law requires, a refusal on a ground the "
                "law does not list, or an ID-copy request without a reason is refused with the rule and its citation. "
                "The employee sees the event (with the team's name and the member's role) and is emailed.",
    examples=[OpenApiExample("Extend", value={"action": "extend", "date": "2026-12-20",
                                              "reasons": "Three systems hold keystroke data; the export takes weeks."},
                             request_only=True)],
)
@api_view(["POST"])
def employer_case_actions(request, pk: int):
    case = case_get_for(request.user, pk, need=Need.RESPOND)
    serializer = ActionSerializer(data=request.data)
    if not serializer.is_valid():
        raise ValidationError(serializer.errors)
    data = serializer.validated_data
    action = data["action"]
    fields = {name: data[name] for name in ACTION_FIELDS[action] if name in data}
    extra = sorted(name for name in request.data if name not in ("action", "date", *ACTION_FIELDS[action]))
    if extra:
        raise ValidationError({name: [f"'{action}' takes no field '{name}'."] for name in extra[:10]})
    try:
        event = case_act(case=case, user=request.user, action=action, on=data["date"], **fields)
    except ActionRefused as exc:
        return Response({"rule": exc.rule, "citation": exc.citation, "detail": exc.messages},
                        status=status.HTTP_400_BAD_REQUEST)
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}) from None
    case.refresh_from_db()
    body = {
        "event": event, "team": event.team.name if event.team else "", "status": case.status,
        "received_on": case.received_on, "deadlines": case_deadlines(case), "respond_by": case.respond_by,
        "next_date": case.next_date, "next_date_label": case.next_date_label,
    }
    return Response(ActionResultSerializer(body).data, status=status.HTTP_201_CREATED)
