"""The API's contacts: the list a page at a time with the web's filters, one contact, adding and
changing one with the web form's rules, and importing a file with its report."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ringback.accounts.models import Account
from ringback.contacts.services import PhoneInput, contact_create
from ringback.testing.api import ApiClient, token_for
from ringback.testing.sellers import NOW, account, frozen_clock

__all__ = ["NOW", "account", "frozen_clock"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(account: Account) -> ApiClient:
    """The API, as Sally's read-write token."""
    return ApiClient(token_for(account))


def _add(
    account: Account, first: str, last: str, number: str | None = None, tags: tuple[str, ...] = ()
) -> int:
    phones = [PhoneInput(number, "mobile", False)] if number else []
    return contact_create(
        account=account, first_name=first, last_name=last, phones=phones, tags=list(tags)
    ).pk


def _names(page: dict[str, Any]) -> list[str]:
    return [item["name"] for item in page["items"]]


def test_adding_a_contact_answers_with_what_was_kept(api: ApiClient) -> None:
    response = api.post(
        "/contacts",
        {
            "first_name": " Ann ",
            "last_name": "Lee",
            "phones": [{"number": "(212) 555-0142", "label": "work", "ok_at_work": True}],
            "emails": ["Ann@Example.com"],
            "tags": ["host"],
            "birthday": {"month": 3, "day": 14},
            "warmth": "acquainted",
        },
    )
    assert response.status_code == 201, response.content
    ann = response.json()
    assert ann["name"] == "Ann Lee"
    assert [(p["label"], p["ok_at_work"], p["valid"]) for p in ann["phones"]] == [("work", True, True)]
    assert ann["phones"][0]["number"].endswith("2125550142")
    assert [e["address"] for e in ann["emails"]] == ["ann@example.com"]
    assert (ann["tags"], ann["warmth"], ann["birthday"]) == (
        ["host"],
        "acquainted",
        {"month": 3, "day": 14, "year": None},
    )
    assert ann["time_zone"] == "America/New_York"  # guessed from the number
    assert api.get(f"/contacts/{ann['id']}").json() == ann


def test_the_list_pages_in_name_order_with_a_cursor(api: ApiClient, account: Account) -> None:
    for first, last in [("Cy", "Dunn"), ("Ann", "Lee"), ("Bo", "Moss"), ("Di", "Park"), ("Ed", "Ames")]:
        _add(account, first, last)
    seen: list[str] = []
    cursor = ""
    while True:
        page = api.get("/contacts", {"limit": 2, "cursor": cursor}).json()
        assert len(page["items"]) <= 2
        seen += _names(page)
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert seen == ["Ed Ames", "Cy Dunn", "Ann Lee", "Bo Moss", "Di Park"]  # by last name


def test_the_list_searches_and_filters_as_the_web_does(api: ApiClient, account: Account) -> None:
    _add(account, "Ann", "Lee", "212-555-0142", tags=("host",))
    _add(account, "Bo", "Moss", "212-555-0143")
    assert _names(api.get("/contacts", {"search": "0142"}).json()) == ["Ann Lee"]
    assert _names(api.get("/contacts", {"tag": "host"}).json()) == ["Ann Lee"]
    assert _names(api.get("/contacts", {"search": "nobody"}).json()) == []


def test_a_damaged_cursor_is_named(api: ApiClient) -> None:
    response = api.get("/contacts", {"cursor": "not-a-cursor"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "cursor"


def test_the_list_costs_the_same_queries_for_3_or_30_contacts(api: ApiClient, account: Account) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/contacts", {"limit": 50}).status_code == 200
        return len(captured)

    for n in range(3):
        _add(account, f"A{n}", "Lee", f"212-555-01{n:02d}", tags=("host",))
    few = queries()
    for n in range(3, 30):
        _add(account, f"A{n}", "Lee", f"212-555-01{n:02d}", tags=("host",))
    assert queries() == few


def test_a_patch_changes_only_what_it_names(api: ApiClient, account: Account) -> None:
    ann = api.post(
        "/contacts",
        {
            "first_name": "Ann",
            "last_name": "Lee",
            "phones": [{"number": "212-555-0142"}],
            "tags": ["host"],
            "birthday": {"month": 3, "day": 14},
            "notes": "met at the fair",
        },
    ).json()
    phone_id = ann["phones"][0]["id"]
    response = api.patch(
        f"/contacts/{ann['id']}",
        {
            "last_name": "Park",
            "tags": ["recruit"],
            "clear_birthday": True,
            "phones": [{"id": phone_id, "remove": True}, {"number": "212-555-0199", "label": "home"}],
        },
    )
    assert response.status_code == 200, response.content
    changed = response.json()
    assert (changed["name"], changed["tags"], changed["birthday"]) == ("Ann Park", ["recruit"], None)
    assert [p["number"][-4:] for p in changed["phones"]] == ["0199"]
    assert changed["notes"] == "met at the fair"


def test_a_refused_patch_changes_nothing(api: ApiClient) -> None:
    ann = api.post("/contacts", {"first_name": "Ann", "last_name": "Lee"}).json()
    response = api.patch(f"/contacts/{ann['id']}", {"first_name": "", "last_name": "", "tags": ["x"]})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_input"
    after = api.get(f"/contacts/{ann['id']}").json()
    assert (after["name"], after["tags"]) == ("Ann Lee", [])


def test_a_flag_is_a_json_boolean_not_a_number_or_a_string(api: ApiClient, account: Account) -> None:
    for flag in (1, "1", "true"):
        response = api.post(
            "/contacts", {"first_name": "Ann", "phones": [{"number": "212-555-0142", "ok_at_work": flag}]}
        )
        assert response.status_code == 422, response.content
        assert response.json()["error"]["field"] == "phones.0.ok_at_work"
    assert not account.contacts.exists()


def test_an_imported_file_reports_what_it_did(api: ApiClient, account: Account) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = b"First Name,Last Name,Phone\nAnn,Lee,212-555-0142\nBo,Moss,212-555-0143\n,,\n"
    response = api.upload("/contacts/imports", {"file": SimpleUploadedFile("people.csv", csv, "text/csv")})
    assert response.status_code == 202, response.content
    job = api.get(f"/contacts/imports/{response.json()['id']}").json()
    assert job["status"] == "done", job
    assert (job["report"]["created"], job["file_name"]) == (2, "people.csv")
    assert sorted(_names(api.get("/contacts").json())) == ["Ann Lee", "Bo Moss"]
