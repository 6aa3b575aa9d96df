"""The OpenAPI schema says what the API really answers (issue 13): a drf-spectacular post-processing hook
adds, to every operation, the error answers the portal's conventions produce, with their real shapes:

* ``400`` — ``ValidationError``: an object whose keys name the fields (or ``detail``), each with a message,
  a list of messages, or the nested errors of an object field (``{"requester": {"email": ["…"]}}``);
* ``401`` (no or a bad token), ``403`` (two-factor authentication not set up), ``404`` (no such object, or
  not yours: the same answer), ``429`` (throttled) — ``Error``: ``{"detail": "…"}``.

``tests/security/test_schemathesis.py`` runs schemathesis with ``--checks all`` against every operation.
"""

from __future__ import annotations

ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"],
         "description": "What went wrong, in a sentence."}
VALIDATION_ERROR = {
    "type": "object",
    "minProperties": 1,
    "description": "Each key names a field (or `detail` for the request as a whole) and says what is wrong and "
                   "what is valid.",
    "additionalProperties": {"anyOf": [{"type": "string"}, {"type": "array", "items": {}}, {"type": "object"}]},
}
DESCRIPTIONS = {
    "400": "Bad input: the field and what is valid",
    "401": "No token, or an unknown, expired or revoked one",
    "403": "Two-factor authentication must be set up (DPO and advocate accounts)",
    "404": "No such object, or not yours (the same answer)",
    "429": "Too many requests: try again later",
}


def _body(name: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}}


def add_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["ValidationError"] = VALIDATION_ERROR
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            security = operation.get("security") or []
            authenticated = bool(security) and {} not in security
            wanted = {"400"}
            if authenticated:
                wanted |= {"401", "403"}
            if "{" in path or "/employer/" in path:  # an object id; the employer API is a 404 to non-members
                wanted.add("404")
            if not authenticated:
                wanted.add("429")  # the anonymous throttle
            for status in sorted(wanted | {s for s in responses if s[:1] == "4"}):
                response = responses.setdefault(status, {"description": DESCRIPTIONS.get(status, "Error")})
                if status == "400" or "content" not in response:
                    response["content"] = _body("ValidationError" if status in ("400", "401") and "auth/token" in path
                                                else "ValidationError" if status == "400" else "Error")
    return result
