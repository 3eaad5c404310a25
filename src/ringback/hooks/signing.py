"""Signing a webhook delivery (the receiver's side is in ``docs/webhooks.md``).

``Ringback-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>." + body, keyed with the
webhook's secret>``. The timestamp is signed with the body, so a receiver that refuses old
timestamps (five minutes) cannot be sent a captured delivery again later.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

#: The headers of every delivery.
SIGNATURE_HEADER = "Ringback-Signature"
EVENT_HEADER = "Ringback-Event"
DELIVERY_HEADER = "Ringback-Delivery"
USER_AGENT = "Ringback-Webhooks/1"
#: How every secret starts (so that one pasted somewhere says what it is).
SECRET_PREFIX = "whsec_"


def secret_new() -> str:
    """A new webhook secret: ``whsec_`` and 32 random bytes, URL-safe."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The ``Ringback-Signature`` header of ``body`` sent at ``timestamp`` (Unix seconds)."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def delivery_headers(
    *, secret: str, timestamp: int, body: bytes, event: str, delivery_id: str
) -> dict[str, str]:
    """Every header of one attempt."""
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: event,
        DELIVERY_HEADER: delivery_id,
        SIGNATURE_HEADER: signature(secret=secret, timestamp=timestamp, body=body),
    }
