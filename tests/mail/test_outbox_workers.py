"""Never twice, never lost (issue 13): 1,000 due emails, two real ``ringback worker`` processes on
PostgreSQL sending to a real SMTP server on loopback, and one of them killed with SIGKILL while
it hands a message over. Afterwards no Message-ID arrived twice, every email is sent, failed or
unknown (the counts add up to 1,000), every one marked sent arrived, and the one cut short is
"unknown", waiting for the seller: whether it arrived is exactly what nobody can know (here it did
not: the server drops a message whose sender hung up before the end of DATA).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django_tasks_db.models import DBTaskResult

from ringback.accounts.services import account_update
from ringback.activities.emailing import emails_queue_due
from ringback.core import clock
from ringback.core.outbox import SETTLED
from ringback.outbox.models import OutboundEmail
from ringback.testing.outbox import NOW, email_due, email_seller
from ringback.testing.smtp import SmtpServer

RINGBACK = Path(sys.executable).with_name("ringback")
EMAILS = 1000

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(not RINGBACK.exists(), reason=f"no console script at {RINGBACK}"),
]


@pytest.fixture
def postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "worker processes share the database: this runs in the PostgreSQL run (`make pytest-postgres`)"
        )


def worker_environment(smtp: SmtpServer) -> dict[str, str]:
    """What a worker process needs to work on this test's database and send to ``smtp``."""
    db = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RINGBACK_", "DJANGO_"))}
    env.update(
        RINGBACK_DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        RINGBACK_DATA_DIR=os.environ["RINGBACK_DATA_DIR"],
        RINGBACK_SECRET_KEY=settings.SECRET_KEY,
        RINGBACK_PUBLIC_URL="https://ringback.example.com",
        RINGBACK_TASK_LEASE_SECONDS="2",
        RINGBACK_EMAIL_RETRY_SECONDS="1",
        USER="sally",
        **smtp.environment(),
    )
    return env


def wait_for(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


@pytest.fixture
def workers(smtp: SmtpServer) -> Iterator[Callable[[], list[subprocess.Popen[bytes]]]]:
    """Starts the two worker processes when called; stops those still running at the end."""
    started: list[subprocess.Popen[bytes]] = []

    def start() -> list[subprocess.Popen[bytes]]:
        env = worker_environment(smtp)
        started.extend(
            subprocess.Popen(
                [str(RINGBACK), "worker", "--interval", "0.2", "--worker-id", name],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for name in ("first", "second")
        )
        return started

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


def statuses() -> Counter[str]:
    return Counter(OutboundEmail.objects.values_list("status", flat=True))


def test_two_workers_one_killed_mid_send_nothing_twice_nothing_lost(
    postgres: None, smtp: SmtpServer, workers: Callable[[], list[subprocess.Popen[bytes]]]
) -> None:
    with clock.frozen(NOW):
        account = email_seller()
        account_update(account=account, email_daily_cap=EMAILS)
        for number in range(EMAILS):
            email_due(account, number)
        assert emails_queue_due().queued == EMAILS

    running = workers()
    box = smtp.mailbox
    wait_for(lambda: len(box.received) >= EMAILS // 4, seconds=180, what="a quarter of the emails")
    box.slow_seconds, box.mode = 2.0, "slow"  # a slow server: catch the first worker mid-send
    wait_for(
        lambda: OutboundEmail.objects.filter(status="sending", worker_id="first").exists(),
        seconds=30,
        what="the first worker to be handing a message over",
    )
    running[0].send_signal(signal.SIGKILL)
    running[0].wait(timeout=10)
    box.mode = "accept"

    def all_settled() -> bool:
        open_tasks = DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exclude(
            task_path="ringback.activities.emailing.emails_schedule"
        )
        return set(statuses()) <= {s.value for s in SETTLED} and not open_tasks.exists()

    wait_for(all_settled, seconds=240, what="every email to be settled")
    time.sleep(2.5)  # the slow server is done with the killed worker's message by now

    arrived = box.message_ids()
    counts = statuses()
    rows: dict[str, Any] = dict(OutboundEmail.objects.values_list("message_id", "status"))
    assert [mid for mid, n in arrived.items() if n > 1] == [], "an email was sent twice"
    assert sum(counts.values()) == EMAILS and set(counts) <= {"sent", "failed", "unknown"}, counts
    assert counts["unknown"] >= 1, "the email cut short should be unknown"
    assert {mid for mid, status in rows.items() if status == "sent"} <= set(arrived), (
        "a sent email never arrived"
    )
    assert set(arrived) <= set(rows), "a message arrived that the outbox never made"
    unknown_arrived = sum(1 for mid, status in rows.items() if status == "unknown" and mid in arrived)
    assert counts["sent"] + unknown_arrived == len(arrived)
    assert running[1].poll() is None, "the surviving worker stopped"
