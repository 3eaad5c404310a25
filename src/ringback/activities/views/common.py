"""What the activities views share: the request type, the links a card needs, the contact look-up."""

from __future__ import annotations

from functools import lru_cache

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware."""

    htmx: HtmxDetails


@lru_cache(maxsize=1)
def _contact_url_pattern() -> str | None:
    try:
        return reverse("contacts:detail", args=[987654321]).replace("987654321", "{id}")
    except NoReverseMatch:
        return None


@lru_cache(maxsize=1)
def _card_url_patterns() -> dict[str, str]:
    """The URLs of a card's forms with ``{id}`` for the contact (reversed once, not per card)."""
    names = {"log": "today_log", "connected": "today_connected", "note": "today_note"}
    return {key: reverse(name, args=[987654321]).replace("987654321", "{id}") for key, name in names.items()}


def card_urls(contact_id: int) -> dict[str, str]:
    return {key: pattern.format(id=contact_id) for key, pattern in _card_url_patterns().items()}


def contact_url(contact_id: int) -> str:
    """The contact's page (``contacts:detail`` once the contacts app has it)."""
    pattern = _contact_url_pattern()
    return pattern.format(id=contact_id) if pattern else f"/contacts/{contact_id}/"


@lru_cache(maxsize=1)
def print_url() -> str | None:
    """The Print page of the day's cards (the ``post`` app's, above this one), if it is installed."""
    try:
        return reverse("post:print")
    except NoReverseMatch:
        return None


def new_contact_url() -> str:
    for name in ("contacts:import", "contacts:create", "contacts:new", "contacts:add"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return reverse("contacts:list")
