"""The API's background work: forgetting idempotency answers once their day is over."""

from __future__ import annotations

from datetime import timedelta

from ringback.api.idempotency import idempotency_keys_purge
from ringback.jobs.background import background
from ringback.jobs.schedule import every


@every(timedelta(hours=1), name="api-idempotency-purge")
@background()
def idempotency_keys_purge_task() -> dict[str, int]:
    """Delete the kept answers older than a day (a retry after that is a new request anyway)."""
    return {"deleted": idempotency_keys_purge()}
