"""Writes about accounts: creating one (with its built-in playbooks), settings, vacations."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction

from ringback.accounts.choices import Role
from ringback.accounts.models import Account, Membership, Vacation
from ringback.core import clock
from ringback.core.errors import AccountError, InvalidInput
from ringback.core.scheduling import zone


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
    """Create a user and the account it owns, with the built-in playbooks installed."""
    from ringback.playbooks.services import playbooks_install_builtins

    User = get_user_model()
    if not username.strip():
        raise AccountError("a user name is required")
    if User.objects.filter(username=username).exists():
        raise AccountError(f"the user {username!r} already exists")
    zone(time_zone)
    now = clock.now()
    user = User(username=username)
    if password:
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
        created_at=now,
    )
    Membership.objects.create(user=user, account=account, role=Role.OWNER)
    playbooks_install_builtins(account=account)
    return account


@transaction.atomic
def vacation_add(*, account: Account, first_day: date, last_day: date) -> Vacation:
    """Record a vacation and re-plan every active step that falls inside it to after it."""
    from ringback.playbooks.services import enrollments_replan_for_vacation

    if last_day < first_day:
        raise InvalidInput(f"the vacation ends ({last_day}) before it starts ({first_day})")
    vacation = Vacation.objects.create(
        account=account, first_day=first_day, last_day=last_day, created_at=clock.now()
    )
    enrollments_replan_for_vacation(account=account, vacation=vacation)
    return vacation
