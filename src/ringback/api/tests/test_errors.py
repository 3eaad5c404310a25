"""Every failure answers in one JSON shape with a code and a field: never an HTML page or a
traceback."""

from __future__ import annotations

from typing import Any

import pytest

from ringback.accounts.models import Account
from ringback.people import api as people_api
from ringback.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def _error(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body: dict[str, Any] = response.json()["error"]
    assert body["errors"][0] == {k: body[k] for k in ("code", "field", "message")}
    return body


def test_a_domain_error_keeps_its_code_and_field(api: ApiClient) -> None:
    response = api.post("/contacts", {"first_name": "", "company": ""})
    assert response.status_code == 422
    error = _error(response)
    assert (error["code"], error["field"]) == ("invalid_input", "first_name")


def test_a_duplicate_number_is_a_conflict(api: ApiClient) -> None:
    ann = {"first_name": "Ann", "phones": [{"number": "212-555-0142"}]}
    assert api.post("/contacts", ann).status_code == 201
    response = api.post("/contacts", {**ann, "first_name": "Anne"})
    assert response.status_code == 409
    error = _error(response)
    assert (error["code"], error["field"]) == ("duplicate_contact", "phone")


def test_every_invalid_field_is_listed(api: ApiClient) -> None:
    response = api.post("/contacts", {"first_name": 3, "warmth": "boiling", "phones": [{}]})
    assert response.status_code == 422
    error = _error(response)
    assert {(e["code"], e["field"]) for e in error["errors"]} == {
        ("invalid_input", "first_name"),
        ("invalid_input", "warmth"),
        ("invalid_input", "phones.0.number"),
    }


def test_a_body_that_is_not_json_is_422(api: ApiClient) -> None:
    response = api.post("/contacts", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert _error(response)["code"] in ("invalid_input", "bad_request")


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing", "/api/v2/contacts", "/api/", "/api/v1/contacts/abc", "/api/v1/a%0Ab"]
)
def test_an_unknown_address_is_a_json_404(api: ApiClient, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert _error(response)["code"] == "not_found"


def test_a_wrong_method_is_a_json_405(api: ApiClient) -> None:
    response = api.put("/api/v1/contacts")
    assert response.status_code == 405
    assert _error(response)["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_a_crash_is_a_json_500_without_a_traceback(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch, account: Account
) -> None:
    def broken(**_: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(people_api, "contacts_page", broken)
    response = api.get("/contacts")
    assert response.status_code == 500
    error = _error(response)
    assert error["code"] == "server_error"
    assert b"secret internals" not in response.content and b"Traceback" not in response.content


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"first_name": "Ann", "last_name": "Lee\\u0000"}', "last_name"),
        ('{"first_name": "Ann", "tags": ["ok", "b\\u0000d"]}', "tags.1"),
        (
            '{"first_name": "Ann", "phones": [{"number": "212-555-0142", "label": "\\u0000"}]}',
            "phones.0.label",
        ),
        ('{"first_name": "\\ud800"}', "first_name"),
        ('{"first_name": "Ann", "notes\\u0000": 1}', "body"),
    ],
)
def test_text_that_cannot_be_stored_is_422_on_its_field(
    api: ApiClient, account: Account, body: str, field: str
) -> None:
    # PostgreSQL refuses a NUL character in text and neither database takes a lone surrogate:
    # such a request was a 500 on PostgreSQL (schemathesis found it).
    response = api.post("/contacts", body, content_type="application/json")
    assert response.status_code == 422, response.content
    error = _error(response)
    assert (error["code"], error["field"]) == ("invalid_input", field)
    assert "cannot be stored" in error["message"]
    assert not account.contacts.exists()


def test_a_query_with_a_nul_character_is_422_on_its_field(api: ApiClient) -> None:
    response = api.get("/contacts", {"search": "Ann\x00"})
    assert response.status_code == 422, response.content
    assert _error(response)["field"] == "search"


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/contacts", {"serach": "Ann"}, "serach"),  # a typo would otherwise list everyone
        ("/playbooks", {"limit": "5"}, "limit"),  # an operation that takes none
        ("/agenda", {"date": "2026-11-23", "day": "x", "zone": "y"}, "day"),
    ],
)
def test_an_unknown_query_parameter_is_422_on_its_name(
    api: ApiClient, path: str, query: dict[str, str], field: str
) -> None:
    response = api.get(path, query)
    assert response.status_code == 422, response.content
    error = _error(response)
    assert (error["code"], error["field"]) == ("invalid_input", field)
    assert f"unknown query parameter {field!r}" in error["message"]
    unknown = sorted(set(query) - {"date"})
    assert [e["field"] for e in error["errors"]] == unknown


def test_the_parameters_an_operation_takes_are_accepted(api: ApiClient) -> None:
    query = {"search": "a", "tag": "t", "status": "", "warmth": "", "playbook": "", "never_called": "false"}
    assert api.get("/contacts", {**query, "cursor": "", "limit": "5"}).status_code == 200
