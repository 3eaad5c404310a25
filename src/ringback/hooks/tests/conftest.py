"""An independent webhook receiver on loopback, as a seller's other tool would run one.

It verifies each delivery's signature the way ``docs/webhooks.md`` tells receivers to, written
here again with hmac, hashlib and time only (nothing of Ringback's signing code), and records
what it got. The answers it gives are planned by the test (200 unless told otherwise).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from ringback.accounts.models import Account
from ringback.accounts.services import account_create
from ringback.contacts.models import Contact
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock

#: Monday 23 November 2026, 09:00 in New York.
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
TOLERANCE = 300


def verify(secret: str, body: bytes, header: str, *, tolerance: int = TOLERANCE) -> bool:
    """The receiver's check: a ``t=...,v1=...`` header whose HMAC-SHA256 of ``"<t>." + body``
    under the secret matches, with a timestamp no older than ``tolerance`` seconds."""
    fields: dict[str, str] = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        fields.setdefault(key, value)
    try:
        stamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - stamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields.get("v1", ""))


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    """The receiver's state: its secrets (any may sign), planned answers and what it got."""

    port: int = 0
    secrets: list[str] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/ringback"

    def answer(self, *statuses: int) -> None:
        """Answer the next requests with these statuses (then 200)."""
        self.answers.extend(statuses)

    def verified(self) -> list[Received]:
        return [r for r in self.received if r.verified]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            header = self.headers.get("Ringback-Signature", "")
            with receiver.lock:
                ok = any(verify(secret, body, header) for secret in receiver.secrets)
                receiver.received.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, ok)
                )
                status = receiver.answers.pop(0) if receiver.answers else 200
            if not ok:
                status = 401
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"x" * 100_000 if status == 200 else b"no")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A receiver listening on 127.0.0.1 in a thread for the test."""
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def at_nine() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


@pytest.fixture
def account(db: None, at_nine: None) -> Account:
    return account_create(
        username="sally", password=None, seller_name="Sally Baker", time_zone="America/New_York"
    )


@pytest.fixture
def other(db: None, at_nine: None) -> Account:
    return account_create(
        username="bob", password=None, seller_name="Bob Other", time_zone="America/New_York"
    )


@pytest.fixture
def mary(account: Account) -> Contact:
    return contact_create(
        account=account,
        first_name="Mary",
        last_name="Smith",
        phones=[PhoneInput("(312) 555-0123")],
        emails=["mary@example.com"],
    )


@pytest.fixture
def private_ok(settings: Any) -> Any:
    """The server allows webhooks to loopback (the receiver is on 127.0.0.1)."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    return settings
