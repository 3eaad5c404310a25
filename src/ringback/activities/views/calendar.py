"""The calendar feed: the account's phone appointments as an iCalendar file at a secret URL.

Calendar apps fetch it without signing in, so the secret in the URL is the only key: a secret
replaced or turned off (Settings → Calendar, ``ringback calendar``) is a 404 at once, the same
404 as one that never existed. A GET reads only. The same appointments give the same bytes, so
an app that sends back the ETag gets a 304 while nothing changed.
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotFound
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.views.decorators.http import require_safe

from ringback.accounts.selectors import account_for_calendar_token
from ringback.activities.selectors import appointments_for_feed
from ringback.core.calendar_feed import build_feed
from ringback.core.errors import NotFound

#: What a replaced, turned-off or unknown secret gets (a person may open the URL in a browser).
GONE = (
    "This calendar URL doesn't work: it was replaced by a new one, turned off, or never existed.\n"
    "Copy the current one from Ringback's Settings, under Calendar, and subscribe to it again.\n"
)


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponseBase:
    """The feed of the account whose calendar secret is ``token``, or a plain-text 404."""
    try:
        account = account_for_calendar_token(token=token)
    except NotFound:
        return HttpResponseNotFound(GONE, content_type="text/plain; charset=utf-8")
    body = build_feed(
        title=f"Ringback ({account.seller_name or account.name})",
        time_zone=account.time_zone,
        appointments=appointments_for_feed(account=account),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="ringback.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Anyone with the URL may read it, but no shared cache should keep it: ask again each time.
    patch_cache_control(response, private=True, no_cache=True)
    etag = quote_etag(hashlib.sha256(body).hexdigest()[:32])
    response["ETag"] = etag
    return get_conditional_response(request, etag=etag, response=response) or response
