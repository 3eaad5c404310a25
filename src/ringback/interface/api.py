"""What every app's API router shares and that knows no app: the one error shape, the HTTP
status of each domain error code, and the page of a cursor-paginated list.

An error body is always::

    {"error": {"code": "already_enrolled", "field": null, "message": "...",
               "errors": [{"code": ..., "field": ..., "message": ...}]}}

``code`` is a :class:`ringback.core.errors.ErrorCode` value (or one of the API's own:
``not_authenticated``, ``read_only_token``, ``rate_limited``, ``method_not_allowed``,
``idempotency_key_reused``, ``server_error``); ``field`` names the input it is about, in the
words of the API's own schema; ``errors`` lists every problem (a body with three bad fields has
three), the first of which is repeated at the top. Clients branch on ``code`` and ``field``, never
on the message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from http import HTTPStatus
from typing import Annotated, Any

from django.http import HttpResponse, JsonResponse
from ninja import Schema
from pydantic import AwareDatetime, BeforeValidator

from ringback.core.errors import ErrorCode, NotFound, RingbackError

#: Error codes of the API itself, beside the domain's.
NOT_AUTHENTICATED = "not_authenticated"
READ_ONLY_TOKEN = "read_only_token"
RATE_LIMITED = "rate_limited"
METHOD_NOT_ALLOWED = "method_not_allowed"
IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
SERVER_ERROR = "server_error"

#: Domain errors that say the request conflicts with the state of things (409), not that its
#: input is wrong (422).
CONFLICTS = frozenset(
    {
        ErrorCode.ALREADY_ENROLLED,
        ErrorCode.ALREADY_BOOKED,
        ErrorCode.ALREADY_LOGGED,
        ErrorCode.ALREADY_DO_NOT_CONTACT,
        ErrorCode.APPOINTMENT_NOT_SCHEDULED,
        ErrorCode.DUPLICATE_CONTACT,
        ErrorCode.HAS_APPOINTMENT,
        ErrorCode.NOT_ENROLLED,
        ErrorCode.SUPPRESSED,
        ErrorCode.TEXTS_STOPPED,
        ErrorCode.EMAIL_STOPPED,
        ErrorCode.DAILY_CAP,
        ErrorCode.VACATION_OVERLAP,
        ErrorCode.UPLOADS_WAITING,
        ErrorCode.CONTACT_AMBIGUOUS,
    }
)


class FieldErrorOut(Schema):
    """One problem: its code, the input it is about (or null for the whole request), and what
    to do, in words."""

    code: str
    field: str | None = None
    message: str


class ErrorDetailOut(FieldErrorOut):
    errors: list[FieldErrorOut]


class ErrorOut(Schema):
    """Every error the API answers with (4xx and 5xx alike)."""

    error: ErrorDetailOut


#: The responses every authenticated operation may give besides its own, for the schema.
COMMON_ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
#: ... and every operation that writes.
WRITE_ERRORS: dict[int, type[Schema]] = {**COMMON_ERRORS, 403: ErrorOut, 409: ErrorOut}


def error_status(exc: RingbackError) -> int:
    """The HTTP status a domain error answers with: 404 for a row the account has not, 409 for a
    conflict with the state of things, 422 for input the rules refuse."""
    if isinstance(exc, NotFound):
        return HTTPStatus.NOT_FOUND
    if exc.code in CONFLICTS:
        return HTTPStatus.CONFLICT
    return HTTPStatus.UNPROCESSABLE_ENTITY


def error_body(problems: Sequence[tuple[str, str | None, str]]) -> dict[str, Any]:
    """The error body for ``problems`` (code, field, message), the first one at the top."""
    assert problems, "an error body needs a problem"
    listed = [{"code": code, "field": field, "message": message} for code, field, message in problems]
    return {"error": {**listed[0], "errors": listed}}


def error_response(
    status: int, code: str, message: str, *, field: str | None = None, headers: dict[str, str] | None = None
) -> HttpResponse:
    """A JSON error response with one problem."""
    response = JsonResponse(error_body([(code, field, message)]), status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def domain_error_response(exc: RingbackError, *, fields: dict[str, str] | None = None) -> HttpResponse:
    """The response for a domain error; ``fields`` renames a service's argument to the API's
    name for it where the two differ."""
    field = exc.field and (fields or {}).get(exc.field, exc.field)
    return error_response(error_status(exc), str(exc.code), exc.message, field=field)


class PageOut(Schema):
    """Where the next page starts: pass ``next_cursor`` as ``cursor``; null on the last page."""

    next_cursor: str | None = None


def _iso_date(value: object) -> object:
    if isinstance(value, str) and not _DATE.fullmatch(value):
        raise ValueError("a date is written YYYY-MM-DD")
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("a date is written YYYY-MM-DD, not as a number")
    return value


def _iso_datetime(value: object) -> object:
    if isinstance(value, str) and not _DATETIME.fullmatch(value):
        raise ValueError("a time is written in ISO 8601 with its offset, e.g. 2026-12-07T15:30:00-05:00")
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("a time is written in ISO 8601 with its offset, not as a number")
    return value


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})", re.I)

#: A date as the API takes it: ``YYYY-MM-DD`` only (pydantic alone would also take a number of
#: seconds since 1970, which the schema's ``format: date`` does not allow).
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
#: A moment as the API takes it: ISO 8601 with its offset (a time without a zone is refused:
#: whose 9 o'clock would it be?).
IsoDateTime = Annotated[AwareDatetime, BeforeValidator(_iso_datetime)]
