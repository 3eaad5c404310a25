"""The API's routes under ``/api/v1/``: ninja's, each wrapped so that a POST with an
``Idempotency-Key`` runs once and a method the path has not is a JSON 405; anything else under
``/api/`` is a JSON 404, never the site's HTML page."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from ringback.api.idempotency import idempotent
from ringback.api.v1 import api
from ringback.interface.api import METHOD_NOT_ALLOWED, error_response


def _json_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            return error_response(
                HTTPStatus.METHOD_NOT_ALLOWED,
                METHOD_NOT_ALLOWED,
                f"{request.method} is not allowed here; allowed: {allowed}.",
                headers={"Allow": allowed},
            )
        return response

    return wrapped


def _wrapped(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _json_not_allowed(idempotent(pattern.callback))
    return patterns


@csrf_exempt
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything under /api/ that is no operation."""
    return error_response(HTTPStatus.NOT_FOUND, "not_found", "No such API address: see /api/v1/docs/.")


_patterns, _app_name, _namespace = api.urls

urlpatterns = [
    path("v1/", include((_wrapped(list(_patterns)), _app_name), namespace=_namespace)),
    re_path(r"^(?P<rest>(?s:.*))\Z", unknown, name="api-unknown"),
]
