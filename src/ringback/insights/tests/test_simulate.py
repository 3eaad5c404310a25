"""'What would it do to my week?': the simulator with the account's settings, on the command
line and on the web."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ringback.accounts.models import Account
from ringback.accounts.services import account_update
from ringback.core import clock
from ringback.insights.simulating import account_simulate, account_world
from ringback.testing.racing import ringback
from ringback.testing.sellers import NOW, make_account, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def account() -> Account:
    with clock.frozen(NOW):
        return make_account()


def test_the_seller_of_the_world_is_the_account(account: Account) -> None:
    account_update(account=account, minutes_per_day=45, working_days="mon,tue,wed,thu")
    with clock.frozen(NOW):
        world = account_world(account=account)
    assert world.seller.zone == "America/New_York"
    assert world.seller.minutes_per_day == 45
    assert world.seller.working_days == frozenset({0, 1, 2, 3})
    assert world.seller.start.isoformat() == "2026-11-23"


def test_the_same_seed_gives_the_same_week_and_less_time_gives_fewer_conversations(account: Account) -> None:
    with clock.frozen(NOW):
        first = account_simulate(account=account, policies=["day-plan"], days=28, prospects=300, seed=3)
        again = account_simulate(account=account, policies=["day-plan"], days=28, prospects=300, seed=3)
        account_update(account=account, minutes_per_day=15)
        short = account_simulate(account=account, policies=["day-plan"], days=28, prospects=300, seed=3)
    assert first.as_dict() == again.as_dict()
    full, little = first.policies[0].metrics, short.policies[0].metrics
    assert little.seller_hours < full.seller_hours
    assert little.people_touched < full.people_touched


def test_the_command_runs_the_accounts_own_playbook_against_the_day_plan(
    account: Account, tmp_path: Path
) -> None:
    chart = tmp_path / "week.svg"
    with clock.frozen(NOW):
        run = ringback(
            "simulate", "--user", "sally", "--playbook", "steady-weekly", "--prospects", "200",
            "--days", "21", "--json", "--chart", str(chart),
        )  # fmt: skip
    assert run.code == 0, run.err
    data = json.loads(run.out)
    assert [p["name"] for p in data["policies"]] == ["day-plan", "same-20-names", "steady-weekly"]
    assert data["prospects"] == 200 and data["days"] == 21
    assert chart.read_text().startswith("<svg")


def test_a_bad_world_file_is_refused_naming_the_field(account: Account, tmp_path: Path) -> None:
    world = tmp_path / "world.yaml"
    world.write_text("answer:\n  colour: 3\n")
    with clock.frozen(NOW):
        run = ringback(
            "simulate", "--user", "sally", "--world", str(world), "--prospects", "50", "--days", "7"
        )
        missing = ringback("simulate", "--user", "sally", "--playbook", "nope", "--days", "7")
        too_many = ringback("simulate", "--user", "sally", "--prospects", "0")
    assert run.code == 1 and run.err.startswith("error: world.yaml: answer.colour")
    assert missing.code == 1 and "no playbook called 'nope'" in missing.err
    assert too_many.code == 1 and "prospects: 0 is not from 1" in too_many.err


def test_the_web_page_compares_and_refuses_what_it_cannot_run(account: Account) -> None:
    client = signed_in(account)
    with clock.frozen(NOW):
        empty = client.get("/insights/simulate/")
        page = client.get(
            "/insights/simulate/",
            {"playbook": "four-calls-two-weeks", "prospects": "150", "days": "14", "seed": "2"},
        )
        bad = client.get(
            "/insights/simulate/", {"playbook": "", "prospects": "5000", "days": "14", "seed": "2"}
        )
        unknown = client.get(
            "/insights/simulate/", {"playbook": "nope", "prospects": "50", "days": "14", "seed": "2"}
        )
    assert empty.status_code == 200 and "<svg" not in empty.content.decode()
    html = page.content.decode()
    assert page.status_code == 200
    assert "150 prospects, 14 days" in html and "<svg" in html
    assert "four-calls-two-weeks" in html and "conversations / week" in html
    assert bad.status_code == 400 and "2000" in bad.content.decode().replace(",", "").replace("\u202f", "")
    assert unknown.status_code == 400 and "no playbook called" in unknown.content.decode().lower()


def test_another_accounts_playbook_is_no_playbook_of_mine(account: Account) -> None:
    from ringback.playbooks.services import playbook_duplicate

    with clock.frozen(NOW):
        other = make_account("bob")
        playbook_duplicate(account=other, name="steady-weekly", new_name="bobs-own", title="Bob's own")
        response = signed_in(account).get(
            "/insights/simulate/", {"playbook": "bobs-own", "prospects": "50", "days": "7", "seed": "1"}
        )
    assert response.status_code == 400
    assert "no playbook called 'bobs-own'" in response.content.decode().lower().replace("&#x27;", "'")
