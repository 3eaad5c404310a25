"""The API's request parser: JSON bodies and query strings, refusing text no database can keep.

PostgreSQL refuses a NUL character in text and neither database can encode a lone surrogate, so
such a value would fail deep in a save as a server error. It is refused here, once for every
operation, as invalid input on the field that holds it.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from ninja.errors import ValidationError
from ninja.parser import Parser

UNSTORABLE = "contains a character that cannot be stored (a NUL character or a lone surrogate)"


class UnstorableText(ValueError):
    """A string of the request body that cannot be stored; ``field`` is its dotted path."""

    def __init__(self, field: str) -> None:
        super().__init__(f"{field}: {UNSTORABLE}")
        self.field = field


def storable(text: str) -> bool:
    """Whether ``text`` can be stored as text in SQLite and PostgreSQL alike."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check(value: Any, path: tuple[str, ...]) -> None:
    if isinstance(value, str):
        if not storable(value):
            raise UnstorableText(".".join(path) or "body")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not storable(key):
                raise UnstorableText(".".join(path) or "body")
            _check(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, (*path, str(index)))


class StorableParser(Parser):
    """Ninja's JSON parser, refusing text that cannot be stored: in a body as
    :class:`UnstorableText` (ninja turns it into a 400 that :mod:`ringback.api.v1` answers as a
    422 on the field), in a query string as a validation error on the parameter."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(request.body)
        _check(data, ())
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        for key, values in data.lists():
            # Ninja parses the uploaded files (request.FILES) here too: only text is checked.
            if not storable(key) or not all(storable(v) for v in values if isinstance(v, str)):
                raise ValidationError([{"loc": ("query", key), "msg": UNSTORABLE, "type": "unstorable"}])
        return super().parse_querydict(data, list_fields, request)
