"""What the account's commands share: the base of every command that acts for an account
(``--user``), and asking for a new login's name and password at a terminal."""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from ringback.accounts.models import Account, Membership
from ringback.accounts.selectors import account_for_user
from ringback.accounts.services import account_create, password_check
from ringback.core.errors import AccountError, WeakPassword
from ringback.interface.commands import RingbackCommand

#: How many times a prompt asks again after a refused answer.
ATTEMPTS = 3


def password_problems(password: str, username: str, user: Any = None) -> list[str]:
    """What the password validators say about ``password`` for ``user`` (a new ``username``)."""
    try:
        password_check(password=password, user=user or get_user_model()(username=username))
    except WeakPassword as exc:
        return exc.problems
    return []


def username_problem(username: str) -> str | None:
    """Why ``username`` cannot be a new login, or None."""
    User = get_user_model()
    if not username:
        return "a user name is required"
    try:
        User.username_validator(username)
    except ValidationError:
        return f"{username!r}: use only letters, digits and @ . + - _ (no spaces)"
    if len(username) > 150:
        return "a user name has at most 150 characters"
    if User.objects.filter(username=username).exists():
        return f"the user {username!r} already exists"
    return None


def ask_new_password(
    username: str,
    *,
    ask_secret: Callable[[str], str] | None = None,
    say: Callable[[str], None],
    user: Any = None,
) -> str:
    """Ask for a password twice until it is acceptable; raise CommandError after a few tries."""
    ask_secret = ask_secret or getpass.getpass
    for _ in range(ATTEMPTS):
        password = ask_secret("Password: ")
        problems = password_problems(password, username, user)
        if problems:
            say(" ".join(problems) + " Try another.")
            continue
        if ask_secret("Password (again): ") != password:
            say("The two passwords differ. Try again.")
            continue
        return password
    raise CommandError("no password was set; nothing was created")


class AccountCommand(RingbackCommand):
    """A command acting for one account: ``--user``, else ``RINGBACK_USER``, else the only one."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--user",
            help="act for this user's account (default: RINGBACK_USER, or the only account)",
        )
        super().add_arguments(parser)

    def account(self, options: dict[str, Any]) -> Account:
        """The account this run acts for (created on an empty database)."""
        username = options.get("user") or os.environ.get("RINGBACK_USER")
        if username:
            return account_for_user(username=username)
        memberships = list(Membership.objects.select_related("account", "user").order_by("account_id")[:2])
        accounts = {m.account_id: m.account for m in memberships}
        if len(accounts) == 1:
            return next(iter(accounts.values()))
        if not memberships:
            return self._create_owner()
        names = ", ".join(
            Membership.objects.order_by("user__username").values_list("user__username", flat=True)
        )
        raise AccountError(f"several accounts exist; choose one with --user or RINGBACK_USER ({names})")

    def _create_owner(self) -> Account:
        name = os.environ.get("USER") or "owner"
        password = None
        if sys.stdin.isatty():
            self.stdout.write(f"No account yet: creating the owner account {name!r}.")
            try:
                password = ask_new_password(name, say=self.stdout.write)
            except CommandError as exc:
                raise AccountError(str(exc)) from None
        account = account_create(username=name, password=password or None)
        if not password:
            self.stderr.write(
                f"Created the owner account {name!r}; set its password with: ringback password {name}"
            )
        return account
