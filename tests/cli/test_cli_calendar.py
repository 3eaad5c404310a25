"""``ringback calendar``: the calendar feed's secret URL from the command line (issue 12).

``url`` prints it (turning the feed on the first time), ``reset`` makes a new one (the old URL
stops at once), ``off`` turns the feed off; ``--base-url`` is the address calendar apps reach the
server at. The URLs printed are the ones the server answers.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ringback.accounts.models import Account
from ringback.accounts.services import account_create

BASE = "https://ringback.example.com"


@pytest.fixture
def account(ringback: Any) -> Account:
    return account_create(username="sally", password=None, seller_name="Sally Baker")


def path_of(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1]


def served(url: str) -> int:
    return Client().get("/" + path_of(url)).status_code


def test_url_turns_the_feed_on_once_and_prints_the_same_url_after(ringback: Any, account: Account) -> None:
    first = ringback.ok("calendar", "url", "--base-url", BASE)
    assert "Turned the calendar feed on." in first.out
    account.refresh_from_db()
    token = account.calendar_token
    assert token is not None
    url = f"{BASE}/calendar/{token}.ics"
    assert f"Calendar feed: {url}\n" in first.out
    assert f"webcal://ringback.example.com/calendar/{token}.ics" in first.out
    again = ringback.ok("calendar", "--base-url", BASE + "/")  # "url" is the default; the slash goes
    assert "Turned" not in again.out and f"Calendar feed: {url}\n" in again.out
    assert served(url) == 200


def test_json_says_whether_the_url_is_new(ringback: Any, account: Account) -> None:
    made = ringback.json("calendar", "url")
    assert made["on"] is True and made["new"] is True
    assert made["url"].startswith("http://127.0.0.1:8000/calendar/")  # the server's default address
    assert made["webcal"] == made["url"].replace("http://", "webcal://")
    kept = ringback.json("calendar", "url")
    assert kept == {**made, "new": False}


def test_reset_prints_a_new_url_and_the_old_one_stops(ringback: Any, account: Account) -> None:
    old = ringback.json("calendar", "url")["url"]
    result = ringback.ok("calendar", "reset")
    assert "New secret URL: the old one stopped working." in result.out
    new = ringback.json("calendar", "url")["url"]
    assert new != old and new in result.out
    assert (served(old), served(new)) == (404, 200)


def test_off_stops_the_url_and_says_so_once(ringback: Any, account: Account) -> None:
    old = ringback.json("calendar", "url")["url"]
    assert "its URL stopped working" in ringback.ok("calendar", "off").out
    assert served(old) == 404
    assert ringback.json("calendar", "off") == {"on": False, "was_on": False}
    assert ringback.ok("calendar", "off").out.strip() == "The calendar feed was off."


def test_a_long_url_is_printed_on_one_line(ringback: Any, account: Account) -> None:
    base = "https://a-rather-long-host-name-for-a-server.sales-team.example.com/some/prefix/for/ringback"
    result = ringback.ok("calendar", "--base-url", base)
    line = next(line for line in result.out.splitlines() if line.startswith("Calendar feed: "))
    assert line.startswith(f"Calendar feed: {base}/calendar/") and line.endswith(".ics")


@pytest.mark.parametrize(
    "bad",
    [
        "ftp://ringback.example.com",
        "ringback.example.com",
        "https://",
        "https://ringback.example.com/?x=1",
        "https://ringback.example.com/#top",
        "https://user:secret@ringback.example.com",
        "https://ringback.example.com:99999",
        "https://ringback example.com",
        "https://ringback.example.com/\x1b[31m",
        "javascript:alert(1)",
    ],
)
def test_a_base_url_that_is_no_web_address_is_refused_and_changes_nothing(
    ringback: Any, account: Account, bad: str
) -> None:
    result = ringback("calendar", "--base-url", bad)
    assert result.code == 1
    assert result.error_lines and result.error_lines[0].startswith("error: --base-url ")
    assert "is not an http:// or https:// address" in result.err
    assert "Traceback" not in result.err and "\x1b" not in result.err
    account.refresh_from_db()
    assert account.calendar_token is None


def test_an_unknown_action_is_refused(ringback: Any, account: Account) -> None:
    result = ringback("calendar", "rotate")
    assert result.code != 0
    assert "invalid choice: 'rotate'" in result.err
