"""Background tasks of the inbox: polling every mailbox that is set."""

from __future__ import annotations

from datetime import timedelta

from ringback.inbox.services import inboxes_poll
from ringback.jobs.background import background
from ringback.jobs.schedule import every

#: How often the mailboxes are read.
POLL_EVERY = timedelta(minutes=2)


@every(POLL_EVERY, name="inboxes-poll")
@background()
def inboxes_poll_due() -> dict[str, int]:
    """Read what arrived in every mailbox (see :func:`ringback.inbox.services.inbox_poll`)."""
    return inboxes_poll()
