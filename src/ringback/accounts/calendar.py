"""The calendar feed's address, as the Settings page and ``ringback calendar`` give it.

The feed itself (``/calendar/SECRET.ics``, the ``calendar_feed`` route) is served by the
activities app, which owns appointments; the account only holds its secret
(:attr:`Account.calendar_token`, changed by the ``account_calendar_*`` services).
"""

from __future__ import annotations

import segno
from django.urls import reverse

#: Modules of the QR code drawn per SVG unit, and the quiet zone around it, in modules.
QR_SCALE = 4
QR_BORDER = 2


def calendar_path(token: str) -> str:
    """The path of the feed with the secret ``token`` (``/calendar/….ics``)."""
    return reverse("calendar_feed", kwargs={"token": token})


def webcal_url(url: str) -> str:
    """``url`` with the ``webcal://`` scheme: opening it asks the device's calendar app to
    subscribe (Apple Calendar, Outlook; the app fetches it over http or https itself)."""
    return "webcal://" + url.split("://", 1)[-1]


def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as an SVG ``data:`` URI: an ``<img>`` the page's CSP allows
    (``img-src 'self' data:``), nothing inline to run or style."""
    return str(segno.make(url, error="m").svg_data_uri(scale=QR_SCALE, border=QR_BORDER))
