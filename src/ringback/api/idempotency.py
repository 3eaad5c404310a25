"""``Idempotency-Key``: a POST sent with the header is performed once; a retry with the same key
(within a day) gets the first answer again, whatever happened to the first connection.

The key's row is inserted, in the request's transaction, before the operation runs. A retry that
arrives while the first is still running waits on the unique constraint (PostgreSQL blocks the
second insert until the first transaction ends; SQLite lets one writer at a time), then finds
the first answer and replays it. A server error (5xx) or a refused rate (429) leaves nothing
behind: the whole transaction rolls back and the key can be used again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from ringback.accounts.selectors import api_token_authenticate
from ringback.api.models import IdempotentRequest
from ringback.core import clock
from ringback.interface.api import IDEMPOTENCY_KEY_REUSED, error_response

HEADER = "Idempotency-Key"
#: How long a key's answer is kept and replayed.
KEPT = timedelta(hours=24)
#: A key is 1 to this many printable ASCII characters (a UUID is the usual choice).
KEY_LENGTH = 255
#: Answers that are not kept: the operation did not happen, the client may try again.
NOT_KEPT = frozenset({429})

View = Callable[..., HttpResponse]


def _bearer(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def fingerprint(request: HttpRequest) -> str:
    """What makes two requests the same one: method, path, query and body."""
    digest = hashlib.sha256()
    for part in (request.method or "", request.path, request.META.get("QUERY_STRING", "")):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _replay(kept: IdempotentRequest, print_: str) -> HttpResponse:
    if kept.fingerprint != print_:
        return error_response(
            422,
            IDEMPOTENCY_KEY_REUSED,
            "This Idempotency-Key was used for another request: use a new key for each request.",
            field=HEADER,
        )
    response = HttpResponse(bytes(kept.body), status=kept.status, content_type=kept.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(view: View) -> View:
    """Wrap an API view: a POST with an ``Idempotency-Key`` runs once per key and account."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return view(request, *args, **kwargs)
        token = api_token_authenticate(raw=_bearer(request))
        if token is None:
            return view(request, *args, **kwargs)  # refused there, with the API's 401
        if not 0 < len(key) <= KEY_LENGTH or not key.isascii() or not key.isprintable():
            return error_response(
                422,
                "invalid_input",
                f"An Idempotency-Key is 1 to {KEY_LENGTH} printable ASCII characters (a UUID, say).",
                field=HEADER,
            )
        print_ = fingerprint(request)
        now = clock.now()
        with transaction.atomic():
            IdempotentRequest.objects.filter(
                account_id=token.account_id, key=key, created_at__lt=now - KEPT
            ).delete()
            try:
                with transaction.atomic():
                    row = IdempotentRequest.objects.create(
                        account_id=token.account_id,
                        key=key,
                        fingerprint=print_,
                        status=0,
                        content_type="",
                        body=b"",
                        created_at=now,
                    )
            except IntegrityError:
                return _replay(IdempotentRequest.objects.get(account_id=token.account_id, key=key), print_)
            with transaction.atomic():
                response = view(request, *args, **kwargs)
                if response.status_code >= 400:
                    transaction.set_rollback(True)  # an error changes nothing, even half-way
            if response.status_code >= 500 or response.status_code in NOT_KEPT or response.streaming:
                transaction.set_rollback(True)
                return response
            row.status = response.status_code
            row.content_type = response.get("Content-Type", "application/json")
            row.body = response.content
            row.save(update_fields=["status", "content_type", "body"])
        return response

    return wrapped


def idempotency_keys_purge(*, now: Any = None) -> int:
    """Forget the answers older than a day; returns how many."""
    deleted, _ = IdempotentRequest.objects.filter(created_at__lt=(now or clock.now()) - KEPT).delete()
    return deleted
