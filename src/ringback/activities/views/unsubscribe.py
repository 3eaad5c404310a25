"""The unsubscribe link of every email (``List-Unsubscribe``): a page for people, and the
one-click POST of RFC 8058 for mail clients.

No sign-in and no cookie: the signed token in the URL is the only key. A GET only asks (link
scanners and previews open links); the POST unsubscribes at once, answers in place (no redirect,
which mail clients do not follow) and is the same whether sent by the page's button or by a mail
client. A token Ringback did not sign is a plain 400 page, and nothing changes.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from ringback.activities.emailing import UnsubscribeRefused, email_unsubscribe, unsubscribe_preview


@csrf_exempt  # mail clients post without a session or a CSRF token (RFC 8058); the token is the key
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Ask (GET), or unsubscribe (POST), the address the signed ``token`` names."""
    try:
        if request.method == "POST":
            sender, address = email_unsubscribe(
                token=token, via="one-click" if _one_click(request) else "page"
            )
            done = True
        else:
            sender, address = unsubscribe_preview(token=token)
            done = False
    except UnsubscribeRefused:
        return render(request, "activities/unsubscribe.html", {"invalid": True}, status=400)
    response = render(
        request, "activities/unsubscribe.html", {"done": done, "sender": sender, "address": address}
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _one_click(request: HttpRequest) -> bool:
    """Whether a mail client sent the RFC 8058 one-click POST (``List-Unsubscribe=One-Click``)."""
    return request.POST.get("List-Unsubscribe") == "One-Click"
