"""The one question every view asks of an HTMX request."""

from __future__ import annotations

from django.http import HttpRequest


def wants_fragment(request: HttpRequest) -> bool:
    """True for an HTMX request that wants a part of a page; False for a plain request and for
    HTMX restoring a page from its history (the back button), which needs the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
