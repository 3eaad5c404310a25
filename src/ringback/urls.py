"""URL routes: one include per app."""

from django.urls import include, path

urlpatterns = [
    path("api/", include("ringback.api.urls")),
    path("", include("ringback.activities.urls")),
    path("", include("ringback.accounts.urls")),
    path("", include("ringback.inbox.urls")),
    path("contacts/", include(("ringback.people.urls", "contacts"))),
    path("playbooks/", include(("ringback.playbooks.urls", "playbooks"))),
    path("print/", include(("ringback.post.urls", "post"))),
    path("library/", include(("ringback.messaging.urls", "messaging"))),
    path("insights/", include(("ringback.insights.urls", "insights"))),
    path("settings/webhooks/", include(("ringback.hooks.urls", "hooks"))),
]
