"""The API's Insights: the report as ``ringback insights --json --no-refresh`` prints it, with the
page's filters, and the filters' errors on their field."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from ringback.accounts.choices import TokenScope
from ringback.accounts.models import Account
from ringback.activities.services import touch_log
from ringback.api.v1 import api as ninja_api
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
from ringback.insights.services import insights_refresh
from ringback.playbooks.services import enrollment_start, playbook_duplicate
from ringback.testing.api import ApiClient, token_for
from ringback.testing.racing import ringback
from ringback.testing.sellers import NOW, frozen_clock, make_account

__all__ = ["frozen_clock"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def account() -> Account:
    with clock.frozen(NOW - timedelta(days=60)):
        return make_account()


@pytest.fixture
def world(account: Account) -> Account:
    """Eight voicemails a month ago (two called back), one last week still pending; counted."""
    month_ago = NOW - timedelta(days=30)
    for n in range(9):
        contact = contact_create(
            account=account,
            first_name=f"Pat{n}",
            last_name="Doe",
            phones=[PhoneInput(f"+1212555{n:04d}", "mobile")],
            warmth="stranger",
        )
        start = month_ago + timedelta(hours=n) if n < 8 else NOW - timedelta(days=2)
        with clock.frozen(start):
            enrollment_start(account=account, contact=contact, playbook="four-calls-two-weeks")
        with clock.frozen(start + timedelta(hours=5)):
            touch_log(account=account, contact=contact, outcome="voicemail")
        if n < 2:
            with clock.frozen(start + timedelta(days=2)):
                touch_log(account=account, contact=contact, outcome="callback", phone=f"+1212555{n:04d}")
    insights_refresh(account=account)
    return account


@pytest.fixture
def api(account: Account) -> ApiClient:
    return ApiClient(token_for(account))


def cli(*args: str) -> Any:
    run = ringback("insights", "--user", "sally", "--json", "--no-refresh", *args)
    assert run.code == 0, run.err
    return json.loads(run.out)


def same_instant(data: dict[str, Any]) -> dict[str, Any]:
    """The report with its refresh time as an instant (the API writes UTC with a Z)."""
    at = data["refreshed_at"]
    return {**data, "refreshed_at": datetime.fromisoformat(at) if at else None}


def error(response: Any) -> tuple[int, str, str | None]:
    body = response.json()["error"]
    return response.status_code, body["code"], body["field"]


def test_the_report_is_what_the_command_prints(api: ApiClient, world: Account) -> None:
    response = api.get("/insights")

    assert response.status_code == 200
    body = response.json()
    assert same_instant(body) == same_instant(cli())
    (line,) = [r for r in body["tables"]["step"] if r["key"] == "four-calls-two-weeks/call-1"]
    assert (line["touches"], line["responses"], line["pending"]) == (8, 2, 1)
    assert set(body["tables"]) >= {"message", "reach-attempt"}
    assert len(body["when_they_answer"]) == 21
    assert body["refreshed_at"].endswith("Z")


def test_the_filters_narrow_the_report_as_on_the_command(api: ApiClient, world: Account) -> None:
    since, until = (NOW - timedelta(days=10)).date(), NOW.date()
    query = {"since": since.isoformat(), "until": until.isoformat(), "playbook": "four-calls-two-weeks"}

    body = api.get("/insights", query).json()

    assert (body["since"], body["until"], body["playbook"]) == (
        since.isoformat(),
        until.isoformat(),
        "four-calls-two-weeks",
    )
    assert same_instant(body) == same_instant(
        cli("--since", query["since"], "--until", query["until"], "--playbook", "four-calls-two-weeks")
    )
    assert sum(r["touches"] + r["pending"] for r in body["tables"]["step"]) == 1


def test_an_empty_account_has_empty_tables(api: ApiClient, account: Account) -> None:
    body = api.get("/insights").json()

    assert body["playbook"] is None and body["refreshed_at"] is None
    assert all(rows == [] for rows in body["tables"].values())
    assert body["funnel"] == {} and body["change_your_message"] == []
    assert set(body["when_they_answer"].values()) == {None}


def test_bad_filters_are_refused_on_their_field(api: ApiClient) -> None:
    assert error(api.get("/insights", {"since": "2026-11-20", "until": "2026-11-01"})) == (
        422,
        "invalid_date",
        "since",
    )
    assert error(api.get("/insights", {"playbook": "nope"})) == (422, "unknown_playbook", "playbook")
    assert error(api.get("/insights", {"until": "yesterday"})) == (422, "invalid_input", "until")
    assert error(api.get("/insights", {"playbook": "x" * 64})) == (422, "invalid_input", "playbook")


def test_another_accounts_playbook_is_unknown_here(api: ApiClient) -> None:
    bob = make_account("bob")
    enrollment_start(
        account=bob,
        contact=contact_create(account=bob, first_name="Al", phones=[PhoneInput("+12125559999", "mobile")]),
        playbook="call-mail-call",
    )
    playbook_duplicate(account=bob, name="call-mail-call", new_name="bobs-own")

    assert error(api.get("/insights", {"playbook": "bobs-own"})) == (422, "unknown_playbook", "playbook")


def test_a_read_only_token_reads_the_report(world: Account) -> None:
    reader = ApiClient(token_for(world, scope=TokenScope.READ, name="reader"))

    assert reader.get("/insights").status_code == 200


def test_the_schema_names_every_table_as_the_report_does() -> None:
    schema = ninja_api.get_openapi_schema()
    tables = schema["components"]["schemas"]["TablesOut"]

    assert "reach-attempt" in tables["properties"] and "reach-attempt" in tables["required"]
