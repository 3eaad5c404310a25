"""Sign-in throttling with django-axes: which address a request comes from, and the pause page.

Settings (``settings.py``): after ``AXES_FAILURE_LIMIT`` failed sign-ins for one user name (from
any address) or from one address (for any user names), sign-ins for that name or from that
address are refused for ``AXES_COOLOFF_TIME`` after the last counted failure; tries during the
pause are not counted, so they neither lengthen it nor go through.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_address(request: HttpRequest) -> str:
    """The address a sign-in comes from, as throttling counts it.

    Behind the TLS proxy that ``RINGBACK_PROXY_SSL_HEADER=1`` trusts, every request comes from the
    proxy, so the address is the last one in ``X-Forwarded-For`` (the one the proxy itself saw and
    appended; earlier ones are whatever the client sent). Otherwise it is the connection's address.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "")
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
        if forwarded[-1]:
            return forwarded[-1]
    return remote


def _pause_ends(request: HttpRequest, credentials: dict[str, Any] | None, pause: timedelta) -> datetime:
    """When the failures that paused this sign-in are all older than the pause (axes' own clock)."""

    now: datetime = request.axes_attempt_time  # type: ignore[attr-defined]
    handler = AxesProxyHandler.get_implementation()
    latest = [
        attempts.aggregate(last=Max("attempt_time"))["last"]
        for attempts in handler.get_user_attempts(request, credentials)
    ]
    last = max((when for when in latest if when is not None), default=now)
    return last + pause


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The page a paused sign-in gets (HTTP 429, ``Retry-After``): how long to wait, and until when."""

    pause = get_cool_off(request) or timedelta(minutes=15)
    now: datetime = request.axes_attempt_time  # type: ignore[attr-defined]
    until = _pause_ends(request, credentials, pause)
    seconds = max(1, math.ceil((until - now).total_seconds()))
    context = {
        "username": get_client_username(request, credentials) or "",
        "failure_limit": get_failure_limit(request, credentials),
        "minutes": max(1, math.ceil(seconds / 60)),
        "until": until,
    }
    response = render(request, "accounts/locked_out.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    response["Retry-After"] = str(seconds)
    return response
