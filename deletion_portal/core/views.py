from django.http import JsonResponse
from django.views.decorators.http import require_GET

from deletion_portal.core.selectors import health_status


@require_GET
def healthz(request):
    status = health_status()
    return JsonResponse(status, status=200)
