"""The background worker (issue 13, first part): ``ringback worker --until-idle`` runs every task
due and exits; a failed task is retried with back-off up to its policy's attempts, then stays
failed with its error; the task of a worker that died (its lease expired, or a claim with no
lease for too long) is taken back once: queued again, or failed when it has no attempt left."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from django_tasks_db.models import DBTaskResult

from ringback.core import clock
from ringback.jobs import schedule
from ringback.jobs.background import RetryPolicy
from ringback.jobs.models import TaskLease
from ringback.jobs.services import jobs_reclaim, unleased_grace
from ringback.jobs.worker import worker_run
from ringback.testing import tasks

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_periodic_tasks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only this file's tasks run (not the app's periodic ones, e.g. the email scheduler)."""
    monkeypatch.setattr(schedule, "_PERIODIC", {})


def row(result: Any) -> DBTaskResult[Any, Any]:
    return DBTaskResult.objects.get(pk=result.id)


def test_until_idle_runs_every_task_due_and_keeps_its_result() -> None:
    first, second = tasks.add.enqueue(2, 3), tasks.add.enqueue(40, 2)
    assert worker_run(until_idle=True) == 2
    assert [(row(r).status, row(r).return_value) for r in (first, second)] == [
        ("SUCCESSFUL", 5),
        ("SUCCESSFUL", 42),
    ]
    assert worker_run(until_idle=True) == 0
    assert not TaskLease.objects.exists()


def test_the_command_runs_them_and_says_how_many(ringback: Any) -> None:
    result = tasks.add.enqueue(1, 1)
    assert ringback.ok("worker", "--until-idle").out == "Ran 1 task.\n"
    assert row(result).status == "SUCCESSFUL"
    assert ringback.json("worker", "--until-idle") == {"ran": 0}


def test_a_failed_task_is_retried_up_to_its_attempts() -> None:
    flaky = tasks.fail_twice.enqueue("flaky")
    hopeless = tasks.always_fail.enqueue("hopeless")
    worker_run(until_idle=True)
    done = row(flaky)
    assert (done.status, done.return_value, len(done.worker_ids)) == (
        "SUCCESSFUL",
        "flaky: done on attempt 3",
        3,
    )
    failed = row(hopeless)
    assert (failed.status, len(failed.worker_ids)) == ("FAILED", 2)
    assert failed.exception_class_path == "builtins.ValueError" and "hopeless never works" in failed.traceback


def test_a_retry_waits_its_back_off_and_until_idle_leaves_it_queued() -> None:
    result = tasks.fail_then_wait.enqueue("patient")
    before = clock.now()
    worker_run(until_idle=True)
    waiting = row(result)
    assert (waiting.status, len(waiting.worker_ids)) == ("READY", 1)
    assert timedelta(minutes=54) <= waiting.run_after - before <= timedelta(minutes=67)


def test_the_back_off_doubles_up_to_its_cap() -> None:
    policy = RetryPolicy(max_attempts=9, base_seconds=30, cap_seconds=300)
    waits = [policy.delay(n).total_seconds() for n in range(1, 7)]
    for wait, expected in zip(waits, (30, 60, 120, 240, 300, 300), strict=True):
        assert expected * 0.9 <= wait <= expected * 1.1


def _claimed_by_a_dead_worker(result: Any, *, lease_expired: bool | None) -> DBTaskResult[Any, Any]:
    """The row as a worker left it when it was killed: claimed, with its lease expired (or none)."""
    claimed = row(result)
    claimed.claim("ringback-dead")
    if lease_expired is not None:
        expires = clock.now() - timedelta(seconds=1) if lease_expired else clock.now() + timedelta(minutes=1)
        TaskLease.objects.create(result=claimed, worker_id="ringback-dead", expires_at=expires)
    return claimed


def test_a_dead_workers_task_is_taken_back_once_and_retried_or_failed() -> None:
    retried = _claimed_by_a_dead_worker(tasks.fail_twice.enqueue("again"), lease_expired=True)
    failed = _claimed_by_a_dead_worker(tasks.sleep.enqueue(0), lease_expired=True)
    alive = _claimed_by_a_dead_worker(tasks.add.enqueue(1, 2), lease_expired=False)
    assert jobs_reclaim() == 2
    assert jobs_reclaim() == 0  # once
    assert row(retried).status == "READY" and row(alive).status == "RUNNING"
    gone = row(failed)
    assert gone.status == "FAILED" and gone.exception_class_path == "ringback.jobs.services.WorkerDied"
    assert "ringback-dead" in gone.traceback
    assert not TaskLease.objects.filter(result__in=[retried, failed]).exists()


def test_a_claim_without_a_lease_is_taken_back_only_after_the_grace() -> None:
    claimed = _claimed_by_a_dead_worker(tasks.fail_twice.enqueue("unleased"), lease_expired=None)
    assert jobs_reclaim() == 0
    assert jobs_reclaim(now=clock.now() + unleased_grace() + timedelta(seconds=1)) == 1
    assert row(claimed).status == "READY"
    worker_run(until_idle=True)
    assert row(claimed).status == "SUCCESSFUL"


def test_serve_runs_the_worker_in_a_thread_on_sqlite_and_stops_it(ringback: Any, monkeypatch: Any) -> None:
    """One process is the whole of Ringback on its SQLite default: ``serve`` runs the tasks."""
    result = tasks.add.enqueue(20, 22)
    seen: list[str] = []

    def serve_until_done(app: Any, **kwargs: Any) -> None:  # waitress, serving until the task ran
        for _ in range(200):
            status = row(result).status
            if status == "SUCCESSFUL":
                break
            time.sleep(0.05)
        seen.append(status)

    monkeypatch.setattr("waitress.serve", serve_until_done)
    ringback.ok("serve", "--no-input", "--worker")
    assert seen == ["SUCCESSFUL"] and row(result).return_value == 42
    assert not [t for t in threading.enumerate() if t.name == "ringback-worker"]
    later = tasks.add.enqueue(1, 1)
    monkeypatch.setattr("waitress.serve", lambda app, **kwargs: time.sleep(1.5))
    ringback.ok("serve", "--no-input", "--no-worker")
    assert row(later).status == "READY"
