"""``ringback createuser NAME``: a login and the Ringback account it owns."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from ringback.accounts.services import account_create, login_email_set, password_check
from ringback.console.base import PlainCommand
from ringback.core.errors import RingbackError, WeakPassword

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


class Command(PlainCommand):
    help = (
        "Create a login and the Ringback account it owns (with the built-in playbooks). "
        "Asks for the password, or reads it from standard input with --password-stdin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the user name to sign in with")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input (for scripts)",
        )
        parser.add_argument("--seller-name", default="", help="your name, as scripts say it")
        parser.add_argument(
            "--time-zone", default="America/New_York", help="your time zone (default America/New_York)"
        )
        parser.add_argument("--email", default="", help="where password-reset links go")
        parser.add_argument("--phone", default="", help="your callback number")
        parser.add_argument("--business", default="", help="your business name")
        parser.add_argument("--region", default="US", help="default country of phone numbers (US)")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        if problem := username_problem(username):
            raise CommandError(problem)
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
            if problems := password_problems(password, username):
                raise CommandError(" ".join(problems))
        elif sys.stdin.isatty():
            password = ask_new_password(username, say=self.stdout.write)
        else:
            raise CommandError(
                "no terminal to ask for the password: pass it on standard input with --password-stdin"
            )
        try:
            with transaction.atomic():
                account = account_create(
                    username=username,
                    password=password,
                    seller_name=options["seller_name"].strip(),
                    seller_phone=options["phone"].strip(),
                    business_name=options["business"].strip(),
                    time_zone=options["time_zone"].strip(),
                    default_region=options["region"].strip(),
                )
                if options["email"].strip():
                    login_email_set(user=account.memberships.get().user, email=options["email"])
        except RingbackError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"Created the account of {account.seller_name or username} ({account.time_zone}). "
            f"Start the app with `ringback serve` and sign in as {username}."
        )
