from django.urls import path

from deletion_portal.cases import api

urlpatterns = [
    path("cases", api.case_list, name="case-list"),
    path("cases/<int:pk>", api.case_detail, name="case-detail"),
    path("cases/<int:pk>/finalize", api.case_finalize, name="case-finalize"),
    path("cases/<int:pk>/send", api.case_send, name="case-send"),
    path("cases/<int:pk>/events", api.case_event_create, name="case-events"),
    path("cases/<int:pk>/letters/<int:letter_pk>/pdf", api.case_letter_pdf, name="case-letter-pdf"),
    path("cases/<int:pk>/letters/<int:letter_pk>/finalize", api.case_letter_finalize, name="case-letter-finalize"),
    path("cases/<int:pk>/letters/<int:letter_pk>/send", api.case_letter_send, name="case-letter-send"),
]
