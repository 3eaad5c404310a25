"""The web import runs as a background task (issue 13): confirming starts it once and shows a page
that follows it without a reload (rows read, how much of the file), then the report; a worker that
died is said plainly; the request itself imports nothing."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from ringback.contacts import import_jobs
from ringback.contacts.models import Contact, ImportJob, ImportRun
from ringback.jobs import schedule
from ringback.jobs.worker import worker_run
from ringback.testing.sellers import make_account, signed_in

pytestmark = pytest.mark.django_db(transaction=True)
HTMX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}
ROWS = 3000


@pytest.fixture(autouse=True)
def _no_periodic(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> None:
    monkeypatch.setattr(schedule, "_PERIODIC", {})
    settings.DATA_DIR = tmp_path


def started(client: Client) -> str:
    """Upload a file of :data:`ROWS` people, confirm it; the job page's address."""
    text = "name,phone\n" + "".join(
        f"Person {n},+1 212 {200 + n // 10000} {n % 10000:04d}\n" for n in range(ROWS)
    )
    preview = client.post(
        reverse("contacts:import"),
        {"file": SimpleUploadedFile("people.csv", text.encode(), "text/csv"), "file_format": ""},
    )
    action = re.search(r'<form[^>]+action="(/contacts/import/[^/"]+/)"', preview.content.decode())
    assert action, preview.content.decode()[:2000]
    confirmed = client.post(action.group(1), {"file_format": "google"})
    assert confirmed.status_code == 302
    return str(confirmed["Location"])


def test_confirming_starts_it_once_and_the_page_follows_it_to_the_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = signed_in(make_account())
    page_url = started(client)
    assert not Contact.objects.exists()  # the request imported nothing
    job = ImportJob.objects.get()
    assert page_url == reverse("contacts:import_job", args=[job.pk]) and job.status == "queued"
    waiting = client.get(page_url).content.decode()
    assert "Waiting for the background worker" in waiting
    assert f'hx-get="{page_url}" hx-trigger="every 1s"' in waiting

    seen: list[str] = []
    real_write = import_jobs._progress_write

    def write_and_look(path: Path, progress: import_jobs.ImportProgress) -> None:
        real_write(path, progress)
        if progress.bytes_read < progress.total and not seen:
            seen.append(client.get(page_url, **HTMX).content.decode())  # the page's next poll

    monkeypatch.setattr(import_jobs, "PROGRESS_EVERY", 0)
    monkeypatch.setattr(import_jobs, "_progress_write", write_and_look)
    worker_run(until_idle=True)

    [during] = seen
    rows = re.search(r"<strong data-rows>([\d,]+)</strong> rows read · (\d+)% of the file", during)
    assert rows, during
    assert 0 < int(rows.group(1).replace(",", "")) < ROWS and 0 <= int(rows.group(2)) < 100
    assert "<progress value=" in during and 'hx-trigger="every 1s"' in during

    job.refresh_from_db()
    run = ImportRun.objects.get(status="done")
    assert (job.status, job.run_id) == ("done", run.pk) and Contact.objects.count() == ROWS
    done = client.get(page_url, **HTMX)
    assert done["HX-Redirect"] == reverse("contacts:import_report", args=[run.pk])
    plain = client.get(page_url)
    assert plain.status_code == 302 and plain["Location"] == reverse("contacts:import_report", args=[run.pk])
    assert not list((Path(import_jobs._progress_dir())).glob("*.json"))


def test_a_second_confirm_is_the_same_import() -> None:
    client = signed_in(make_account())
    page_url = started(client)
    job = ImportJob.objects.get()
    token = job.upload
    again = client.post(reverse("contacts:import_confirm", args=[token]), {"file_format": "google"})
    assert again["Location"] == page_url
    assert ImportJob.objects.count() == 1
    assert (
        DBTaskResult.objects.filter(task_path="ringback.contacts.import_jobs.import_job_run_task").count()
        == 1
    )


def test_an_import_whose_worker_died_says_so_and_nothing_was_imported() -> None:
    client = signed_in(make_account())
    page_url = started(client)
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status="running")
    DBTaskResult.objects.filter(pk=job.task_id).update(status="FAILED")
    page = client.get(page_url).content.decode()
    assert "The import stopped before it finished" in page and "hx-trigger" not in page
    assert not Contact.objects.exists()


def test_another_accounts_import_is_not_found() -> None:
    mine = signed_in(make_account())
    page_url = started(mine)
    other = signed_in(make_account("tom"))
    assert other.get(page_url).status_code == 404
    assert other.get(page_url, **HTMX).status_code == 404
