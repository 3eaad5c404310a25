"""The API's playbooks and enrollments: the list and one playbook as ``ringback playbooks --json``
prints them, checking YAML without saving it, and starting, pausing, resuming and stopping a
contact's playbook with the domain's errors as statuses."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from ringback.accounts.choices import TokenScope
from ringback.accounts.models import Account
from ringback.contacts.models import Contact
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core.playbook import builtin_text
from ringback.playbooks.models import Enrollment
from ringback.playbooks.services import enrollment_start, playbook_duplicate
from ringback.testing.api import ApiClient, token_for
from ringback.testing.racing import ringback
from ringback.testing.sellers import NOW, account, frozen_clock, make_account

__all__ = ["account", "frozen_clock"]

pytestmark = pytest.mark.django_db

BAD_YAML = """\
name: broken
title: Broken
version: 1
steps:
  - id: call-1
    channel: telepathy
    wait: 0 days
"""


@pytest.fixture
def api(account: Account) -> ApiClient:
    """The API, as Sally's read-write token."""
    return ApiClient(token_for(account))


@pytest.fixture
def reader(account: Account) -> ApiClient:
    """The API, as a read-only token of Sally's."""
    return ApiClient(token_for(account, scope=TokenScope.READ, name="reader"))


def person(account: Account, first: str = "Pat", phone: str = "+12125550100") -> Contact:
    return contact_create(
        account=account, first_name=first, last_name="Doe", phones=[PhoneInput(phone, "mobile")]
    )


def cli(*args: str) -> Any:
    run = ringback(*args, "--user", "sally", "--json")
    assert run.code == 0, run.err
    return json.loads(run.out)


def when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def error(response: Any) -> tuple[int, str, str | None]:
    body = response.json()["error"]
    return response.status_code, body["code"], body["field"]


# --- Playbooks ----------------------------------------------------------------------------------


def test_the_list_is_what_the_command_prints_with_the_tabs_extras(api: ApiClient, account: Account) -> None:
    person_running = person(account)
    enrollment_start(account=account, contact=person_running, playbook="call-mail-call")

    response = api.get("/playbooks")

    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    listed = cli("playbooks")
    assert [{key: item[key] for key in listed[0]} for item in body["items"]] == listed
    mail = next(item for item in body["items"] if item["name"] == "call-mail-call")
    assert mail["running"] == 1 and mail["builtin"] is True and mail["error"] == ""
    assert mail["channels"][:2] == ["call", "mail"] and len(mail["channels"]) == mail["steps"]
    assert mail["description"]


def test_one_playbook_is_what_show_prints_with_its_versions_and_advice(api: ApiClient) -> None:
    response = api.get("/playbooks/call-mail-call")

    assert response.status_code == 200
    body = response.json()
    shown = cli("playbooks", "show", "call-mail-call")
    assert {key: body[key] for key in shown} == shown
    assert body["source"] == builtin_text("call-mail-call")
    assert body["builtin"] is True
    assert [v["number"] for v in body["versions"]] == [body["version"]]
    assert when(body["versions"][0]["created_at"]) == NOW
    assert all(
        {"template", "rule", "meaning", "code", "severity", "message"} <= set(a) for a in body["advice"]
    )


def test_a_playbook_not_the_accounts_is_not_found(api: ApiClient) -> None:
    bob = make_account("bob")
    playbook_duplicate(account=bob, name="call-mail-call", new_name="bobs-own")

    assert error(api.get("/playbooks/bobs-own")) == (404, "not_found", "name")
    assert error(api.get("/playbooks/no-such-thing")) == (404, "not_found", "name")
    assert error(api.get("/playbooks/" + "x" * 64)) == (422, "invalid_input", "name")


def test_valid_yaml_is_checked_as_the_command_checks_it(api: ApiClient, tmp_path: Any) -> None:
    text = builtin_text("four-calls-two-weeks")
    path = tmp_path / "four.yaml"
    path.write_text(text, encoding="utf-8")

    response = api.post("/playbooks/validate", {"source": text})

    assert response.status_code == 200
    body = response.json()
    validated = cli("playbooks", "validate", str(path))
    assert body["valid"] is True and body["error"] is None
    assert (body["name"], body["version"], body["steps"]) == (
        validated["name"],
        validated["version"],
        validated["steps"],
    )
    assert [{k: w[k] for k in ("template", "rule", "message")} for w in body["warnings"]] == validated[
        "warnings"
    ]


def test_invalid_yaml_answers_with_the_line_and_saves_nothing(api: ApiClient, account: Account) -> None:
    response = api.post("/playbooks/validate", {"source": BAD_YAML})

    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is False and body["warnings"] == [] and body["name"] is None
    problem = body["error"]
    assert (problem["code"], problem["field"], problem["line"]) == ("invalid_playbook", "source", 6)
    assert "line 6" in problem["message"]
    assert not account.playbooks.filter(name="broken").exists()


def test_yaml_naming_a_message_the_account_has_not_is_invalid(api: ApiClient) -> None:
    source = (
        "name: my-own\ntitle: Mine\nversion: 1\nsteps:\n  - id: call-1\n    channel: call\n"
        "    wait: 0 days\n    script: nobody-has-this\n"
    )

    body = api.post("/playbooks/validate", {"source": source}).json()

    assert body["valid"] is False
    assert "nobody-has-this" in body["error"]["message"]


def test_an_empty_or_huge_source_is_refused_on_its_field(api: ApiClient) -> None:
    assert error(api.post("/playbooks/validate", {"source": ""})) == (422, "invalid_input", "source")
    assert error(api.post("/playbooks/validate", {})) == (422, "invalid_input", "source")
    assert error(api.post("/playbooks/validate", {"source": "x" * 100_001})) == (
        422,
        "invalid_input",
        "source",
    )


def test_a_read_only_token_may_validate_and_read_but_not_enroll(reader: ApiClient, account: Account) -> None:
    contact = person(account)

    assert reader.post("/playbooks/validate", {"source": BAD_YAML}).status_code == 200
    assert reader.get("/playbooks").status_code == 200
    assert reader.get(f"/contacts/{contact.pk}/enrollments").status_code == 200
    assert error(reader.post(f"/contacts/{contact.pk}/enrollments", {})) == (403, "read_only_token", None)
    assert not Enrollment.objects.filter(contact=contact).exists()


def test_without_a_token_nothing_is_answered(account: Account) -> None:
    assert error(ApiClient(None).get("/playbooks")) == (401, "not_authenticated", None)


# --- Enrollments --------------------------------------------------------------------------------


def test_enrolling_starts_the_playbook_and_plans_its_first_step(api: ApiClient, account: Account) -> None:
    contact = person(account)

    response = api.post(f"/contacts/{contact.pk}/enrollments", {"playbook": "four-calls-two-weeks"})

    assert response.status_code == 201
    body = response.json()
    row = Enrollment.objects.get(contact=contact)
    assert body["id"] == row.pk and body["contact_id"] == contact.pk
    assert (body["playbook"], body["status"], body["step"], body["step_id"]) == (
        "four-calls-two-weeks",
        "active",
        0,
        "call-1",
    )
    assert body["channel"] == "call" and body["steps"] >= 4
    assert body["next_due"].endswith("Z") and when(body["next_due"]) == row.due_start
    assert when(body["due_until"]) == row.due_end and when(body["started_at"]) == NOW
    assert body["ended_at"] is None and body["paused_until"] is None
    assert api.get(f"/enrollments/{row.pk}").json() == body


def test_without_a_playbook_the_contacts_warmth_chooses(api: ApiClient, account: Account) -> None:
    contact = person(account)  # met once: call-mail-call

    body = api.post(f"/contacts/{contact.pk}/enrollments", {}).json()

    assert body["playbook"] == "call-mail-call"


def test_the_api_enrolls_as_the_command_does(api: ApiClient, account: Account) -> None:
    first, second = person(account, "Pat"), person(account, "Sam", "+12125550101")

    made = api.post(f"/contacts/{first.pk}/enrollments", {"playbook": "call-mail-call"}).json()
    (enrolled,) = cli("enroll", "call-mail-call", "--contact", str(second.pk))["enrolled"]

    assert (made["playbook"], made["status"]) == (enrolled["playbook"], enrolled["status"])
    other = api.get(f"/enrollments/{enrolled['enrollment_id']}").json()
    assert (other["id"], other["contact_id"], other["playbook"], other["status"], other["next_due"]) == (
        enrolled["enrollment_id"],
        enrolled["contact_id"],
        enrolled["playbook"],
        enrolled["status"],
        enrolled["due"],
    )


def test_enrolling_someone_already_enrolled_is_a_conflict_unless_replacing(
    api: ApiClient, account: Account
) -> None:
    contact = person(account)
    first = api.post(f"/contacts/{contact.pk}/enrollments", {"playbook": "call-mail-call"}).json()

    again = api.post(f"/contacts/{contact.pk}/enrollments", {"playbook": "four-calls-two-weeks"})
    assert error(again)[:2] == (409, "already_enrolled")
    assert "call-mail-call" in again.json()["error"]["message"]

    replaced = api.post(
        f"/contacts/{contact.pk}/enrollments", {"playbook": "four-calls-two-weeks", "replace": True}
    )
    assert replaced.status_code == 201
    old = api.get(f"/enrollments/{first['id']}").json()
    assert old["status"] == "stopped" and old["ended_reason"] == "replaced by four-calls-two-weeks"
    assert when(old["ended_at"]) == NOW

    history = api.get(f"/contacts/{contact.pk}/enrollments").json()
    assert [e["id"] for e in history["items"]] == [replaced.json()["id"], first["id"]]
    assert history["next_cursor"] is None


def test_an_unknown_playbook_or_a_contact_without_a_number_is_refused(
    api: ApiClient, account: Account
) -> None:
    contact = person(account)
    nobody = contact_create(account=account, first_name="No", last_name="Number")

    unknown = api.post(f"/contacts/{contact.pk}/enrollments", {"playbook": "nope"})
    assert error(unknown) == (422, "unknown_playbook", "playbook")
    unreachable = api.post(f"/contacts/{nobody.pk}/enrollments", {"playbook": "four-calls-two-weeks"})
    assert error(unreachable) == (422, "not_reachable", "contact")
    forced = api.post(
        f"/contacts/{nobody.pk}/enrollments", {"playbook": "four-calls-two-weeks", "force": True}
    )
    assert forced.status_code == 201
    assert error(api.post(f"/contacts/{contact.pk}/enrollments", {"playbook": "x" * 64})) == (
        422,
        "invalid_input",
        "playbook",
    )


def test_another_accounts_contact_and_enrollment_are_not_found(api: ApiClient) -> None:
    bob = make_account("bob")
    theirs = person(bob)
    enrollment = enrollment_start(account=bob, contact=theirs, playbook="call-mail-call")

    assert error(api.get(f"/contacts/{theirs.pk}/enrollments")) == (404, "contact_not_found", None)
    assert error(api.post(f"/contacts/{theirs.pk}/enrollments", {})) == (404, "contact_not_found", None)
    assert error(api.get(f"/enrollments/{enrollment.pk}")) == (404, "not_found", None)
    for action in ("pause", "resume", "stop"):
        assert error(api.post(f"/enrollments/{enrollment.pk}/{action}", {})) == (404, "not_found", None)
    enrollment.refresh_from_db()
    assert enrollment.status == "active"


def test_pausing_resuming_and_stopping(api: ApiClient, account: Account) -> None:
    contact = person(account)
    made = api.post(f"/contacts/{contact.pk}/enrollments", {"playbook": "four-calls-two-weeks"}).json()
    url = f"/enrollments/{made['id']}"

    paused = api.post(f"{url}/pause", {})
    assert paused.status_code == 200 and paused.json()["status"] == "paused"
    assert error(api.post(f"{url}/pause", {}))[:2] == (409, "not_enrolled")

    resumed = api.post(f"{url}/resume")
    assert resumed.status_code == 200
    assert resumed.json()["status"] == "active" and resumed.json()["next_due"] is not None
    assert error(api.post(f"{url}/resume"))[:2] == (409, "not_enrolled")

    stopped = api.post(f"{url}/stop", {"reason": "they moved away"})
    assert stopped.status_code == 200
    body = stopped.json()
    assert (body["status"], body["ended_reason"], body["next_due"]) == ("stopped", "they moved away", None)
    assert error(api.post(f"{url}/stop"))[:2] == (409, "not_enrolled")
    assert error(api.post(f"{url}/pause", {}))[:2] == (409, "not_enrolled")


def test_stopping_without_a_reason_says_by_hand(api: ApiClient, account: Account) -> None:
    contact = person(account)
    made = api.post(f"/contacts/{contact.pk}/enrollments", {"playbook": "call-mail-call"}).json()

    body = api.post(f"/enrollments/{made['id']}/stop").json()

    assert (body["status"], body["ended_reason"]) == ("stopped", "stopped by hand")


def test_a_pause_with_an_end_resumes_by_itself_then(api: ApiClient, account: Account) -> None:
    contact = person(account)
    made = api.post(f"/contacts/{contact.pk}/enrollments", {"playbook": "call-mail-call"}).json()
    url = f"/enrollments/{made['id']}/pause"
    back = NOW + timedelta(days=7)

    body = api.post(url, {"until": back.isoformat(), "reason": "out of office"}).json()

    assert body["status"] == "paused" and when(body["paused_until"]) == back
    assert body["paused_reason"] == "out of office"


def test_a_pause_ending_in_the_past_or_without_a_zone_is_refused(api: ApiClient, account: Account) -> None:
    contact = person(account)
    made = api.post(f"/contacts/{contact.pk}/enrollments", {"playbook": "call-mail-call"}).json()
    url = f"/enrollments/{made['id']}/pause"

    assert error(api.post(url, {"until": (NOW - timedelta(hours=1)).isoformat()})) == (
        422,
        "invalid_input",
        "until",
    )
    assert error(api.post(url, {"until": "2026-12-01T09:00:00"})) == (422, "invalid_input", "until")
    assert api.get(f"/enrollments/{made['id']}").json()["status"] == "active"
