"""Showing a domain error on a form, next to the field it is about."""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from ringback.core.errors import RingbackError


def sentence(message: str) -> str:
    """A domain message as a sentence: capital first letter."""
    return message[:1].upper() + message[1:]


def add_service_error(
    form: forms.Form,
    exc: RingbackError,
    *,
    default: str | None = None,
    fields: Mapping[str, str] | None = None,
    as_sentence: bool = True,
) -> None:
    """Show ``exc`` on ``form``: next to the field named by the error's ``field`` (through
    ``fields`` where the form calls it something else) if the form has it, else next to
    ``default``, else above the form. The message is never read to decide where it goes."""
    name = exc.field and (fields or {}).get(exc.field, exc.field)
    target = name if name in form.fields else default
    form.add_error(target, sentence(exc.message) if as_sentence else exc.message)
