"""``ringback createuser NAME``: a login and the Ringback account it owns."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from ringback.accounts.commands import ask_new_password, password_problems, username_problem
from ringback.accounts.services import account_create, login_email_set
from ringback.core.errors import RingbackError
from ringback.interface.commands import PlainCommand


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
