"""A real SMTP server on loopback (aiosmtpd) for the outbox's tests, and Django sending to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ringback.testing.smtp import SmtpServer


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server: SmtpServer, settings: Any) -> Iterator[SmtpServer]:
    """The server, emptied and taking every message, with Django's email sent through it."""
    for name, value in smtp_server.settings().items():
        setattr(settings, name, value)
    settings.PUBLIC_URL = "https://ringback.example.com"
    box = smtp_server.mailbox
    with box.lock:
        box.received.clear()
        box.modes.clear()
        box.mode = "accept"
    yield smtp_server
