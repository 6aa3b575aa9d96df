from django.http import JsonResponse
from django.views.decorators.http import require_GET

from deletion_portal.core.selectors import health_status


@require_GET
def healthz(request):
    status = health_status()
    return JsonResponse(status, status=200)


def not_found(request, exception=None):
    """handler404 (DEBUG off): the API answers its 404s in JSON, like every other API error; pages keep
    Django's page."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
