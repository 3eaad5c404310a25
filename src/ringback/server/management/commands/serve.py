"""``ringback serve``: the web app on a production WSGI server (waitress).

On a first start with no account it asks for one (in a terminal) or says how to make one. On a
loopback address, with RINGBACK_HTTPS unset, it serves plain HTTP with cookies not marked Secure.
On SQLite it runs the background worker in a thread too (``--no-worker`` to leave it out).
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import sys
import threading
from argparse import BooleanOptionalAction
from collections.abc import Callable
from pathlib import Path
from typing import Any

import waitress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.wsgi import get_wsgi_application
from django.db import connections

from ringback.accounts.commands import ask_new_password, username_problem
from ringback.accounts.models import Account, Membership
from ringback.accounts.passwords import DEMO_PASSWORD, DEMO_USERNAME
from ringback.accounts.selectors import logins_with_published_password
from ringback.accounts.services import account_create
from ringback.core.errors import RingbackError
from ringback.core.scheduling import zone
from ringback.jobs.worker import worker_run

logger = logging.getLogger(__name__)

DEFAULT_ZONE = "America/New_York"


class Command(BaseCommand):
    help = "Serve the Ringback web app with a production WSGI server (waitress)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
        parser.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
        parser.add_argument(
            "--worker",
            action=BooleanOptionalAction,
            default=None,
            help="run background tasks in this process too (default: yes on SQLite, where one "
            "process is the whole of Ringback; on PostgreSQL run `ringback worker` processes)",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="never ask questions (no first-account prompt)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if not Membership.objects.exists():
            interactive = options["interactive"] and sys.stdin.isatty() and sys.stdout.isatty()
            if interactive:
                self.stdout.write("Welcome to Ringback. There is no account yet: let's create yours.")
                try:
                    account = prompt_first_account(say=self.stdout.write)
                except (CommandError, EOFError):
                    account = None
                if account is None:
                    self.stdout.write("No account was created. " + FIRST_ACCOUNT_HINT)
            else:
                self.stdout.write("There is no account yet. " + FIRST_ACCOUNT_HINT)
        if not is_loopback(host) and (published := logins_with_published_password()):
            raise CommandError(published_password_refusal(host, published))
        if note := plain_http_on_loopback(host):
            self.stdout.write(note)

        application = get_wsgi_application()

        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(f"Ringback is running at http://{shown}:{port}/  (Ctrl-C to stop)")
        self.stdout.flush()
        in_process = options["worker"] if options["worker"] is not None else _on_sqlite()
        stop = threading.Event()
        worker = threading.Thread(target=_work, args=(stop,), name="ringback-worker", daemon=True)
        if in_process:
            worker.start()
        try:
            waitress.serve(application, host=host, port=port, threads=options["threads"], ident="ringback")
        finally:
            stop.set()
            if in_process:
                worker.join(timeout=30)


def _on_sqlite() -> bool:
    """Whether the database is the embedded SQLite file (the single-seller default)."""
    return "sqlite" in settings.DATABASES["default"]["ENGINE"]


def _work(stop: threading.Event) -> None:
    """The background worker inside ``serve``: from a second after start until ``stop``."""
    if stop.wait(1.0):
        return
    try:
        worker_run(stop=stop)
    except Exception:
        logger.exception("the background worker stopped")
    finally:
        connections.close_all()


FIRST_ACCOUNT_HINT = (
    "Create one with `ringback createuser NAME` (it asks for a password), "
    "or try the demo with `ringback demo`."
)


def published_password_refusal(host: str, usernames: list[str]) -> str:
    """Why ``serve`` will not listen on ``host``: these logins have the demo's published password."""

    who = f"the login {usernames[0]}" if len(usernames) == 1 else f"the logins {_and(usernames)}"
    has = "has" if len(usernames) == 1 else "have"
    commands = _and([f"`ringback password {name}`" for name in usernames])
    remedy = f"Change {'its password' if len(usernames) == 1 else 'their passwords'} with {commands}"
    if DEMO_USERNAME in usernames:
        remedy += ", or remove the demo account and everything in it with `ringback demo --remove`"
    return (
        f"Ringback will not serve on {host}: {who} still {has} the demo's published password "
        f"({DEMO_PASSWORD}), so anyone who can reach this address could sign in. {remedy}. "
        "Serving on 127.0.0.1 (this computer only, as `make run` does) works as it is."
    )


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.1, ::1, localhost)."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def plain_http_on_loopback(host: str) -> str | None:
    """On a loopback address, with RINGBACK_HTTPS unset, stop marking cookies Secure; say so.

    Browsers talk plain HTTP to ``ringback serve`` on the same machine, and some (and Python's
    urllib) drop Secure cookies over HTTP, which would make signing in impossible. Anywhere else,
    or with RINGBACK_HTTPS=1 (a TLS proxy in front), cookies stay Secure.
    """
    if getattr(settings, "RINGBACK_HTTPS", None) is not None or settings.DEBUG or not is_loopback(host):
        return None
    if not (settings.SESSION_COOKIE_SECURE or settings.CSRF_COOKIE_SECURE):
        return None
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return (
        "Serving plain HTTP on this computer only, so cookies are not marked Secure. "
        "Behind an HTTPS proxy, set RINGBACK_HTTPS=1."
    )


def system_zone() -> str:
    """This computer's IANA time zone, when it can be told (not UTC); else America/New_York."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    try:
        target = str(Path("/etc/localtime").resolve())
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if name and "/" in name and not name.startswith("Etc/"):
            try:
                zone(name)
            except RingbackError:
                continue
            return name
    return DEFAULT_ZONE


def prompt_first_account(
    *,
    ask: Callable[[str], str] = input,
    ask_secret: Callable[[str], str] | None = None,
    say: Callable[[str], None],
) -> Account | None:
    """Ask for the first account (user name, password twice, name, time zone) and create it.

    Returns None when the user name is left empty (the seller skips it). Raises CommandError
    after too many refused answers.
    """
    default_user = (os.environ.get("USER") or "").strip()
    for _ in range(3):
        suffix = f" [{default_user}]" if default_user and not username_problem(default_user) else ""
        username = ask(f"User name to sign in with{suffix} (Enter to skip): ").strip()
        if not username and suffix:
            username = default_user
        if not username:
            return None
        if problem := username_problem(username):
            say(f"{problem[0].upper()}{problem[1:]}.")
            continue
        break
    else:
        raise CommandError("no user name was accepted; nothing was created")
    password = ask_new_password(username, ask_secret=ask_secret, say=say)
    seller_name = ask("Your name, as your scripts say it (e.g. Sally Carter): ").strip()
    guess = system_zone()
    for _ in range(3):
        time_zone = ask(f"Your time zone [{guess}]: ").strip() or guess
        try:
            zone(time_zone)
        except RingbackError as exc:
            say(f"{exc.message[0].upper()}{exc.message[1:]}.")
            continue
        break
    else:
        raise CommandError("no time zone was accepted; nothing was created")
    try:
        account = account_create(
            username=username, password=password, seller_name=seller_name, time_zone=time_zone
        )
    except RingbackError as exc:
        raise CommandError(exc.message) from None
    say(f"Created your account. Sign in as {username}; change your details any time on the Settings page.")
    return account
