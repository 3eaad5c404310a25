"""Who may use the API: a live personal token, read-only tokens only reading, a rate per token."""

from __future__ import annotations

from typing import Any

import pytest

from ringback.accounts.models import Account
from ringback.accounts.selectors import api_tokens_list
from ringback.accounts.services import api_token_revoke
from ringback.testing.api import ApiClient, token_for

pytestmark = pytest.mark.django_db

ANN = {"first_name": "Ann", "last_name": "Lee", "phones": [{"number": "212-555-0142"}]}


def _error(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body: dict[str, Any] = response.json()["error"]
    return body


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer rb_nothing",
        "Bearer rb_0123456789ab_" + "x" * 43,
        "Basic c2FsbHk6cGFzc3dvcmQ=",
        "Bearer " + "é" * 5000,
    ],
)
def test_without_a_valid_token_it_is_401_in_json(account: Account, header: str | None) -> None:
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = ApiClient(None, **extra).get("/contacts")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    error = _error(response)
    assert error["code"] == "not_authenticated"
    assert error["errors"] == [{"code": "not_authenticated", "field": None, "message": error["message"]}]


def test_a_signed_in_browser_session_is_not_a_token(account: Account) -> None:
    client = ApiClient(None)
    client.client.force_login(account.memberships.get().user)
    assert client.get("/contacts").status_code == 401


def test_a_revoked_token_stops_at_once(account: Account) -> None:
    api = ApiClient(token_for(account))
    assert api.get("/contacts").status_code == 200
    api_token_revoke(account=account, token_id=api_tokens_list(account=account)[0].pk)
    assert api.get("/contacts").status_code == 401


def test_a_read_only_token_reads_but_cannot_write(account: Account) -> None:
    reader = ApiClient(token_for(account, scope="read"))
    assert reader.get("/contacts").status_code == 200
    response = reader.post("/contacts", ANN)
    assert response.status_code == 403
    assert _error(response)["code"] == "read_only_token"
    assert reader.get("/contacts").json()["items"] == []  # nothing was added


def test_the_token_records_when_it_was_last_used(account: Account) -> None:
    api = ApiClient(token_for(account))
    assert api_tokens_list(account=account)[0].last_used_at is None
    api.get("/contacts")
    assert api_tokens_list(account=account)[0].last_used_at is not None


def test_past_the_rate_a_token_gets_429_with_retry_after(account: Account, settings: Any) -> None:
    settings.API_RATE_LIMIT = "3/60"
    api = ApiClient(token_for(account, name="busy"))
    other = ApiClient(token_for(account, name="quiet"))
    assert [api.get("/contacts").status_code for _ in range(3)] == [200, 200, 200]
    refused = api.get("/contacts")
    assert refused.status_code == 429
    assert _error(refused)["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert other.get("/contacts").status_code == 200  # the limit is per token


def test_the_schema_and_the_docs_page_need_no_token(account: Account) -> None:
    anonymous = ApiClient(None)
    schema = anonymous.get("/openapi.json")
    assert schema.status_code == 200
    spec = schema.json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/contacts" in spec["paths"]
    assert "BearerAuth" in str(spec["components"]["securitySchemes"]) or spec["components"]["securitySchemes"]
    docs = anonymous.get("/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui-bundle.js" in docs.content
    assert b"<script>" not in docs.content  # the CSP allows no inline script
