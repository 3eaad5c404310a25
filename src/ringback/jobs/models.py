"""The lease a worker holds on the task it runs: django-tasks-db leaves a task RUNNING forever
when its worker dies; a lease that expires lets another worker take it back (see
:func:`ringback.jobs.services.jobs_reclaim`)."""

from __future__ import annotations

from django.db import models
from django_tasks_db.models import DBTaskResult


class TaskLease(models.Model):
    """A worker's claim on a running task, renewed while it runs (one per task)."""

    result = models.OneToOneField(DBTaskResult, primary_key=True, on_delete=models.CASCADE, related_name="+")
    worker_id = models.CharField(max_length=64)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.result_id} held by {self.worker_id} until {self.expires_at:%Y-%m-%d %H:%M:%S}"


class ScheduledJob(models.Model):
    """When a periodic task (declared with :func:`ringback.jobs.schedule.every`) is next due: one
    row per job, moved on by the worker that enqueues it (so it is enqueued once per slot, however
    many workers tick at once)."""

    name = models.CharField(max_length=100, primary_key=True)
    next_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} next at {self.next_run_at:%Y-%m-%d %H:%M:%S}"
