"""Middleware about what browsers and proxies may keep of a signed-in seller's pages."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


class SignedInNoStoreMiddleware:
    """Mark every response to a signed-in request ``Cache-Control: private, no-store``.

    Contacts, scripts and exports must not stay in a shared proxy's cache, nor in the browser's
    cache or its back/forward history after signing out on a shared computer. Static files never
    get here (WhiteNoise answers them first) and keep their long caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
