"""``ringback imports --clean``: the uploads left behind by the import page cleaned up without a
second process — files older than a day, and imports cut short by a crash, reported."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from ringback.accounts.models import Account
from ringback.contacts import uploads
from ringback.contacts.models import Contact, ImportRun


def store(account: Account, name: str) -> uploads.StoredUpload:
    text = b"name,phone\nAnn Lee,646-555-0101\n"
    return uploads.upload_store(
        account=account, upload=SimpleUploadedFile(name, text, content_type="text/csv")
    )


def test_imports_clean_deletes_old_uploads_and_reports_imports_cut_short(
    ringback: Any, write_csv: Any, settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    ringback.ok("import", write_csv([{"name": "Bo Ray", "phone": "212-555-0100"}]))
    account = Account.objects.get()
    old, cut, fresh = store(account, "old.csv"), store(account, "cut.csv"), store(account, "fresh.csv")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old.path, (two_days_ago, two_days_ago))
    cut.path.rename(cut.path.with_name(cut.path.name + ".importing"))  # a server killed while importing it

    data = ringback.json("imports", "--clean")
    run = ImportRun.objects.get(upload=cut.token)
    assert data == {
        "deleted": 1,
        "interrupted": [
            {
                "report": run.pk,
                "account": account.pk,
                "file": "cut.csv",
                "status": "interrupted",
                "error": run.error,
            }
        ],
    }
    assert run.error == "interrupted before it finished (the server stopped); nothing was imported"
    assert sorted(p.name for p in uploads.uploads_dir().iterdir()) == [
        fresh.path.name,
        f"{fresh.path.name}.name",
    ]
    assert Contact.objects.count() == 1

    again = ringback.ok("imports", "--clean")
    assert (
        again.out.strip()
        == "Nothing to clean up: no uploaded file is older than a day, and no import was cut short."
    )


def test_imports_clean_says_what_it_did(ringback: Any, write_csv: Any, settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    ringback.ok("import", write_csv([{"name": "Bo Ray", "phone": "212-555-0100"}]))
    cut = store(Account.objects.get(), "cut.csv")
    cut.path.rename(cut.path.with_name(cut.path.name + ".importing"))
    out = ringback.ok("imports", "--clean").out
    run = ImportRun.objects.get(upload=cut.token)
    assert "Deleted no uploaded file older than a day." in out
    assert f"Import of cut.csv (report #{run.pk}) was cut short by a crash: nothing was imported." in out
