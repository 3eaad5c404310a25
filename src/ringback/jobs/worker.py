"""The worker: django-tasks-db's, with a lease renewed while a task runs and retries with
back-off after a failure; :func:`worker_run` is what ``ringback worker`` and ``ringback serve``
run."""

from __future__ import annotations

import logging
import threading
from typing import Any
from uuid import UUID

from django.db import close_old_connections, connections
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from ringback.core import clock
from ringback.jobs.models import TaskLease
from ringback.jobs.schedule import schedule_tick
from ringback.jobs.services import jobs_reclaim, lease_length, task_retry_if_allowed

logger = logging.getLogger(__name__)


class LeasedWorker(Worker):
    """A worker that holds a lease on the task it runs (renewed by a thread while it runs) and
    retries a failed task when its policy allows."""

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        TaskLease.objects.update_or_create(
            result=db_task_result,
            defaults={"worker_id": self.worker_id, "expires_at": clock.now() + lease_length()},
        )
        stop = threading.Event()
        renewer = threading.Thread(
            target=_renew, args=(db_task_result.pk, self.worker_id, stop), name="ringback-lease", daemon=True
        )
        renewer.start()
        try:
            super().run_task(db_task_result)
        finally:
            stop.set()
            renewer.join(timeout=5)
            TaskLease.objects.filter(result=db_task_result, worker_id=self.worker_id).delete()
        db_task_result.refresh_from_db(fields=["status", "worker_ids", "task_path"])
        if task_retry_if_allowed(result=db_task_result):
            logger.warning("Task %s failed; it will be tried again", db_task_result.pk)


def _renew(pk: UUID, worker_id: str, stop: threading.Event) -> None:
    """Renew the lease on task ``pk`` every third of :func:`lease_length` until ``stop`` is set."""
    try:
        while not stop.wait(lease_length().total_seconds() / 3):
            TaskLease.objects.filter(result_id=pk, worker_id=worker_id).update(
                expires_at=clock.now() + lease_length()
            )
    finally:
        connections.close_all()


def new_worker_id() -> str:
    """A worker id nobody else has (it is kept on each task it claims)."""
    return f"ringback-{get_random_string(12)}"


def worker_run(
    *,
    until_idle: bool = False,
    interval: float = 1.0,
    worker_id: str | None = None,
    stop: threading.Event | None = None,
) -> int:
    """Run tasks as they fall due: take back those of dead workers, enqueue the periodic tasks
    that are due, then run everything due.
    With ``until_idle``, return once nothing is due (for cron and tests); otherwise run until
    ``stop`` is set. Returns how many tasks it ran."""
    me = worker_id or new_worker_id()
    ran = 0
    stop = stop or threading.Event()
    while not stop.is_set():
        close_old_connections()
        jobs_reclaim()
        schedule_tick()
        worker = LeasedWorker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=me,
            excluded_queue_names=[],
        )
        worker.run()
        ran += worker._run_tasks  # the library keeps the count on this attribute only
        if until_idle and not DBTaskResult.objects.ready().exists():
            break
        stop.wait(interval if not until_idle else 0)
    return ran
