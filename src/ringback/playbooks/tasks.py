"""Background tasks of playbooks: waking the enrollments whose pause with an end is over."""

from __future__ import annotations

from datetime import timedelta

from ringback.jobs.background import background
from ringback.jobs.schedule import every
from ringback.playbooks.services import enrollments_wake


@every(timedelta(minutes=10), name="enrollments-wake")
@background()
def enrollments_wake_due() -> int:
    """Resume the enrollments paused until a day that has come (out-of-office notices)."""
    return enrollments_wake()
