"""Background tasks for the tests of the worker (``ringback worker``): importable by every worker
process, as real tasks must be."""

from __future__ import annotations

import time

from django_tasks.base import TaskContext

from ringback.jobs.background import background


@background()
def add(a: int, b: int) -> int:
    """A task that succeeds: its return value is kept on its row."""
    return a + b


@background(max_attempts=3, base_seconds=0, cap_seconds=0, takes_context=True)
def fail_twice(context: TaskContext, label: str) -> str:
    """Fails on its first two attempts, then succeeds (retried at once: no back-off)."""
    if context.attempt < 3:
        raise RuntimeError(f"{label}: attempt {context.attempt} fails")
    return f"{label}: done on attempt {context.attempt}"


@background(max_attempts=2, base_seconds=0, cap_seconds=0)
def always_fail(label: str) -> None:
    """Fails every time: after its two attempts it stays failed, with the last error kept."""
    raise ValueError(f"{label} never works")


@background(max_attempts=4, base_seconds=3600, cap_seconds=7200)
def fail_then_wait(label: str) -> None:
    """Fails; its retry waits an hour (back-off), so a worker run until idle leaves it queued."""
    raise RuntimeError(f"{label} failed")


@background()
def sleep(seconds: float) -> float:
    """Takes ``seconds`` (to kill a worker in the middle of a task)."""
    time.sleep(seconds)
    return seconds
