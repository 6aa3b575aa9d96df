from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from deletion_portal.accounts.api import auth_token
from deletion_portal.advocacy import stats_api

api_v1 = [
    path("", include("deletion_portal.laws.api_urls")),
    path("", include("deletion_portal.cases.api_urls")),
    path("employer/", include("deletion_portal.dpo.api_urls")),
    path("auth/token", auth_token, name="auth-token"),
    path("employers/<int:pk>/outcomes", stats_api.employer_outcomes, name="employer-outcomes"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-v1:schema"), name="docs"),
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
    path("api/v1/", include((api_v1, "api-v1"))),
    path("admin/", admin.site.urls),
]
