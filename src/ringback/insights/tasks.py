"""Background tasks of insights: counting results again when touches changed."""

from __future__ import annotations

from datetime import timedelta

from ringback.insights.services import insights_refresh_all
from ringback.jobs.background import background
from ringback.jobs.schedule import every

#: How often accounts are checked for new results.
REFRESH_EVERY = timedelta(minutes=10)


@every(REFRESH_EVERY, name="insights-refresh")
@background()
def insights_refresh_due_accounts() -> dict[str, int]:
    """Count again the results of every account whose touches changed (see
    :func:`ringback.insights.services.insights_refresh`)."""
    return {"accounts": insights_refresh_all()}
