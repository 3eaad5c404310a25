"""Background tasks with retries: :func:`background` makes a function a task of Django's task
API (django-tasks; ``django.tasks`` from Django 6) and records how often and how patiently it is
retried, which the task library itself does not do."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from django_tasks import task
from django_tasks.base import Task

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a failed task is tried again: up to ``max_attempts`` runs in all, each wait twice the
    one before from ``base_seconds``, at most ``cap_seconds``, give or take a tenth."""

    max_attempts: int = 1
    base_seconds: float = 30.0
    cap_seconds: float = 3600.0

    def delay(self, attempts: int, *, rng: random.Random | None = None) -> timedelta:
        """The wait before the run after ``attempts`` failed ones (jittered so that tasks that
        failed together are not all retried at the same moment)."""
        seconds = min(self.base_seconds * 2 ** max(attempts - 1, 0), self.cap_seconds)
        jitter = (rng or random).uniform(0.9, 1.1)
        return timedelta(seconds=seconds * jitter)


#: The retry policy of each task, by its import path (the ``task_path`` of its queued rows).
_POLICIES: dict[str, RetryPolicy] = {}
NO_RETRY = RetryPolicy()


def background(
    *,
    max_attempts: int = 1,
    base_seconds: float = 30.0,
    cap_seconds: float = 3600.0,
    priority: int = 0,
    queue_name: str = "default",
    takes_context: bool = False,
) -> Callable[[Callable[..., T]], Task[Any, T]]:
    """Make the decorated module-level function a background task, retried on failure up to
    ``max_attempts`` runs in all with exponential back-off (see :class:`RetryPolicy`). A task
    may run more than once (a retry, a worker that died mid-task): it must be idempotent."""
    if max_attempts < 1:
        raise ValueError("a task runs at least once")
    policy = RetryPolicy(max_attempts=max_attempts, base_seconds=base_seconds, cap_seconds=cap_seconds)

    # The task library types a context-taking task apart; this decorator takes either.
    make: Any = task

    def wrap(function: Callable[..., T]) -> Task[Any, T]:
        made: Task[Any, T] = make(priority=priority, queue_name=queue_name, takes_context=takes_context)(
            function
        )
        _POLICIES[made.module_path] = policy
        return made

    return wrap


def retry_policy(task_path: str) -> RetryPolicy:
    """The retry policy of the task at ``task_path`` (no retry for a task not made with
    :func:`background`)."""
    return _POLICIES.get(task_path, NO_RETRY)
