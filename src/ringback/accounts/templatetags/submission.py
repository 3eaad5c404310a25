"""``{% submission_token %}``: the hidden one-time token of a form (see ringback.accounts.submissions)."""

from __future__ import annotations

import secrets

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ringback.accounts.submissions import FIELD

register = template.Library()


@register.simple_tag
def submission_token() -> SafeString:
    """A hidden field with a fresh token: each form rendered gets its own."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, secrets.token_urlsafe(18))
