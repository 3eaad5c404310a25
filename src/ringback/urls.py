"""URL routes: one include per app."""

from django.urls import include, path

urlpatterns = [
    path("", include("ringback.activities.urls")),
    path("", include("ringback.accounts.urls")),
    path("contacts/", include(("ringback.contacts.urls", "contacts"))),
    path("playbooks/", include(("ringback.playbooks.urls", "playbooks"))),
]
