"""``ringback password NAME``: give a login a new password, under the same rules as the web."""

from __future__ import annotations

import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser

from ringback.accounts.commands import ask_new_password
from ringback.accounts.services import login_password_set
from ringback.core.errors import RingbackError
from ringback.interface.commands import PlainCommand


class Command(PlainCommand):
    help = (
        "Set a new password for a login (the password rules of the web apply). Asks for it twice "
        "in a terminal, or reads it from standard input with --password-stdin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the user name the login signs in with")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the new password from the first line of standard input (for scripts)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            known = list(
                get_user_model().objects.order_by("username").values_list("username", flat=True)[:20]
            )
            hint = f" (users: {', '.join(known)})" if known else ""
            raise CommandError(f"no user called {username!r}{hint}")
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\r\n")
        elif sys.stdin.isatty():
            password = ask_new_password(username, say=self.stdout.write, user=user)
        else:
            raise CommandError(
                "no terminal to ask for the password: pass it on standard input with --password-stdin"
            )
        try:
            login_password_set(user=user, password=password)
        except RingbackError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"Changed the password of {username}.")
