"""The web import in a real browser (Debian's Chromium driven by Playwright): confirming a file
lands on a page that follows the background import — the rows read and the bar move without the
page being reloaded — and that goes to the report when the import is done.

The worker is played by the test: it writes the progress the way the task does (the same file),
then runs the task's function, so the page is watched at known steps rather than raced.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ringback.contacts import import_jobs
from ringback.contacts.models import Contact, ImportJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_import_page_follows_the_worker_without_a_reload(
    demo_phone: Any, tmp_path: Path, artifacts: Path
) -> None:
    from playwright.sync_api import expect

    page = demo_phone.page
    people = "name,phone\n" + "".join(f"Browser Person{n},+1 646 555 {1000 + n:04d}\n" for n in range(5))
    source = tmp_path / "five.csv"
    source.write_text(people, encoding="utf-8")
    page.goto(f"{demo_phone.base}/contacts/import/")
    page.set_input_files("input[type=file]", str(source))
    page.get_by_role("button", name="Preview the import").click()
    page.get_by_role("button", name="Import 5 contacts").click()
    expect(page.get_by_text("Waiting for the background worker")).to_be_visible()
    job = ImportJob.objects.get()
    assert page.url.endswith(f"/contacts/imports/running/{job.pk}/")

    page.evaluate("window.__sameDocument = true")  # lost if the page reloads
    ImportJob.objects.filter(pk=job.pk).update(status="running")
    path = import_jobs._progress_path(job)
    import_jobs._progress_write(path, import_jobs.ImportProgress(rows=2, bytes_read=40, total=160))
    expect(page.locator("[data-rows]")).to_have_text("2", timeout=5000)
    expect(page.get_by_text("25% of the file")).to_be_visible()
    import_jobs._progress_write(path, import_jobs.ImportProgress(rows=4, bytes_read=120, total=160))
    expect(page.locator("[data-rows]")).to_have_text("4", timeout=5000)
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    page.screenshot(path=str(artifacts / "import-progress.png"))

    ImportJob.objects.filter(pk=job.pk).update(status="queued")
    assert import_jobs.import_job_run(pk=job.pk) == "done"
    page.wait_for_url("**/contacts/imports/*/", timeout=10000)
    expect(page.get_by_text("Imported 5 contacts from five.csv")).to_be_visible()
    assert Contact.objects.filter(first_name="Browser").count() == 5
    assert demo_phone.errors == [] and demo_phone.violations() == []
