"""Test helpers: fire one request or one command many times at once, as a double tap or twenty
tabs would, each in its own thread with its own database connection."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.test import Client

from ringback.accounts.models import Account

#: How many requests or commands the tests send at once.
PARALLEL = 20

T = TypeVar("T")


def at_once(count: int, action: Callable[[int], T]) -> list[T]:
    """Run ``action(0)`` ... ``action(count - 1)`` in threads released together; their results.

    Each thread closes its database connections when done. An exception in a thread fails the
    test with that exception (after every thread has finished).
    """
    start = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            start.wait(timeout=60)
            results[index] = action(index)
        except Exception as exc:  # noqa: BLE001 - re-raised in the test thread below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a thread is still running after five minutes"
    if errors:
        raise errors[0]
    return results


def tabs(account: Account, count: int = PARALLEL, *, htmx: bool = False) -> list[Client]:
    """``count`` browser tabs of one signed-in seller (one session, one cookie)."""
    first = Client()
    first.force_login(account.memberships.get().user)
    session = first.cookies[settings.SESSION_COOKIE_NAME].value
    headers = {"HX-Request": "true"} if htmx else {}
    clients = []
    for _ in range(count):
        client = Client(headers=headers)
        client.cookies[settings.SESSION_COOKIE_NAME] = session
        clients.append(client)
    return clients


_FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S)


def token_in(html: str, action: str) -> str:
    """The submission token of the form that posts to ``action`` on a page."""
    for form in _FORM.findall(html):
        if f'action="{action}"' in form:
            found = re.search(r'name="submission_token" value="([^"]+)"', form)
            assert found, f"the form posting to {action} has no submission token:\n{form}"
            return found.group(1)
    raise AssertionError(f"no form posts to {action}")


@dataclass(frozen=True)
class Run:
    """What one ``ringback`` command run printed, and its exit code."""

    code: int
    out: str
    err: str


def ringback(*args: str) -> Run:
    """Run one ``ringback`` command in this thread, as the console script would (exit code 1
    and ``error: ...`` on standard error for a refused change)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        return Run(int(exc.code or 0), out.getvalue(), err.getvalue())
    return Run(0, out.getvalue(), err.getvalue())
