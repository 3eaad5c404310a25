"""Cross-account sweep of every operation of the REST API.

Every operation of /api/v1/openapi.json is asked by account B's read-write token, with A's rows
in its path (A's contact, enrollment, appointment, import, webhook, her own playbook and message)
or, for an operation without one, with query parameters and bodies that name A's rows. Every
answer that names one of A's rows is a 404; no answer holds any of A's text (the marker); none
of A's rows changes. An operation whose path holds an argument the sweep cannot fill fails the
sweep, so a new operation is swept as soon as it exists. :func:`test_account_a_gets_through`
asks the same with A's token, to show each probe would have reached the row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from security_world import A_MESSAGE, A_PLAYBOOK, MARKER, World, changed, snapshot

from ringback.api.v1 import api
from ringback.testing.api import ApiClient, token_for

#: How to fill each path argument with A's rows.
PATH_ARGUMENTS: dict[str, Callable[[World], object]] = {
    "contact_id": lambda w: w.a_contact.pk,
    "enrollment_id": lambda w: w.a_enrollment.pk,
    "appointment_id": lambda w: w.a_appointment.pk,
    "import_id": lambda w: w.a_import_job.pk,
    "webhook_id": lambda w: w.a_webhook.pk,
    "name": lambda w: A_PLAYBOOK,
    "key": lambda w: A_MESSAGE,
}
#: Paths whose ``name`` is a message's, not a playbook's.
MESSAGE_PATHS = re.compile(r"^/api/v1/messages/")

#: The body each writing operation is sent with: what A's own request would send.
BODIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "contacts_create": lambda w: {"first_name": "Probe", "phones": [{"number": "212 555 0101"}]},
    "contacts_update": lambda w: {"notes": "changed by B"},
    "touches_log": lambda w: {"outcome": "voicemail", "note": "B was here"},
    "appointments_book": lambda w: {
        "contact_id": w.a_other.pk,
        "starts_at": "2026-11-25T15:00:00Z",
        "confirm_outside_hours": True,
    },
    "appointments_move": lambda w: {"starts_at": "2026-11-26T15:00:00Z", "confirm_outside_hours": True},
    "appointments_cancel": lambda w: {},
    "enrollments_start": lambda w: {"playbook": A_PLAYBOOK, "replace": True, "force": True},
    "enrollments_pause": lambda w: {},
    "enrollments_resume": lambda w: {},
    "enrollments_stop": lambda w: {"reason": "B stops it"},
    "playbooks_validate": lambda w: {"source": "name: probe\n"},
    "webhooks_create": lambda w: {"url": "https://93.184.215.14/probe", "events": ["callback.logged"]},
    "webhooks_update": lambda w: {"description": "changed by B"},
    "messages_validate": lambda w: {"kind": "voicemail", "body": "Hi", "contact_id": w.a_contact.pk},
}
#: Query parameters that name A's rows, for the operations without a path argument.
QUERIES: dict[str, Callable[[World], dict[str, Any]]] = {
    "contacts_list": lambda w: {"tag": "qzx-tag", "search": "Qzx", "playbook": A_PLAYBOOK},
    "insights_read": lambda w: {"playbook": A_PLAYBOOK},
    "appointments_list": lambda w: {"contact_id": w.a_other.pk},
}


def _nothing(world: World) -> dict[str, Any]:
    return {}


def operations() -> list[tuple[str, str, str]]:
    """(method, path, operation id) of every operation of the API's schema."""
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return [
        (method.upper(), path, operation["operationId"])
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]


def _path(world: World, path: str) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "name" and MESSAGE_PATHS.match(path):
            return A_MESSAGE
        assert name in PATH_ARGUMENTS, f"the API sweep cannot fill {{{name}}} of {path}: add it"
        return str(PATH_ARGUMENTS[name](world))

    return re.sub(r"\{(?:\w+:)?(\w+)\}", fill, path)


def _ask(client: ApiClient, world: World, method: str, path: str, operation: str) -> Any:
    url = _path(world, path)
    if method == "GET":
        return client.get(url, QUERIES.get(operation, _nothing)(world))
    if operation == "contacts_import":
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("probe.csv", b"name,phone\nProbe,212-555-0101\n", "text/csv")
        return client.upload(url, {"file": upload})
    body = BODIES.get(operation, _nothing)(world)
    return getattr(client, method.lower())(url, body)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "operation"), operations())
def test_another_account_gets_nothing(world: World, method: str, path: str, operation: str) -> None:
    before = snapshot(world.a)
    bob = ApiClient(token_for(world.b, name="bob's"))
    response = _ask(bob, world, method, path, operation)
    assert MARKER.encode() not in response.content, f"{method} {path} shows A's text to B"
    if "{" in path:
        assert response.status_code == 404, (
            f"{method} {path}: {response.status_code} {response.content[:300]!r}"
        )
        assert response.json()["error"]["code"].endswith("not_found")
    else:
        assert response.status_code < 500
    assert changed(before, snapshot(world.a)) == [], f"{method} {path} changed A's rows"


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "operation"), [op for op in operations() if "{" in op[1]])
def test_account_a_gets_through(world: World, method: str, path: str, operation: str) -> None:
    """The same probes with A's token reach her rows (so B's 404 is the account check)."""
    alice = ApiClient(token_for(world.a, name="alice's"))
    response = _ask(alice, world, method, path, operation)
    assert response.status_code != 404 or response.json()["error"]["code"] not in (
        "not_found",
        "contact_not_found",
    ), f"{method} {path} did not find A's own row: {response.content[:300]!r}"
