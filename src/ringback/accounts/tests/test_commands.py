"""`ringback createuser` and the first-start prompt of `ringback serve`."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from pytest_django import Settings

from ringback.accounts.models import Account, Membership
from ringback.accounts.tests.conftest import make_account
from ringback.playbooks.models import Playbook
from ringback.server.management.commands import serve as serve_command
from ringback.server.management.commands.serve import prompt_first_account

pytestmark = pytest.mark.django_db
GOOD = "correct-horse-battery"


class Terminal(io.StringIO):
    """Standard input that looks like a terminal."""

    def isatty(self) -> bool:
        return True


def answers(*replies: str) -> Callable[[str], str]:
    """A fake ``input``/``getpass``: returns ``replies`` in order and records the prompts."""
    queue: Iterator[str] = iter(replies)

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return next(queue)

    asked: list[str] = []
    ask.asked = asked  # type: ignore[attr-defined]
    return ask


def createuser(
    *args: str, stdin: io.StringIO | None = None, monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", stdin or io.StringIO(""))
    try:
        call_command("createuser", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def account_of(username: str) -> Account:
    return Membership.objects.select_related("account").get(user__username=username).account


# --- createuser -----------------------------------------------------------------------------------


def test_createuser_with_password_on_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = createuser(
        "sally",
        "--password-stdin",
        "--seller-name",
        "Sally Carter",
        "--time-zone",
        "America/Chicago",
        "--email",
        "sally@example.com",
        "--phone",
        "312-555-0142",
        stdin=io.StringIO(GOOD + "\n"),
        monkeypatch=monkeypatch,
    )
    assert code == 0, err
    assert "Created the account of Sally Carter (America/Chicago)" in out and "ringback serve" in out
    account = account_of("sally")
    assert (account.seller_name, account.time_zone, account.seller_phone) == (
        "Sally Carter",
        "America/Chicago",
        "+13125550142",
    )
    user = get_user_model().objects.get(username="sally")
    assert user.check_password(GOOD) and user.email == "sally@example.com"
    assert Playbook.objects.filter(account=account, is_builtin=True).exists()


def test_createuser_asks_for_the_password_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    secret = answers("short", GOOD, "typo", GOOD, GOOD)
    monkeypatch.setattr("getpass.getpass", secret)
    code, out, err = createuser("sally", stdin=Terminal(), monkeypatch=monkeypatch)
    assert code == 0, err
    assert "too short" in out and "The two passwords differ" in out
    assert get_user_model().objects.get(username="sally").check_password(GOOD)


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ("sally",),
            "",
            "no terminal to ask for the password: pass it on standard input with --password-stdin",
        ),
        (("sally", "--password-stdin"), "abc\n", "too short"),
        (("sally", "--password-stdin"), "password\n", "too common"),
        (("sally", "--password-stdin", "--time-zone", "Mars/Base"), GOOD, "unknown time zone 'Mars/Base'"),
        (("sally", "--password-stdin", "--phone", "12"), GOOD, "is not a phone number"),
        (("sally", "--password-stdin", "--email", "nope"), GOOD, "is not an email address"),
        (("two words", "--password-stdin"), GOOD, "use only letters, digits"),
    ],
)
def test_createuser_refusals_create_nothing(
    monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], stdin: str, message: str
) -> None:
    code, _, err = createuser(*args, stdin=io.StringIO(stdin), monkeypatch=monkeypatch)
    assert code == 1
    assert err.startswith("error: ") and message in err
    assert not get_user_model().objects.exists() and not Account.objects.exists()


def test_createuser_refuses_a_taken_name(monkeypatch: pytest.MonkeyPatch) -> None:
    make_account("sally")
    code, _, err = createuser("sally", "--password-stdin", stdin=io.StringIO(GOOD), monkeypatch=monkeypatch)
    assert code == 1 and "the user 'sally' already exists" in err
    assert Account.objects.count() == 1


# --- serve's first start ----------------------------------------------------------------------------


def test_first_start_prompt_creates_the_account(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER", "sally")
    said: list[str] = []
    ask = answers("", "Sally Carter", "Europe/Nowhere", "America/Denver")
    secret = answers(GOOD, GOOD)
    account = prompt_first_account(ask=ask, ask_secret=secret, say=said.append)
    assert account is not None and account == account_of("sally")
    assert (account.seller_name, account.time_zone) == ("Sally Carter", "America/Denver")
    assert ask.asked[0] == "User name to sign in with [sally] (Enter to skip): "  # type: ignore[attr-defined]
    assert any("Unknown time zone 'Europe/Nowhere'" in line for line in said)
    assert "Sign in as sally" in said[-1]
    assert get_user_model().objects.get(username="sally").check_password(GOOD)


def test_first_start_prompt_asks_again_after_a_bad_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("USER", raising=False)
    make_account("taken")
    said: list[str] = []
    ask = answers("taken", "new seller", "newseller", "", "")
    secret = answers("qz", GOOD, "other-password-x", GOOD, GOOD)
    account = prompt_first_account(ask=ask, ask_secret=secret, say=said.append)
    assert account is not None and account == account_of("newseller")
    assert said[:4] == [
        "The user 'taken' already exists.",
        "'new seller': use only letters, digits and @ . + - _ (no spaces).",
        "This password is too short. It must contain at least 10 characters. Try another.",
        "The two passwords differ. Try again.",
    ]


def test_first_start_prompt_can_be_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("USER", raising=False)
    assert prompt_first_account(ask=answers(""), ask_secret=answers(), say=print) is None
    assert not Account.objects.exists()


def test_first_start_prompt_gives_up_after_three_bad_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(CommandError, match="nothing was created"):
        prompt_first_account(ask=answers("sally"), ask_secret=answers("a", "b", "c"), say=lambda _: None)
    assert not Account.objects.exists()


def run_serve(monkeypatch: pytest.MonkeyPatch, settings: Settings, stdin: io.StringIO, *args: str) -> str:
    # Through the settings fixture, so that what serve changes is undone after the test.
    settings.RINGBACK_HTTPS = None
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    served: list[dict[str, Any]] = []
    monkeypatch.setattr("waitress.serve", lambda app, **kw: served.append(kw))
    monkeypatch.setattr(sys, "stdin", stdin)
    out = io.StringIO()
    call_command("serve", "--port", "8123", *args, stdout=out)
    assert served and served[0]["port"] == 8123
    return out.getvalue()


def test_serve_without_a_terminal_says_how_to_create_an_account(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    out = run_serve(monkeypatch, settings, io.StringIO(""))
    assert "There is no account yet. Create one with `ringback createuser NAME`" in out
    assert "Ringback is running at http://127.0.0.1:8123/" in out
    assert not Account.objects.exists()


def test_serve_in_a_terminal_asks_for_the_first_account(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    class Out(io.StringIO):
        def isatty(self) -> bool:
            return True

    calls: list[bool] = []

    def prompt(**kw: Any) -> Account:
        calls.append(True)
        return make_account("sally")

    monkeypatch.setattr(sys, "stdout", Out())
    monkeypatch.setattr(serve_command, "prompt_first_account", prompt)
    out = run_serve(monkeypatch, settings, Terminal())
    assert calls == [True] and "let's create yours" in out
    assert "cookies are not marked Secure" in out
    # Once an account exists nothing is asked.
    out = run_serve(monkeypatch, settings, Terminal())
    assert calls == [True] and "account" not in out.split("Serving plain HTTP")[0]


def test_serve_no_input_never_asks(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setattr(serve_command, "prompt_first_account", lambda **kw: pytest.fail("asked"))
    out = run_serve(monkeypatch, settings, Terminal(), "--no-input")
    assert "There is no account yet." in out


def test_the_time_zone_guess_comes_from_the_computer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Paris")
    assert serve_command.system_zone() == "Europe/Paris"
    monkeypatch.setenv("TZ", "Nowhere/Atlantis")
    assert serve_command.system_zone() != "Nowhere/Atlantis"
