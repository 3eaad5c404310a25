"""A real SMTP server (aiosmtpd) and a real IMAP server (Dovecot) on loopback for the mail tests."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ringback.testing.imap import DOVECOT, ImapServer
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


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    """Dovecot on loopback (skipped where it is not installed, unless RINGBACK_REQUIRE_IMAP=1)."""
    if not DOVECOT.exists():
        if os.environ.get("RINGBACK_REQUIRE_IMAP") == "1":
            pytest.fail(
                f"RINGBACK_REQUIRE_IMAP=1 and no Dovecot at {DOVECOT} (apt-get install dovecot-imapd)"
            )
        pytest.skip(f"no Dovecot at {DOVECOT}: install dovecot-imapd to run the mailbox tests")
    root = Path(tempfile.mkdtemp(prefix="ringback-imap-"))
    server = ImapServer(root).start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap_user(imap_server: ImapServer) -> str:
    """A user of the IMAP server with an empty mailbox of its own."""
    return f"seller-{uuid.uuid4().hex[:12]}"
