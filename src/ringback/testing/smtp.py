"""A real SMTP server on loopback for the tests (aiosmtpd): it keeps what it accepts, and can be
told to refuse (for now or for good), to be slow, or to hang up in the middle of a message."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

#: What the server does with the next message: take it, or one of the failures.
MODES = ("accept", "refuse-later", "refuse", "slow", "hang-up")


@dataclass
class Mailbox:
    """What the server took, and what it does with the next messages (``modes``, consumed one
    per message, then ``mode``)."""

    mode: str = "accept"
    modes: list[str] = field(default_factory=list)
    slow_seconds: float = 3.0
    received: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def message_ids(self) -> Counter[str]:
        """How many times each Message-ID arrived."""
        with self.lock:
            return Counter(str(m["Message-ID"]) for m in self.received)

    def next_mode(self) -> str:
        with self.lock:
            return self.modes.pop(0) if self.modes else self.mode

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mode = self.next_mode()
        if mode == "refuse-later":
            return "451 4.3.0 Try again later"
        if mode == "refuse":
            return "550 5.1.1 No such user here"
        if mode == "hang-up":
            server.transport.close()
            return "421 4.4.2 Closing"
        if mode == "slow":
            await asyncio.sleep(self.slow_seconds)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.received.append(message)
        return "250 2.0.0 OK: queued"


def free_port() -> int:
    """A TCP port nothing listens on at 127.0.0.1 (for a server the test starts next)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """aiosmtpd on 127.0.0.1 on a free port, in a thread; ``mailbox`` holds what arrived."""

    def __init__(self) -> None:
        self.mailbox = Mailbox()
        self._port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self._port)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    @property
    def port(self) -> int:
        return self._port

    def stop(self) -> None:
        self.controller.stop()

    def settings(self) -> dict[str, Any]:
        """The Django settings that send through this server."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": self.port,
            "EMAIL_USE_TLS": False,
            "EMAIL_HOST_USER": "",
            "EMAIL_HOST_PASSWORD": "",
            "EMAIL_TIMEOUT": 1,
        }

    def environment(self) -> dict[str, str]:
        """The environment that makes a ``ringback`` process send through this server."""
        return {
            "RINGBACK_EMAIL_BACKEND": "smtp",
            "RINGBACK_EMAIL_HOST": "127.0.0.1",
            "RINGBACK_EMAIL_PORT": str(self.port),
        }
