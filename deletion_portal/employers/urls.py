from django.urls import path

from deletion_portal.employers import views

app_name = "employers"
urlpatterns = [
    path("", views.search, name="directory"),
    path("search", views.search, name="search"),
    path("search.json", views.search_json, name="search-json"),
    path("add/", views.add, name="add"),
    path("<int:pk>/", views.detail, name="detail"),
]
