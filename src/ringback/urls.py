"""URL routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("ringback.activities.urls")),
    path("", include("ringback.accounts.urls")),
]
