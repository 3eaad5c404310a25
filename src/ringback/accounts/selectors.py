"""Reads about accounts."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from dataclasses import fields
from datetime import datetime, timedelta
from typing import Protocol

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.db.models import Q

from ringback.accounts.models import Account, ApiToken, Membership, Vacation
from ringback.accounts.passwords import PUBLISHED_PASSWORDS
from ringback.core import clock
from ringback.core.agenda import Costs
from ringback.core.errors import AccountError, NotFound
from ringback.core.scheduling import CallingHours, vacation_from_dates
from ringback.core.scheduling import Vacation as VacationSpan
from ringback.core.workweek import MONDAY_TO_FRIDAY, parse_weekdays

#: The item costs a seller can set (minutes), by name.
COST_NAMES = tuple(f.name for f in fields(Costs))


def account_working_days(*, account: Account) -> frozenset[int]:
    """The weekday numbers (Monday 0) the seller works: steps are planned only on these."""
    return parse_weekdays(account.working_days) if account.working_days else MONDAY_TO_FRIDAY


def account_costs(*, account: Account) -> Costs:
    """The minutes each kind of agenda item is expected to take: the defaults, or the seller's own."""
    own = account.item_minutes or {}
    return Costs(**{name: float(own[name]) for name in COST_NAMES if name in own})


def account_for_user(*, username: str) -> Account:
    """The account the user called ``username`` acts for."""
    membership = Membership.objects.select_related("account").filter(user__username=username).first()
    if membership is None and get_user_model().objects.filter(username=username).exists():
        raise AccountError(f"the user {username!r} belongs to no Ringback account")
    if membership is None:
        known = list(get_user_model().objects.order_by("username").values_list("username", flat=True)[:20])
        hint = f" (users: {', '.join(known)})" if known else ""
        raise AccountError(f"no user called {username!r}{hint}")
    return membership.account


def logins_with_published_password() -> list[str]:
    """The user names, sorted, whose password is one Ringback publishes (the demo's).

    Checks every login that can sign in, one password hash each (fractions of a second apiece);
    nothing is changed, not even a hash that would be upgraded on sign-in.
    """

    users = get_user_model().objects.exclude(password="").exclude(password__startswith="!")
    return sorted(
        user.get_username()
        for user in users.order_by("pk")
        if any(check_password(password, user.password) for password in PUBLISHED_PASSWORDS)
    )


def account_vacations(*, account: Account) -> tuple[VacationSpan, ...]:
    """The seller's vacations as UTC spans covering whole days in the account's time zone."""
    return tuple(
        vacation_from_dates(v.first_day, v.last_day, account.time_zone)
        for v in Vacation.objects.filter(account=account)
    )


def account_calling_hours(*, account: Account) -> CallingHours:
    """The account's own calling hours."""
    return CallingHours(account.calling_start, account.calling_end)


def vacations_list(*, account: Account) -> list[Vacation]:
    """The seller's vacations, earliest first."""
    return list(Vacation.objects.filter(account=account).order_by("first_day", "pk"))


class AccountRow(Protocol):
    """A row that belongs to an account (every model of Ringback's but the account)."""

    account_id: int


def account_row_check(*, account: Account, row: AccountRow, what: str) -> None:
    """Raise :class:`NotFound` ("no such WHAT", the answer for a row that does not exist) unless
    ``row`` belongs to ``account``: the one ownership check of every service."""
    if row.account_id != account.pk:
        raise NotFound(f"no such {what}")


def vacation_get(*, account: Account, pk: int) -> Vacation:
    """The account's vacation ``pk``; :class:`NotFound` if it has none."""
    vacation = Vacation.objects.filter(account=account, pk=pk).first()
    if vacation is None:
        raise NotFound("no such vacation")
    return vacation


#: Random bytes in the calendar feed's secret (256 bits; ``secrets.token_urlsafe``).
CALENDAR_TOKEN_BYTES = 32
#: What such a secret looks like: URL-safe base64 without padding.
CALENDAR_TOKEN = re.compile(rf"[A-Za-z0-9_-]{{{math.ceil(CALENDAR_TOKEN_BYTES * 4 / 3)}}}")


def account_for_calendar_token(*, token: str) -> Account:
    """The account whose calendar feed has the secret ``token``, by one look-up of the unique
    column; :class:`NotFound` for any other secret: one replaced or turned off, one that never
    was, one that isn't even shaped like one (asked without a query) all get the same answer."""
    account = (
        Account.objects.filter(calendar_token=token).first() if CALENDAR_TOKEN.fullmatch(token) else None
    )
    if account is None:
        raise NotFound("no such calendar feed")
    return account


# --- personal access tokens of the REST API -------------------------------------------------------

#: Random bytes of a token's public prefix (``secrets.token_hex``: twice as many hex digits).
API_TOKEN_PREFIX_BYTES = 6
#: Random bytes of a token's secret (256 bits; ``secrets.token_urlsafe``).
API_TOKEN_SECRET_BYTES = 32
#: What a token looks like: ``rb_``, the prefix in lower-case hex, ``_``, the secret (URL-safe
#: base64 without padding, which may itself hold ``_``).
API_TOKEN = re.compile(
    rf"rb_(?P<prefix>[0-9a-f]{{{API_TOKEN_PREFIX_BYTES * 2}}})"
    rf"_[A-Za-z0-9_-]{{{math.ceil(API_TOKEN_SECRET_BYTES * 4 / 3)}}}"
)
#: Every token has exactly this many characters.
API_TOKEN_LENGTH = 3 + API_TOKEN_PREFIX_BYTES * 2 + 1 + math.ceil(API_TOKEN_SECRET_BYTES * 4 / 3)
#: ``last_used_at`` is written at most this often per token.
API_TOKEN_USE_EVERY = timedelta(minutes=1)
#: Compared with when no token has the prefix, so that an unknown prefix costs the same work.
_NO_DIGEST = "0" * 64
#: The largest id a row can have (PostgreSQL's bigint); a larger number names no row.
_LARGEST_ID = 2**63 - 1


def api_token_digest(raw: str) -> str:
    """What is kept of a token: the SHA-256 of the whole of it, in hex."""
    return hashlib.sha256(raw.encode()).hexdigest()


def api_tokens_list(*, account: Account) -> list[ApiToken]:
    """The account's API tokens: the live ones first, then the revoked; newest first in each."""
    tokens = ApiToken.objects.filter(account=account).order_by("-created_at", "-pk")
    return sorted(tokens, key=lambda token: token.revoked_at is not None)


def api_token_get(*, account: Account, token_id: int) -> ApiToken:
    """The account's API token ``token_id``, live or revoked; :class:`NotFound` if it has none
    (another account's token is "no such API token", as one that never was)."""
    token = None
    if not isinstance(token_id, bool) and isinstance(token_id, int) and 0 < token_id <= _LARGEST_ID:
        token = ApiToken.objects.filter(account=account, pk=token_id).first()
    if token is None:
        raise NotFound("no such API token", field="token_id")
    return token


def api_token_authenticate(*, raw: str, now: datetime | None = None) -> ApiToken | None:
    """The live token ``raw`` is, with its ``account`` loaded; None for anything else (one
    malformed, of any length or characters, one never issued, one revoked, a wrong secret):
    it never raises on what a request sends.

    The secret is checked by comparing SHA-256 digests in constant time. The token's
    ``last_used_at`` becomes ``now`` (default: the clock's) when it is empty or more than a minute
    old, by one conditional UPDATE: a busy token is written at most once a minute.
    """
    if not isinstance(raw, str) or len(raw) != API_TOKEN_LENGTH:
        return None
    shape = API_TOKEN.fullmatch(raw)
    if shape is None:
        return None
    token = (
        ApiToken.objects.select_related("account")
        .filter(prefix=shape.group("prefix"), revoked_at__isnull=True)
        .first()
    )
    digest = api_token_digest(raw)
    if not hmac.compare_digest(digest, token.digest if token is not None else _NO_DIGEST) or token is None:
        return None
    moment = now if now is not None else clock.now()
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=moment - API_TOKEN_USE_EVERY)
    if ApiToken.objects.filter(stale, pk=token.pk).update(last_used_at=moment):
        token.last_used_at = moment
    return token
