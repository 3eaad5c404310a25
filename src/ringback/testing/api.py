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


class ApiClient:
    """``get/post/patch/put/delete`` under ``/api/v1`` with the token, JSON bodies by default, on
    Django's test client (``client``)."""

    PREFIX = "/api/v1"

    def __init__(self, token: str | None, **defaults: Any) -> None:
        if token is not None:
            defaults.setdefault("HTTP_AUTHORIZATION", f"Bearer {token}")
        self.client = Client(**defaults)

    def _url(self, path: str) -> str:
        return path if path.startswith("/api/") else self.PREFIX + path

    @staticmethod
    def _json(data: Any) -> Any:
        return json.dumps(data) if data is not None and not isinstance(data, str | bytes) else data

    def get(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self.client.get(self._url(path), data, **extra)

    def post(self, path: str, data: Any = None, content_type: str = "application/json", **extra: Any) -> Any:
        if content_type == "application/json":
            data = self._json(data)
        return self.client.post(self._url(path), data, content_type=content_type, **extra)

    def patch(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self.client.patch(self._url(path), self._json(data), content_type="application/json", **extra)

    def put(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self.client.put(self._url(path), self._json(data), content_type="application/json", **extra)

    def delete(self, path: str, data: Any = None, **extra: Any) -> Any:
        return self.client.delete(self._url(path), self._json(data), content_type="application/json", **extra)

    def upload(self, path: str, files: dict[str, Any], **extra: Any) -> Any:
        """A multipart POST (a file import)."""
        return self.client.post(self._url(path), files, **extra)
