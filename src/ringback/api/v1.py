"""The API, version 1: every app's router under one NinjaAPI, personal-token auth on every
operation, a rate limit per token, and one JSON error shape for every failure (see
:mod:`ringback.interface.api`), never an HTML page or a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.operation import Operation
from ninja.params.models import QueryModel

from ringback.accounts.api import ReadOnlyToken, TokenAuth, TokenRateThrottle
from ringback.activities.api import router as activities_router
from ringback.api.parsing import StorableParser, UnstorableText
from ringback.core.errors import RingbackError
from ringback.hooks.api import router as webhooks_router
from ringback.insights.api import router as insights_router
from ringback.interface.api import (
    NOT_AUTHENTICATED,
    RATE_LIMITED,
    READ_ONLY_TOKEN,
    SERVER_ERROR,
    domain_error_response,
    error_body,
    error_response,
)
from ringback.messaging.api import router as messages_router
from ringback.people.api import router as contacts_router
from ringback.playbooks.api import router as playbooks_router

logger = logging.getLogger(__name__)

DESCRIPTION = """\
Ringback's REST API: the same contacts, plans, touches, agenda and appointments as the web app
and the `ringback` command, with the same rules and the same errors.

**Authentication.** Every request carries a personal access token:
`Authorization: Bearer rb_…`. Create one in Settings → API tokens or with
`ringback token create NAME`; a read-only token may read (and check playbooks and messages),
a read-write token may also change things.

**Errors.** Every error is `{"error": {"code", "field", "message", "errors": [...]}}`:
401 without a valid token, 403 for a read-only token writing, 404 for what is not yours, 409 for
a conflict (already enrolled, already booked), 422 for invalid input (an unknown query
parameter too), 429 with `Retry-After` past the rate limit.

**Retries.** A POST with an `Idempotency-Key` header is performed once; a retry with the same
key within 24 hours gets the first answer (with `Idempotent-Replayed: true`).

**Pages.** Lists return `items` and `next_cursor`; pass it back as `cursor` for the next page.
"""


class RingbackAPI(NinjaAPI):
    """Operation ids are the view functions' names (``contacts_list``, ``touches_log``): short,
    stable, and what a generated client calls its methods."""

    def get_openapi_operation_id(self, operation: Operation) -> str:
        return operation.view_func.__name__


api = RingbackAPI(
    title="Ringback API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=TokenAuth(),
    throttle=[TokenRateThrottle()],
    docs_url="/docs/",
    openapi_url="/openapi.json",
    parser=StorableParser(),
)


def query_parameters(operation: Operation) -> frozenset[str]:
    """The names of the query parameters ``operation`` takes, as its schema lists them."""
    return frozenset(
        name
        for model in operation.models
        if issubclass(model, QueryModel)
        for name in (getattr(model, "__ninja_flatten_map__", None) or model.model_fields)
    )


def refuse_unknown_query_parameters(
    run: Callable[..., HttpResponseBase],
) -> Callable[..., HttpResponseBase]:
    """Wrap an operation's ``run`` so that a query parameter it does not take is refused (422,
    one problem per unknown name, on that name) instead of ignored: a typo like ``serach`` would
    otherwise list every contact, as if nothing had been asked."""
    operation: Operation = getattr(run, "__self__")  # noqa: B009 - ninja hands over the bound method
    known = query_parameters(operation)
    takes = ", ".join(sorted(known)) or "no query parameters"

    @wraps(run)
    def checked(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        unknown = sorted(set(request.GET) - known)
        if unknown:
            problems = [
                ("invalid_input", name, f"unknown query parameter {name!r}: this operation takes {takes}")
                for name in unknown
            ]
            return JsonResponse(error_body(problems), status=HTTPStatus.UNPROCESSABLE_ENTITY)
        return run(request, **kwargs)

    return checked


api.add_decorator(refuse_unknown_query_parameters, mode="view")


def _field(location: tuple[object, ...] | list[object]) -> str | None:
    """The API's name for the input a validation error is about: ``["body", "payload", "phone"]``
    is ``phone`` (the location, then the body's parameter name, are not the client's words),
    ``["query", "limit"]`` is ``limit``, ``["body", "payload"]`` (no body at all) is ``body``."""
    parts = [str(part) for part in location]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form", "file"):
        where, parts = parts[0], parts[1:]
        if where == "body":
            parts = parts[1:] or ["body"]
    return ".".join(parts) or None


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [
        ("invalid_input", _field(error.get("loc", ())), str(error.get("msg", "invalid value")))
        for error in exc.errors
    ] or [("invalid_input", None, "The request is not valid.")]
    return api.create_response(request, error_body(problems), status=HTTPStatus.UNPROCESSABLE_ENTITY)


@api.exception_handler(RingbackError)
def domain_error(request: HttpRequest, exc: RingbackError) -> HttpResponse:
    return domain_error_response(exc)


@api.exception_handler(AuthenticationError)
def not_authenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        HTTPStatus.UNAUTHORIZED,
        NOT_AUTHENTICATED,
        "A valid personal access token is needed: Authorization: Bearer rb_…",
        headers={"WWW-Authenticate": 'Bearer realm="ringback"'},
    )


@api.exception_handler(ReadOnlyToken)
def read_only(request: HttpRequest, exc: ReadOnlyToken) -> HttpResponse:
    return error_response(HTTPStatus.FORBIDDEN, READ_ONLY_TOKEN, str(exc))


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return error_response(
        HTTPStatus.TOO_MANY_REQUESTS, RATE_LIMITED, "Too many requests with this token: wait and retry."
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(HTTPStatus.NOT_FOUND, "not_found", "Not found.")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == HTTPStatus.BAD_REQUEST and isinstance(exc.__cause__, UnstorableText):
        cause = exc.__cause__
        return error_response(HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_input", str(cause), field=cause.field)
    if exc.status_code == HTTPStatus.BAD_REQUEST:  # a body that is not JSON, or not UTF-8
        return error_response(
            HTTPStatus.UNPROCESSABLE_ENTITY, "invalid_input", f"{exc}: send JSON in UTF-8.", field="body"
        )
    return error_response(
        exc.status_code, HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_"), str(exc)
    )


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(
        HTTPStatus.INTERNAL_SERVER_ERROR, SERVER_ERROR, "Something went wrong on our side; it was logged."
    )


api.add_router("/contacts", contacts_router)
api.add_router("", activities_router)
api.add_router("", playbooks_router)
api.add_router("", messages_router)
api.add_router("", insights_router)
api.add_router("", webhooks_router)
