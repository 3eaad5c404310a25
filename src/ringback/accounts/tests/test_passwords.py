"""Weak passwords are refused wherever a password is set, with the validators' own words.

The rules (Django's validators): not too similar to the user name, names or email; at least 10
characters; not a common password; not only digits; and not the demo's published password.
Places: the web (change, reset link), ``ringback createuser``, ``ringback password``, the first-start
prompt of ``ringback serve``, the owner account a first command creates, and ``account_create``.
"""

from __future__ import annotations

import io
import re
import sys

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client

from ringback.accounts.commands import AccountCommand
from ringback.accounts.models import Account
from ringback.accounts.services import account_create, login_email_set
from ringback.accounts.tests.conftest import PASSWORD, make_account
from ringback.accounts.tests.test_commands import Terminal, answers, createuser
from ringback.core.errors import ErrorCode, WeakPassword
from ringback.server.management.commands.serve import prompt_first_account

pytestmark = pytest.mark.django_db
GOOD = "correct-horse-battery"

SIMILAR = "The password is too similar to the username."
SHORT = "This password is too short. It must contain at least 10 characters."
NUMERIC = "This password is entirely numeric."
COMMON = "This password is too common."
PUBLISHED = "This is the demo’s published password: anyone could sign in with it. Choose another."

#: (password for the user "alice", what is said about it)
WEAK = [
    ("alicealice", [SIMILAR]),
    ("11111112", [SHORT, NUMERIC]),
    ("1111111122", [NUMERIC]),
    ("password1234", [COMMON]),
    ("ringback-demo", [PUBLISHED]),
]


def alice() -> Account:
    return make_account("alice", seller_name="Alice Ames")


def user_of(account: Account) -> User:
    return account.memberships.get().user


def text(html: str) -> str:
    return re.sub(r"\s+", " ", html.replace("&#x27;", "'").replace("&quot;", '"'))


@pytest.mark.parametrize(("password", "said"), WEAK)
def test_the_web_password_change_refuses_weak_passwords(password: str, said: list[str]) -> None:
    account = alice()
    client = Client()
    client.force_login(user_of(account))
    response = client.post(
        "/password/change/",
        {"old_password": PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    page = text(response.content.decode())
    for message in said:
        assert message in page
    assert 'id="id_new_password2_error"' in page
    assert user_of(account).check_password(PASSWORD)


def test_the_web_password_change_lists_the_rules() -> None:
    client = Client()
    client.force_login(user_of(alice()))
    page = text(client.get("/password/change/").content.decode())
    assert "Your password must contain at least 10 characters." in page
    assert "Your password can’t be entirely numeric." in page
    assert "Your password can’t be the demo’s published password." in page


def test_a_reset_link_refuses_weak_passwords_too() -> None:
    account = alice()
    login_email_set(user=user_of(account), email="alice@example.com")
    client = Client()
    client.post("/password/reset/", {"email": "alice@example.com"})
    link = re.search(r"http://testserver(/password/reset/\S+/\S+/)", str(mail.outbox[0].body))
    assert link is not None
    form_url = client.get(link.group(1), follow=True).redirect_chain[-1][0]
    refused = client.post(form_url, {"new_password1": "alicealice", "new_password2": "alicealice"})
    assert SIMILAR in text(refused.content.decode())
    assert user_of(account).check_password(PASSWORD)
    done = client.post(form_url, {"new_password1": GOOD, "new_password2": GOOD}, follow=True)
    assert "Your new password is saved" in done.content.decode()
    assert get_user_model().objects.get(username="alice").check_password(GOOD)


@pytest.mark.parametrize(("password", "said"), WEAK)
def test_createuser_refuses_weak_passwords(
    monkeypatch: pytest.MonkeyPatch, password: str, said: list[str]
) -> None:
    code, _, err = createuser(
        "alice", "--password-stdin", stdin=io.StringIO(password), monkeypatch=monkeypatch
    )
    assert code == 1
    for message in said:
        assert message in err
    assert not get_user_model().objects.exists()


def test_the_first_start_prompt_refuses_weak_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("USER", raising=False)
    said: list[str] = []
    ask = answers("alice", "Alice Ames", "")
    secret = answers("alicealice", "11111112", GOOD, GOOD)
    account = prompt_first_account(ask=ask, ask_secret=secret, say=said.append)
    assert account is not None
    assert said[:2] == [f"{SIMILAR} Try another.", f"{SHORT} {NUMERIC} Try another."]
    assert user_of(account).check_password(GOOD)


def test_account_create_refuses_a_weak_password_with_each_reason() -> None:
    with pytest.raises(WeakPassword) as refused:
        account_create(username="alice", password="11111112")
    assert refused.value.code is ErrorCode.WEAK_PASSWORD
    assert refused.value.problems == [SHORT, NUMERIC]
    assert not get_user_model().objects.exists() and not Account.objects.exists()


def test_the_owner_account_a_first_command_creates_asks_for_a_good_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("USER", "alice")
    monkeypatch.setattr(sys, "stdin", Terminal())
    monkeypatch.setattr("getpass.getpass", answers("alicealice", GOOD, GOOD))
    command = AccountCommand(stdout=io.StringIO(), stderr=io.StringIO())
    account = command.account({})
    assert user_of(account).username == "alice" and user_of(account).check_password(GOOD)
    assert SIMILAR in command.stdout._out.getvalue()  # type: ignore[attr-defined]


# --- ringback password ----------------------------------------------------------------------------


def password(*args: str, stdin: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdin", stdin)
    try:
        call_command("password", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_ringback_password_changes_a_password(monkeypatch: pytest.MonkeyPatch) -> None:
    account = alice()
    code, out, err = password(
        "alice", "--password-stdin", stdin=io.StringIO(GOOD + "\n"), monkeypatch=monkeypatch
    )
    assert code == 0, err
    assert "Changed the password of alice." in out
    assert user_of(account).check_password(GOOD)


def test_ringback_password_asks_twice_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    account = alice()
    monkeypatch.setattr("getpass.getpass", answers("1111111122", GOOD, GOOD))
    code, out, err = password("alice", stdin=Terminal(), monkeypatch=monkeypatch)
    assert code == 0, err
    assert f"{NUMERIC} Try another." in out
    assert user_of(account).check_password(GOOD)


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("alice", "--password-stdin"), "alicealice\n", SIMILAR),
        (("alice", "--password-stdin"), "ringback-demo\n", PUBLISHED),
        (("nobody", "--password-stdin"), GOOD, "no user called 'nobody'"),
        (
            ("alice",),
            "",
            "no terminal to ask for the password: pass it on standard input with --password-stdin",
        ),
    ],
)
def test_ringback_password_refusals_change_nothing(
    monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], stdin: str, message: str
) -> None:
    account = alice()
    code, _, err = password(*args, stdin=io.StringIO(stdin), monkeypatch=monkeypatch)
    assert code == 1
    assert err.startswith("error: ") and message in err
    assert user_of(account).check_password(PASSWORD)
