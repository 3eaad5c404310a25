"""Writes about accounts: creating one (with its built-in playbooks), settings, vacations, the
calendar feed's secret, the mailbox replies are read from, and the REST API's access tokens."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, time

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from ringback.accounts.choices import MailboxSecurity, Role, TokenScope
from ringback.accounts.models import Account, ApiToken, Mailbox, Membership, Vacation
from ringback.accounts.selectors import (
    API_TOKEN_PREFIX_BYTES,
    API_TOKEN_SECRET_BYTES,
    CALENDAR_TOKEN_BYTES,
    COST_NAMES,
    account_row_check,
    api_token_digest,
    api_token_get,
)
from ringback.accounts.signals import account_created, vacation_added
from ringback.config import ringback_setting
from ringback.core import clock
from ringback.core.errors import AccountError, InvalidInput, VacationOverlap, WeakPassword
from ringback.core.phones import require_phone
from ringback.core.scheduling import check_zone
from ringback.core.workweek import parse_weekdays, weekdays_text

#: The largest values of the account's whole-number settings (as the settings form allows).
SETTING_MAXIMUM = {
    "daily_call_capacity": 1000,
    "suppress_days": clock.MAX_DAYS,
    "minutes_per_day": 24 * 60,
    "mail_lead_days": 60,
    "email_daily_cap": 10_000,
}

#: The longest postal address kept (its column has no limit of its own).
POSTAL_ADDRESS_MAX = 1000


def _check_text(values: Mapping[str, object]) -> None:
    """Each text value fits its column: a longer one is refused here with the field's name,
    where PostgreSQL would fail and SQLite would keep it."""
    for key, value in values.items():
        if not isinstance(value, str):
            continue
        column = Account._meta.get_field(key)
        limit = POSTAL_ADDRESS_MAX if key == "postal_address" else getattr(column, "max_length", None)
        if limit is not None and len(value) > limit:
            raise InvalidInput(
                f"{key.replace('_', ' ')} is longer than {limit:,} characters (it has {len(value):,})",
                field=key,
            )


@transaction.atomic
def account_create(
    *,
    username: str,
    password: str | None,
    name: str = "",
    seller_name: str = "",
    seller_phone: str = "",
    business_name: str = "",
    time_zone: str = "America/New_York",
    default_region: str = "US",
) -> Account:
    """Create a user and the account it owns; the apps above set it up (the built-in playbooks)
    when it is announced (:data:`~ringback.accounts.signals.account_created`).

    A password must pass the password validators (WeakPassword says why not); None makes a login
    that cannot sign in until a password is set.
    """
    User = get_user_model()
    if not username.strip():
        raise AccountError("a user name is required")
    if User.objects.filter(username=username).exists():
        raise AccountError(f"the user {username!r} already exists")
    time_zone = check_zone(time_zone)
    _check_text(
        {"name": name or seller_name or username, "seller_name": seller_name, "business_name": business_name}
    )
    if seller_phone:
        seller_phone = require_phone(seller_phone, default_region).number
    now = clock.now()
    user = User(username=username)
    if password:
        password_check(password=password, user=user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    account = Account.objects.create(
        name=name or seller_name or username,
        seller_name=seller_name,
        seller_phone=seller_phone,
        business_name=business_name,
        time_zone=time_zone,
        default_region=default_region.upper(),
        daily_call_capacity=ringback_setting("DAILY_CALL_CAPACITY"),
        new_per_callback=ringback_setting("NEW_PER_CALLBACK"),
        suppress_days=ringback_setting("SUPPRESS_NOT_INTERESTED_DAYS"),
        created_at=now,
    )
    Membership.objects.create(user=user, account=account, role=Role.OWNER)
    account_created.send(sender=Account, account=account)
    return account


def account_lock(*, account: Account) -> Account:
    """Lock the account's row until the transaction ends.

    Rules about the account's rows as a whole (vacations don't overlap, one contact per number)
    are checked under this lock, so two requests at once run one after the other and the second
    sees what the first stored. Take it before any contact or enrollment lock.
    """
    Account.objects.select_for_update().filter(pk=account.pk).values_list("pk", flat=True).get()
    return account


def _days(first: date, last: date) -> str:
    if first == last:
        return f"{first:%a %d %b %Y}"
    return f"{first:%a %d %b} – {last:%a %d %b %Y}"


@dataclass(frozen=True, slots=True)
class VacationAdded:
    """A vacation just recorded, and how many planned steps moved out of it."""

    vacation: Vacation
    moved: int


@transaction.atomic
def vacation_add(*, account: Account, first_day: date, last_day: date) -> VacationAdded:
    """Record a vacation; every active step planned inside it moves to after it (the playbooks
    app does that when it is announced, :data:`~ringback.accounts.signals.vacation_added`).

    Days that overlap a vacation already recorded raise :class:`VacationOverlap` and change
    nothing (checked under a lock of the account, so two at once save one).
    """
    clock.check_day(first_day, what="the vacation's first day", field="first_day")
    clock.check_day(last_day, what="the vacation's last day", field="last_day")
    if last_day < first_day:
        raise InvalidInput(f"the vacation ends ({last_day}) before it starts ({first_day})", field="last_day")
    account_lock(account=account)
    clash = (
        Vacation.objects.filter(account=account, first_day__lte=last_day, last_day__gte=first_day)
        .order_by("first_day", "pk")
        .first()
    )
    if clash is not None:
        span = _days(clash.first_day, clash.last_day)
        if (clash.first_day, clash.last_day) == (first_day, last_day):
            raise VacationOverlap(f"you already have this vacation ({span})")
        raise VacationOverlap(f"these days overlap your vacation {span}: remove it first, or pick other days")
    vacation = Vacation.objects.create(
        account=account, first_day=first_day, last_day=last_day, created_at=clock.now()
    )
    answers: list[tuple[object, object]] = list(
        vacation_added.send(sender=Vacation, account=account, vacation=vacation)
    )
    return VacationAdded(vacation, sum(moved for _, moved in answers if isinstance(moved, int)))


#: Account fields a seller may change, with how each is checked.
EDITABLE = (
    "name",
    "seller_name",
    "seller_phone",
    "business_name",
    "postal_address",
    "time_zone",
    "default_region",
    "calling_start",
    "calling_end",
    "daily_call_capacity",
    "new_per_callback",
    "suppress_days",
    "working_days",
    "minutes_per_day",
    "item_minutes",
    "mail_lead_days",
    "email_daily_cap",
    "email_from",
)

#: The longest a seller may say one agenda item takes, in minutes.
ITEM_MINUTES_MAX = 240


def _check_item_minutes(value: object) -> dict[str, float]:
    """The seller's own estimates: known item names, each a number of minutes from 0 to 240."""
    if not isinstance(value, Mapping):
        raise InvalidInput("item minutes must be a mapping of item to minutes", field="item_minutes")
    out: dict[str, float] = {}
    for name, minutes in value.items():
        if name not in COST_NAMES:
            raise InvalidInput(
                f"item minutes: {name!r} is not one of {', '.join(COST_NAMES)}", field="item_minutes"
            )
        if (
            isinstance(minutes, bool)
            or not isinstance(minutes, (int, float))
            or not 0 <= minutes <= ITEM_MINUTES_MAX
        ):
            raise InvalidInput(
                f"item minutes: {name} must be a number of minutes from 0 to {ITEM_MINUTES_MAX}",
                field="item_minutes",
            )
        out[str(name)] = float(minutes)
    return out


def _check_email_from(value: object) -> str:
    address = str(value).strip()
    if address:
        try:
            validate_email(address)
        except ValidationError:
            raise InvalidInput(
                f"{address!r} is not an email address (write e.g. sally@example.com)", field="email_from"
            ) from None
    return address


def _check_region(value: object) -> str:
    region = str(value).upper()
    if len(region) != 2 or not region.isalpha():
        raise InvalidInput(f"region {value!r} is not a two-letter country code", field="default_region")
    return region


def _check_ratio(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 10:
        raise InvalidInput(
            "new prospects per callback must be a number from 0 to 10", field="new_per_callback"
        )
    return value


#: How each setting that needs more than its column's check is read (a clean value, or an error).
_CHECKS: dict[str, Callable[[object], object]] = {
    "time_zone": lambda value: check_zone(str(value), field="time_zone"),
    "default_region": _check_region,
    "working_days": lambda value: weekdays_text(parse_weekdays(str(value))),
    "item_minutes": _check_item_minutes,
    "new_per_callback": _check_ratio,
    "email_from": _check_email_from,
}


def _check_whole_numbers(values: Mapping[str, object]) -> None:
    for key, maximum in SETTING_MAXIMUM.items():
        value = values.get(key)
        if key in values and (
            isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum
        ):
            raise InvalidInput(
                f"{key.replace('_', ' ')} must be a whole number from 0 to {maximum:,}", field=key
            )


def _check_hours(account: Account, values: Mapping[str, object]) -> None:
    start = values.get("calling_start", account.calling_start)
    end = values.get("calling_end", account.calling_end)
    if not isinstance(start, time) or not isinstance(end, time) or end <= start:
        raise InvalidInput(
            f"calling hours {start}-{end}: the end must come after the start", field="calling_end"
        )


@transaction.atomic
def account_update(*, account: Account, **changes: object) -> Account:
    """Change the seller's profile and settings; every value is checked before any is saved.

    A bad value raises :class:`InvalidInput` naming its ``field``, and nothing is changed.
    """
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise InvalidInput(f"unknown account setting(s): {', '.join(sorted(unknown))}")
    values = dict(changes)
    _check_text(values)
    for key, check in _CHECKS.items():
        if key in values:
            values[key] = check(values[key])
    if values.get("seller_phone"):
        region = str(values.get("default_region", account.default_region))
        values["seller_phone"] = require_phone(
            str(values["seller_phone"]), region, field="seller_phone"
        ).number
    _check_hours(account, values)
    _check_whole_numbers(values)
    for key, value in values.items():
        setattr(account, key, value)
    account.save(update_fields=list(values))
    return account


@transaction.atomic
def vacation_remove(*, account: Account, vacation: Vacation) -> None:
    """Forget a vacation. Steps it moved stay where they are; new plans may use those days again."""
    account_row_check(account=account, row=vacation, what="vacation")
    vacation.delete()


def login_email_set(*, user: AbstractBaseUser, email: str) -> None:
    """Set the email address a login's password-reset link is sent to ('' for none)."""

    User = get_user_model()
    email = User.objects.normalize_email(email.strip())
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(f"{email!r} is not an email address (write e.g. sally@example.com)") from None
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise InvalidInput(f"another login already uses {email}")
    setattr(user, User.get_email_field_name(), email)
    user.save(update_fields=[User.get_email_field_name()])


def password_check(*, password: str, user: AbstractBaseUser) -> None:
    """Raise WeakPassword, with what each validator says, unless ``password`` suits ``user``."""

    try:
        password_validation.validate_password(password, user)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise WeakPassword(exc.messages) from None


def login_password_set(*, user: AbstractBaseUser, password: str) -> None:
    """Give a login a new password once the validators accept it (WeakPassword says why not)."""
    password_check(password=password, user=user)
    user.set_password(password)
    user.save(update_fields=["password"])


def account_replanned_on(*, account: Account, day: date) -> Account:
    """Record that long-overdue steps were re-planned on ``day`` (the seller's day)."""
    Account.objects.filter(pk=account.pk).update(overdue_replanned_on=day)
    account.overdue_replanned_on = day
    return account


def _calendar_token_locked(account: Account) -> str | None:
    """The feed's secret as stored now (read under the account's lock, not the caller's copy)."""
    token: str | None = Account.objects.filter(pk=account.pk).values_list("calendar_token", flat=True).get()
    return token


def _calendar_token_set(account: Account, token: str | None) -> None:
    Account.objects.filter(pk=account.pk).update(calendar_token=token)
    account.calendar_token = token


@transaction.atomic
def account_calendar_on(*, account: Account) -> str:
    """Turn the calendar feed on: the secret of its address, made now if the account has none,
    else the one it has (two requests at once, under the account's lock, get the same one)."""
    account_lock(account=account)
    token = _calendar_token_locked(account)
    if token is None:
        token = secrets.token_urlsafe(CALENDAR_TOKEN_BYTES)
        _calendar_token_set(account, token)
    account.calendar_token = token
    return token


@transaction.atomic
def account_calendar_reset(*, account: Account) -> str:
    """Give the calendar feed a new secret (turning it on if it was off) and return it: the old
    address stops working at once, and calendars subscribed to it must subscribe to the new one.
    Two at once run one after the other (the account's lock): the last one's secret is kept."""
    account_lock(account=account)
    token = secrets.token_urlsafe(CALENDAR_TOKEN_BYTES)
    _calendar_token_set(account, token)
    return token


@transaction.atomic
def account_calendar_off(*, account: Account) -> bool:
    """Turn the calendar feed off: its address stops working at once. Returns whether it was on."""
    account_lock(account=account)
    was_on = _calendar_token_locked(account) is not None
    _calendar_token_set(account, None)
    return was_on


# --- the mailbox replies are read from ------------------------------------------------------------

_HOST = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[[0-9A-Fa-f:.]+\]$")


@transaction.atomic
def mailbox_set(
    *,
    account: Account,
    host: str,
    username: str,
    password: str | None = None,
    port: int | None = None,
    security: str = MailboxSecurity.SSL,
    folder: str = "INBOX",
) -> Mailbox:
    """Read replies from this IMAP mailbox (a new one starts from the messages arriving from now
    on: what is already there is not read). ``password`` None keeps the one stored. Each value
    is checked first (:class:`InvalidInput` naming its field) and nothing is saved on a bad one."""
    host = host.strip()
    if not _HOST.match(host):
        raise InvalidInput(f"{host!r} is not a server name (write e.g. imap.gmail.com)", field="host")
    if security not in MailboxSecurity.values:
        raise InvalidInput(f"security must be one of {', '.join(MailboxSecurity.values)}", field="security")
    port = port if port is not None else (993 if security == MailboxSecurity.SSL else 143)
    if isinstance(port, bool) or not 1 <= port <= 65535:
        raise InvalidInput("the port must be a number from 1 to 65535", field="port")
    username = username.strip()
    if not username or len(username) > 255:
        raise InvalidInput("the user name is empty or longer than 255 characters", field="username")
    folder = folder.strip() or "INBOX"
    if len(folder) > 200 or any(not c.isprintable() for c in folder):
        raise InvalidInput("the folder name is not one a mailbox can have", field="folder")
    account_lock(account=account)
    mailbox = Mailbox.objects.filter(account=account).first()
    if mailbox is None and not password:
        raise InvalidInput("the password (or app password) is missing", field="password")
    if password is not None and len(password) > 500:
        raise InvalidInput("the password is longer than 500 characters", field="password")
    same_place = mailbox is not None and (mailbox.host, mailbox.username, mailbox.folder) == (
        host,
        username,
        folder,
    )
    if mailbox is None:
        mailbox = Mailbox(account=account, created_at=clock.now())
    mailbox.host, mailbox.port, mailbox.security = host, port, security
    mailbox.username, mailbox.folder, mailbox.enabled = username, folder, True
    if password:
        mailbox.password = password
    if not same_place:
        mailbox.uidvalidity, mailbox.last_uid = None, 0
    mailbox.error, mailbox.error_at = "", None
    mailbox.save()
    return mailbox


def mailbox_off(*, account: Account) -> bool:
    """Stop reading the account's mailbox and forget its password; whether one was set."""
    deleted, _ = Mailbox.objects.filter(account=account).delete()
    return deleted > 0


def mailbox_checked(*, mailbox: Mailbox, error: str = "") -> None:
    """Record a check of the mailbox: when, and what went wrong ("" : it worked)."""
    now = clock.now()
    changes: dict[str, object] = {"checked_at": now, "error": error[:500]}
    if error:
        changes["error_at"] = now
    Mailbox.objects.filter(pk=mailbox.pk).update(**changes)
    for key, value in changes.items():
        setattr(mailbox, key, value)


def mailbox_start(*, mailbox: Mailbox, uidvalidity: int, next_uid: int) -> bool:
    """Begin reading a mailbox (or a folder whose UIDVALIDITY changed) at the messages from
    ``next_uid`` on, if nobody did meanwhile; whether this call did."""
    moved = Mailbox.objects.filter(pk=mailbox.pk, uidvalidity=mailbox.uidvalidity).update(
        uidvalidity=uidvalidity, last_uid=max(next_uid - 1, 0)
    )
    if moved:
        mailbox.uidvalidity, mailbox.last_uid = uidvalidity, max(next_uid - 1, 0)
    return moved == 1


def mailbox_read_to(*, mailbox: Mailbox, uidvalidity: int, uid: int) -> None:
    """Record that the messages up to ``uid`` were read (never moves back)."""
    Mailbox.objects.filter(pk=mailbox.pk, uidvalidity=uidvalidity, last_uid__lt=uid).update(last_uid=uid)
    mailbox.last_uid = max(mailbox.last_uid, uid)


# --- personal access tokens of the REST API -------------------------------------------------------

#: The longest name a token may have.
API_TOKEN_NAME_MAX = 100


def _api_token_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise InvalidInput("a token needs a name: what will use it (e.g. 'Zapier')", field="name")
    if len(name) > API_TOKEN_NAME_MAX:
        raise InvalidInput(
            f"a token's name has at most {API_TOKEN_NAME_MAX} characters (this one has {len(name):,})",
            field="name",
        )
    if "\x00" in name:
        raise InvalidInput("a token's name cannot hold a NUL character", field="name")
    return name


@transaction.atomic
def api_token_create(
    *, account: Account, user: AbstractBaseUser | None, name: str, scope: str
) -> tuple[ApiToken, str]:
    """Make a personal access token of the REST API for ``account``, made by ``user`` (one of the
    account's logins, or None); returns the row and the token itself, ``rb_<prefix>_<secret>``.

    The token is never stored (only its prefix and the SHA-256 of the whole), so this is the one
    time it can be shown. The name is stripped, required, at most 100 characters, and no other
    live token of the account has it (checked under the account's lock: two at once make one);
    :class:`InvalidInput` says which with ``field`` "name", or "scope" for a scope other than
    ``read`` and ``read-write``, and nothing is made.
    """
    name = _api_token_name(name)
    if scope not in TokenScope.values:
        raise InvalidInput(
            f"{scope!r} is not a token scope (use {' or '.join(TokenScope.values)})", field="scope"
        )
    if user is not None and not Membership.objects.filter(user_id=user.pk, account=account).exists():
        raise AccountError("this login does not act for this account", field="user")
    account_lock(account=account)
    if ApiToken.objects.filter(account=account, name=name, revoked_at__isnull=True).exists():
        raise InvalidInput(
            f"you already have a token called {name!r}: revoke it first, or give this one another name",
            field="name",
        )
    prefix = secrets.token_hex(API_TOKEN_PREFIX_BYTES)
    while ApiToken.objects.filter(prefix=prefix).exists():  # 48 bits: a clash is a curiosity
        prefix = secrets.token_hex(API_TOKEN_PREFIX_BYTES)
    raw = f"rb_{prefix}_{secrets.token_urlsafe(API_TOKEN_SECRET_BYTES)}"
    token = ApiToken.objects.create(
        account=account,
        created_by_id=user.pk if user is not None else None,
        name=name,
        scope=TokenScope(scope),
        prefix=prefix,
        digest=api_token_digest(raw),
        created_at=clock.now(),
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, account: Account, token_id: int) -> ApiToken:
    """Revoke the account's API token ``token_id``: from now on it lets nothing in. The row stays
    (listed as revoked, with when). Revoking a revoked token leaves it as it was (the first
    revocation's time is kept, also when two happen at once). Another account's token, or an id
    that names none, is :class:`NotFound`."""
    token = api_token_get(account=account, token_id=token_id)
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=clock.now())
        token.refresh_from_db(fields=["revoked_at"])
    return token
