"""One-time submission tokens: a form sent twice (a double tap, a resend, two clicks in a row)
acts once, and the second send gets the first answer again.

A form renders ``{% submission_token %}`` (from ``{% load submission %}``): a hidden field with
a fresh random token. A view decorated with :func:`submitted_once` runs a POST that carries one
in a single transaction that first stores the token for the account (unique per account), then
runs the view and stores its answer (status, its own headers, the body, the flash messages).
A second POST with the same token blocks on the unique index until the first has committed,
then gets the stored answer back without running the view. An answer of 400 or more keeps no
token: nothing was changed, so the corrected form may be sent again with it. A POST with a used
token but other values (another button of the same card, an edited resend) is a new request:
it runs as one without a token would, and the services' own rules decide.

Tokens are scoped to the account and forgotten after :data:`KEEP_FOR`. A POST without a token
runs as before (the service's own locks and constraints still keep it to once).
"""

from __future__ import annotations

import hashlib
import logging
import re
import zlib
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.http import urlencode

from ringback.accounts.models import Account, SubmissionToken
from ringback.core import clock

#: The name of the hidden field.
FIELD = "submission_token"
#: How long a used token replays its answer.
KEEP_FOR = timedelta(days=1)
#: What a token looks like (``secrets.token_urlsafe`` output).
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
#: Headers a replay sends again (the rest are set by middleware on the way out).
_SKIPPED_HEADERS = frozenset({"set-cookie", "content-length", "vary"})
BAD_TOKEN = "This form's submission token is not valid: reload the page and send the form again."

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


def submitted_once(view: View) -> View:
    """Make a POST that carries a submission token act once per token; a repeat gets the first
    answer. Goes under :func:`ringback.accounts.web.account_view` (it needs ``account``)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, account: Account, **kwargs: Any) -> HttpResponse:
        token = request.POST.get(FIELD, "") if request.method == "POST" else ""
        if not token:
            return view(request, *args, account=account, **kwargs)
        if not TOKEN.fullmatch(token):
            return HttpResponseBadRequest(BAD_TOKEN, content_type="text/plain; charset=utf-8")
        response = _once(request, account, token, lambda: view(request, *args, account=account, **kwargs))
        submissions_forget_old(account=account)
        return response

    return wrapped


def _digest(request: HttpRequest) -> str:
    """What the form said: its values but the two tokens, in a stable order."""
    pairs = sorted(
        (key, value)
        for key, values in request.POST.lists()
        if key not in (FIELD, "csrfmiddlewaretoken")
        for value in values
    )
    return hashlib.sha256(urlencode(pairs).encode()).hexdigest()


def _once(
    request: HttpRequest, account: Account, token: str, run: Callable[[], HttpResponse]
) -> HttpResponse:
    digest = _digest(request)
    # Two tries: a token row deleted between our failed insert and our read (a first answer of
    # 400 or more, or the clean-up) leaves the token free again.
    for _ in range(2):
        with transaction.atomic():
            try:
                with transaction.atomic():
                    # On PostgreSQL this waits while another transaction holds the same token.
                    row = SubmissionToken.objects.create(
                        account=account, token=token, digest=digest, created_at=clock.now()
                    )
            except IntegrityError:
                row = None
            if row is not None:
                return _run_and_keep(request, row, run)
        stored = SubmissionToken.objects.filter(account=account, token=token).first()
        if stored is not None:
            return _replay(request, stored) if stored.digest == digest else run()
    return run()


def _run_and_keep(
    request: HttpRequest, row: SubmissionToken, run: Callable[[], HttpResponse]
) -> HttpResponse:
    queued = _queued(request)
    before = len(queued)
    response = run()
    if response.status_code >= 400 or response.streaming:
        row.delete()
        return response
    row.status = response.status_code
    row.headers = {k: v for k, v in response.headers.items() if k.lower() not in _SKIPPED_HEADERS}
    row.messages = [[m.level, str(m.message), m.extra_tags or ""] for m in queued[before:]]
    row.body = zlib.compress(response.content)
    row.save(update_fields=["status", "headers", "messages", "body"])
    return response


def _queued(request: HttpRequest) -> list[Any]:
    """The flash messages this request has added so far (Django keeps them in a list)."""
    storage = getattr(request, "_messages", None)
    queued: list[Any] = getattr(storage, "_queued_messages", [])
    return queued


def _replay(request: HttpRequest, stored: SubmissionToken) -> HttpResponse:
    response = HttpResponse(zlib.decompress(bytes(stored.body)), status=stored.status)
    for name, value in stored.headers.items():
        response[name] = value
    for level, text, tags in stored.messages:
        messages.add_message(request, level, text, extra_tags=tags, fail_silently=True)
    return response


def submissions_forget_old(*, account: Account) -> int:
    """Delete the account's tokens older than :data:`KEEP_FOR`; return how many went.

    Best effort: a clean-up that loses a race with another one is left to the next request.
    """
    try:
        deleted, _ = SubmissionToken.objects.filter(
            account=account, created_at__lt=clock.now() - KEEP_FOR
        ).delete()
    except DatabaseError as exc:  # locked by a concurrent clean-up; the next request retries
        logger.info("submission tokens not cleaned up: %s", exc)
        return 0
    return deleted
