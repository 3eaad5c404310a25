"""The API's message library: the list and one message as ``ringback messages --json`` prints
them, and checking words in the sandbox as the Library's editor does."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from ringback.accounts.choices import TokenScope
from ringback.accounts.models import Account
from ringback.contacts.services import contact_create
from ringback.messaging.models import Message
from ringback.messaging.services import message_update
from ringback.testing.api import ApiClient, token_for
from ringback.testing.racing import ringback
from ringback.testing.sellers import NOW, account, frozen_clock, make_account

__all__ = ["account", "frozen_clock"]

pytestmark = pytest.mark.django_db

VOICEMAIL = (
    "Hi {{ contact.first_name }}, it's {{ seller.name }}. I found a home on your street that fits "
    "what you told me about your family, with the garden you wanted and room for your kids to "
    "play. I'd love to tell you about it before it is gone. Call me at {{ seller.phone }}, I'll try "
    "you again on {{ next_call_day }}. Talk soon, {{ contact.first_name }}!"
)


@pytest.fixture
def api(account: Account) -> ApiClient:
    """The API, as Sally's read-write token."""
    return ApiClient(token_for(account))


def cli(*args: str, code: int = 0) -> Any:
    run = ringback(*args, "--json")
    assert run.code == code, run.err
    return json.loads(run.out)


def error(response: Any) -> tuple[int, str, str | None]:
    body = response.json()["error"]
    return response.status_code, body["code"], body["field"]


def test_the_library_is_what_the_command_lists(api: ApiClient, account: Account) -> None:
    response = api.get("/messages")

    assert response.status_code == 200
    body = response.json()
    listed = cli("messages", "--user", "sally")
    assert [{key: item[key] for key in listed[0]} for item in body["items"]] == listed
    assert len(body["items"]) == Message.objects.filter(account=account).count() > 0
    assert body["next_cursor"] is None
    last = next(item for item in body["items"] if item["name"] == "yes-or-no")
    assert last["last"] is True and last["builtin"] is True
    assert datetime.fromisoformat(last["updated_at"]) == NOW


def test_the_library_narrows_to_one_kind(api: ApiClient) -> None:
    body = api.get("/messages", {"kind": "email"}).json()

    assert {item["kind"] for item in body["items"]} == {"email"}
    listed = cli("messages", "--user", "sally", "--kind", "email")
    assert [{key: item[key] for key in listed[0]} for item in body["items"]] == listed
    assert error(api.get("/messages", {"kind": "fax"})) == (422, "invalid_input", "kind")


def test_one_message_is_what_show_prints_with_its_versions(api: ApiClient, account: Account) -> None:
    message_update(
        account=account, name="announce-the-note", body=VOICEMAIL, subject="", title=None, base_version=None
    )

    response = api.get("/messages/announce-the-note")

    assert response.status_code == 200
    body = response.json()
    shown = cli("messages", "--user", "sally", "show", "announce-the-note")
    assert {key: body[key] for key in shown} == shown
    assert body["body"].strip() == VOICEMAIL
    assert [v["number"] for v in body["versions"]] == [body["version"], body["version"] - 1]
    assert body["versions"][1]["builtin_version"] is not None
    assert "contact.first_name" in body["variables"]

    older = api.get("/messages/announce-the-note", {"version": body["version"] - 1}).json()
    assert older["version"] == body["version"] - 1 and older["body"] != body["body"]


def test_a_message_not_the_accounts_is_not_found(api: ApiClient) -> None:
    bob = make_account("bob")
    Message.objects.filter(account=bob, name="yes-or-no").update(name="bobs-own")

    assert error(api.get("/messages/bobs-own")) == (404, "not_found", None)
    assert error(api.get("/messages/" + "x" * 64)) == (422, "invalid_input", "name")
    assert error(api.get("/messages/yes-or-no", {"version": 99})) == (404, "not_found", None)
    assert error(api.get("/messages/yes-or-no", {"version": 0})) == (422, "invalid_input", "version")


def test_words_are_checked_and_filled_in_as_the_editor_does(api: ApiClient, tmp_path: Any) -> None:
    path = tmp_path / "vm.txt"
    path.write_text(VOICEMAIL, encoding="utf-8")

    response = api.post("/messages/validate", {"kind": "voicemail", "body": VOICEMAIL})

    assert response.status_code == 200
    body = response.json()
    checked = cli("messages", "check", str(path), "--kind", "voicemail")
    assert body["valid"] is True and body["error"] is None
    assert (body["passes"], body["findings"]) == (checked["passes"], checked["findings"])
    preview = body["preview"]
    assert preview["for_name"] == "Mary Smith (a sample contact)"
    assert preview["body"].startswith("Hi Mary, it's Sally Baker.")
    assert preview["subject"] == "" and 15 <= preview["seconds"] <= 60


def test_failing_checks_are_listed_with_their_rule(api: ApiClient) -> None:
    body = api.post(
        "/messages/validate", {"kind": "voicemail", "body": "Hi, just calling to introduce myself."}
    ).json()

    assert body["valid"] is True and body["passes"] is False
    failing = {f["code"] for f in body["findings"] if f["severity"] == "fail"}
    assert {"no_number", "self_centred_phrase"} <= failing
    assert all(f["rule"] for f in body["findings"])


def test_words_that_cant_be_saved_answer_with_the_field_and_line(api: ApiClient) -> None:
    broken = api.post(
        "/messages/validate", {"kind": "voicemail", "body": "Hi there,\n{{ contact.first_name \n"}
    )
    assert broken.status_code == 200
    body = broken.json()
    assert body["valid"] is False and body["passes"] is False and body["preview"] is None
    assert (body["error"]["code"], body["error"]["field"], body["error"]["line"]) == ("template", "body", 2)

    unknown = api.post("/messages/validate", {"kind": "card", "body": "Hi {{ contact.shoe_size }}"}).json()
    assert (unknown["error"]["field"], unknown["error"]["line"]) == ("body", 1)
    assert "shoe_size" in unknown["error"]["message"]

    subject = api.post(
        "/messages/validate", {"kind": "voicemail", "body": VOICEMAIL, "subject": "Hello"}
    ).json()
    assert subject["error"]["field"] == "subject"
    email = api.post("/messages/validate", {"kind": "email", "body": VOICEMAIL}).json()
    assert (email["valid"], email["error"]["field"]) == (False, "subject")


def test_the_preview_fills_in_the_accounts_contact_only(api: ApiClient, account: Account) -> None:
    mine = contact_create(account=account, first_name="Jo", last_name="Green")
    theirs = contact_create(account=make_account("bob"), first_name="Al", last_name="Brown")

    filled = api.post(
        "/messages/validate", {"kind": "card", "body": "Dear {{ contact.first_name }}", "contact_id": mine.pk}
    )
    assert filled.json()["preview"]["body"].startswith("Dear Jo")
    assert filled.json()["preview"]["for_name"] == "Jo Green"
    assert filled.json()["preview"]["seconds"] is None
    refused = api.post("/messages/validate", {"kind": "card", "body": "Dear you", "contact_id": theirs.pk})
    assert error(refused) == (404, "contact_not_found", None)


def test_bad_input_is_refused_on_its_field(api: ApiClient) -> None:
    assert error(api.post("/messages/validate", {"kind": "fax", "body": "Hi"})) == (
        422,
        "invalid_input",
        "kind",
    )
    assert error(api.post("/messages/validate", {"kind": "card", "body": "Hi", "contact_id": 0})) == (
        422,
        "invalid_input",
        "contact_id",
    )


def test_a_missing_or_too_long_body_is_refused_on_its_field(api: ApiClient) -> None:
    assert error(api.post("/messages/validate", {"kind": "card"})) == (422, "invalid_input", "body")
    too_long = api.post("/messages/validate", {"kind": "card", "body": "x" * 5_001})
    assert error(too_long) == (422, "invalid_input", "body")


def test_a_read_only_token_may_check_words(account: Account) -> None:
    reader = ApiClient(token_for(account, scope=TokenScope.READ, name="reader"))

    assert reader.post("/messages/validate", {"kind": "voicemail", "body": VOICEMAIL}).status_code == 200
    assert reader.get("/messages").status_code == 200
    assert reader.get("/messages/yes-or-no").status_code == 200
