"""Password rules of Ringback beyond Django's own validators."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

#: The demo account's user name, and its password, printed by ``ringback demo`` and in the README:
#: anyone knows it.
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "ringback-demo"
#: Passwords Ringback itself publishes.
PUBLISHED_PASSWORDS = frozenset({DEMO_PASSWORD})


class PublishedPasswordValidator:
    """Refuse a password Ringback publishes (the demo's): anyone could sign in with it."""

    def validate(self, password: str, user: Any = None) -> None:
        """Raise ValidationError when ``password`` is a published one."""
        if password in PUBLISHED_PASSWORDS:
            raise ValidationError(
                "This is the demo’s published password: anyone could sign in with it. Choose another.",
                code="password_published",
            )

    def get_help_text(self) -> str:
        """The rule, as the password forms list it."""
        return "Your password can’t be the demo’s published password."
