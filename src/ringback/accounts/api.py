"""What every API operation shares about who is asking: the personal token in the
``Authorization: Bearer`` header, the account it belongs to, its scope and its rate limit.

A request is the token's account's exactly as a signed-in page is the seller's: every router
reads the account with :func:`api_account` and hands it to the same ``*_get`` selectors and
services as the web, so another account's row is a 404 here too.
"""

from __future__ import annotations

import math
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from ringback.accounts.choices import TokenScope
from ringback.accounts.models import Account, ApiToken
from ringback.accounts.selectors import api_token_authenticate

#: Methods that only read: a read-only token may use them.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: Operations that take a body but change nothing (checking a playbook, a message): a read-only
#: token may use them. Named by their URL name's ending.
READING_POSTS = ("-validate",)


class ReadOnlyToken(Exception):
    """A read-only token asked to change something: the API answers 403."""


class TokenAuth(HttpBearer):
    """``Authorization: Bearer rb_…``: the request's ``auth`` is the :class:`ApiToken`; an
    unknown, revoked or malformed token is refused (401), and a read-only one that writes is
    forbidden (403)."""

    openapi_description = (
        "A personal access token from Settings → API tokens, or `ringback token create NAME`."
    )

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = api_token_authenticate(raw=token)
        if found is None:
            return None
        if found.scope != TokenScope.READ_WRITE and not _reads(request):
            raise ReadOnlyToken(f"The token {found.name!r} is read-only: it cannot change anything.")
        return found


def _reads(request: HttpRequest) -> bool:
    if request.method in SAFE_METHODS:
        return True
    match = request.resolver_match
    return bool(match and match.url_name and match.url_name.endswith(READING_POSTS))


def api_account(request: HttpRequest) -> Account:
    """The account of the request's token (the API's every operation acts for it)."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    return token.account


def api_rate() -> tuple[int, int]:
    """How many requests a token may make (``settings.API_RATE_LIMIT``) in how many seconds."""
    count, _, seconds = str(settings.API_RATE_LIMIT).partition("/")
    return int(count), int(seconds or 60)


class TokenRateThrottle(BaseThrottle):
    """At most ``settings.API_RATE_LIMIT`` requests (e.g. ``600/60``) per token in each window;
    past it, 429 with ``Retry-After`` saying when the window ends. The count is kept in Django's
    cache (one process's memory by default; a shared cache for several processes)."""

    def __init__(self) -> None:
        # ninja asks ``wait()`` right after a refusal, on the same object, which the server's
        # threads share: each thread keeps its own answer.
        self._local = threading.local()

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return True
        limit, seconds = api_rate()
        now = time.time()
        window = int(now // seconds)
        key = f"ringback:api-rate:{token.prefix}:{window}"
        cache.add(key, 0, timeout=seconds + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr: a new window
            cache.set(key, 1, timeout=seconds + 1)
            count = 1
        if count <= limit:
            return True
        self._local.wait = max(1.0, math.ceil((window + 1) * seconds - now))
        return False

    def wait(self) -> float | None:
        wait: float | None = getattr(self._local, "wait", None)
        return wait
