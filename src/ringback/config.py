"""Typed access to Ringback's own settings (``settings.RINGBACK``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def ringback_setting(name: str) -> Any:
    """The value of ``settings.RINGBACK[name]``."""
    table: dict[str, Any] = settings.RINGBACK
    return table[name]
