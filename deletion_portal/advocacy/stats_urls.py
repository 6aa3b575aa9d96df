"""The public outcome statistics (``stats`` namespace), under /employers/."""

from django.urls import path

from deletion_portal.advocacy import stats_views

app_name = "stats"
urlpatterns = [
    path("outcomes", stats_views.outcomes_ranking, name="ranking"),
    path("outcomes/method", stats_views.method, name="method"),
    path("<int:pk>/outcomes", stats_views.employer_outcomes, name="employer-outcomes"),
    path("<int:pk>/outcomes.csv", stats_views.employer_outcomes_csv, name="employer-outcomes-csv"),
    path("<int:pk>/outcomes.json", stats_views.employer_outcomes_json, name="employer-outcomes-json"),
    path("<int:pk>/outcomes.pdf", stats_views.employer_outcomes_pdf, name="employer-outcomes-pdf"),
]
