"""Reads about accounts."""

from __future__ import annotations

import math
import re
from dataclasses import fields
from typing import Protocol

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password

from ringback.accounts.models import Account, Membership, Vacation
from ringback.accounts.passwords import PUBLISHED_PASSWORDS
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
