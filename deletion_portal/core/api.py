"""API conventions shared by every app: errors are JSON objects naming the field and what is valid."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        response.data = {"detail": response.data}
    request = context.get("request")
    if response is not None and request is not None:
        # An error is JSON even where the client asked for a PDF (``?format=pdf``, ``Accept: application/pdf``):
        # never a JSON body labelled application/pdf.
        renderer = getattr(request, "accepted_renderer", None)
        if renderer is None or getattr(renderer, "format", "") != "json":
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
    return response


class JSONParser(DRFJSONParser):
    """DRF's JSON parser, but deeply nested JSON (``[[[[…]]]]``) is a 400, not a RecursionError 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None
