from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from deletion_portal.accounts.api import auth_token
from deletion_portal.advocacy import stats_api

api_v1 = [
    path("", include("deletion_portal.laws.api_urls")),
    path("", include("deletion_portal.cases.api_urls")),
    path("employer/", include("deletion_portal.dpo.api_urls")),
    path("", include("deletion_portal.advocacy.api_urls")),
    path("", include("deletion_portal.advocacy.bulk_api_urls")),
    path("auth/token", auth_token, name="auth-token"),
    path("employers/<int:pk>/outcomes", stats_api.employer_outcomes, name="employer-outcomes"),
    path("campaigns/<int:campaign_id>/stats", stats_api.campaign_stats, name="campaign-stats"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a separate same-origin file (?script): no inline script,
    # so Swagger UI (vendored by drf-spectacular-sidecar, pinned) runs under the site's CSP ('self' only).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-v1:schema", template_name="api/swagger_ui.html"),
         name="docs"),
]

urlpatterns = [
    path("", include("deletion_portal.core.urls")),
    path("", include("deletion_portal.laws.urls")),
    path("accounts/", include("deletion_portal.accounts.urls")),
    path("employers/", include("deletion_portal.employers.urls")),
    path("employers/", include("deletion_portal.advocacy.stats_urls")),
    path("cases/", include("deletion_portal.cases.urls")),
    path("cases/", include("deletion_portal.tracking.urls")),
    path("calendar/", include("deletion_portal.tracking.calendar_urls")),
    path("employer/", include("deletion_portal.dpo.urls")),
    path("", include("deletion_portal.advocacy.urls")),
    path("organisations/", include("deletion_portal.advocacy.bulk_urls")),
    path("api/v1/", include((api_v1, "api-v1"))),
    path("admin/", admin.site.urls),
    # The footer's language switcher (POST). Its only effect is the language cookie, so it carries no CSRF token:
    # a page for anonymous visitors stays free of per-visitor tokens (and the same for everyone).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
]

handler404 = "deletion_portal.core.views.not_found"
