"""Periodic tasks (issue 13): a job declared with ``every`` is enqueued once per period, however
many workers tick at the same moment, and after downtime it runs once, not once per missed
period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from ringback.jobs import schedule
from ringback.jobs.models import ScheduledJob
from ringback.testing import tasks
from ringback.testing.racing import PARALLEL, at_once

pytestmark = pytest.mark.django_db(transaction=True)

T0 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def hourly(monkeypatch: Any) -> None:
    monkeypatch.setattr(schedule, "_PERIODIC", {})
    schedule.every(HOUR, name="hourly-add")(tasks.add)


def queued() -> int:
    return DBTaskResult.objects.filter(task_path=tasks.add.module_path).count()


@pytest.mark.usefixtures("hourly")
def test_a_periodic_task_is_enqueued_once_per_period_and_never_catches_up() -> None:
    assert schedule.schedule_tick(now=T0) == ["hourly-add"]
    assert schedule.schedule_tick(now=T0 + timedelta(minutes=59)) == []
    assert schedule.schedule_tick(now=T0 + HOUR) == ["hourly-add"]
    # Down for ten hours: one run, and the next an hour after it.
    assert schedule.schedule_tick(now=T0 + 11 * HOUR) == ["hourly-add"]
    assert queued() == 3
    assert ScheduledJob.objects.get(name="hourly-add").next_run_at == T0 + 12 * HOUR


@pytest.mark.usefixtures("hourly")
def test_twenty_workers_ticking_at_once_enqueue_it_once() -> None:
    results = at_once(PARALLEL, lambda i: schedule.schedule_tick(now=T0))
    assert sum(len(r) for r in results) == 1
    assert queued() == 1


def test_a_periodic_task_needs_an_interval() -> None:
    with pytest.raises(ValueError, match="needs an interval"):
        schedule.every(timedelta(0), name="never")
