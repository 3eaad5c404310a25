"""Periodic tasks, which the task library does not have: :func:`every` declares one, and each
worker calls :func:`schedule_tick` between batches; a job is enqueued once per period however
many workers tick at the same moment (the row that says when it is next due is moved on by a
guarded update, in the same transaction as the enqueue)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django_tasks.base import Task

from ringback.core import clock
from ringback.jobs.models import ScheduledJob


@dataclass(frozen=True, slots=True)
class Periodic:
    """A task enqueued every ``interval`` (without arguments)."""

    name: str
    interval: timedelta
    task: Task[Any, Any]


_PERIODIC: dict[str, Periodic] = {}


def every(interval: timedelta, *, name: str) -> Callable[[Task[Any, Any]], Task[Any, Any]]:
    """Declare the decorated background task (made with
    :func:`ringback.jobs.background.background`) periodic: enqueued every ``interval``, the
    first time on the first tick. The next run counts from the tick that enqueued it, so a
    worker that was down does not catch up with a burst."""
    if interval <= timedelta(0):
        raise ValueError("a periodic task needs an interval")

    def register(made: Task[Any, Any]) -> Task[Any, Any]:
        _PERIODIC[name] = Periodic(name=name, interval=interval, task=made)
        return made

    return register


def schedule_tick(*, now: datetime | None = None) -> list[str]:
    """Enqueue the periodic tasks that are due; the names of those this call enqueued."""
    now = now or clock.now()
    if not _PERIODIC:
        return []
    ScheduledJob.objects.bulk_create(
        [ScheduledJob(name=name, next_run_at=now) for name in _PERIODIC], ignore_conflicts=True
    )
    enqueued = []
    for job in ScheduledJob.objects.filter(name__in=list(_PERIODIC), next_run_at__lte=now):
        periodic = _PERIODIC[job.name]
        with transaction.atomic():
            moved = ScheduledJob.objects.filter(name=job.name, next_run_at=job.next_run_at).update(
                next_run_at=now + periodic.interval
            )
            if moved:
                periodic.task.enqueue()
                enqueued.append(job.name)
    return enqueued
