"""A client of the REST API for tests: Django's test client with a personal token in every
request's ``Authorization`` header, and the tokens to make one."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from ringback.accounts.choices import TokenScope
from ringback.accounts.models import Account
from ringback.accounts.services import api_token_create


def token_for(account: Account, *, scope: str = TokenScope.READ_WRITE, name: str = "tests") -> str:
    """A new token of ``account`` (its owner's), the raw string."""
    user = account.memberships.select_related("user").first()
    _, raw = api_token_create(account=account, user=user.user if user else None, name=name, scope=scope)
    return raw


class ApiClient(Client):
    """``get/post/patch/put/delete`` under ``/api/v1`` with the token, JSON bodies by default."""

    PREFIX = "/api/v1"

    def __init__(self, token: str | None, **defaults: Any) -> None:
        if token is not None:
            defaults.setdefault("HTTP_AUTHORIZATION", f"Bearer {token}")
        super().__init__(**defaults)

    def _url(self, path: str) -> str:
        return path if path.startswith("/api/") else self.PREFIX + path

    def get(self, path: str, data: Any = None, **extra: Any) -> Any:  # type: ignore[override]
        return super().get(self._url(path), data, **extra)

    def post(self, path: str, data: Any = None, content_type: str = "application/json", **extra: Any) -> Any:  # type: ignore[override]
        if content_type == "application/json" and data is not None and not isinstance(data, (str, bytes)):
            data = json.dumps(data)
        return super().post(self._url(path), data, content_type=content_type, **extra)

    def patch(self, path: str, data: Any = None, content_type: str = "application/json", **extra: Any) -> Any:  # type: ignore[override]
        if data is not None and not isinstance(data, (str, bytes)):
            data = json.dumps(data)
        return super().patch(self._url(path), data, content_type=content_type, **extra)

    def delete(
        self, path: str, data: Any = None, content_type: str = "application/json", **extra: Any
    ) -> Any:  # type: ignore[override]
        return super().delete(self._url(path), data, content_type=content_type, **extra)

    def upload(self, path: str, files: dict[str, Any], **extra: Any) -> Any:
        """A multipart POST (a file import)."""
        return Client.post(self, self._url(path), files, **extra)
