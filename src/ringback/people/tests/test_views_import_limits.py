"""Limits of the import page: a contact's caps shown in the preview and the report, a cap on the
files an account leaves waiting, the clean-up of old uploads and of a confirm cut short by a crash,
and the uploads' file modes."""

from __future__ import annotations

import os
import re
import stat
import time
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.test import Client
from django.urls import reverse

from ringback.contacts import uploads
from ringback.contacts.choices import ImportStatus
from ringback.contacts.models import Contact, ImportRun
from ringback.core.errors import UploadsWaiting
from ringback.core.interchange.incoming import MAX_NUMBERS
from ringback.people.tests.conftest import make_account, signed_in

FIXTURES = Path(__file__).resolve().parents[4] / "tests" / "fixtures" / "contacts"
IMPORT = reverse("contacts:import")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:
    """Uploads go to this test's own folder."""
    settings.DATA_DIR = tmp_path
    return tmp_path


def stored(data_dir: Path) -> list[str]:
    folder = data_dir / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def fixture_file(name: str = "google.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="text/csv")


def upload(client: Client, file: SimpleUploadedFile):
    return client.post(IMPORT, {"file": file, "file_format": ""})


def confirm_form(html: str) -> tuple[str, dict[str, str]]:
    found = re.search(r'<form method="post" action="(/contacts/import/[^/"]+/)">(.*?)</form>', html, re.S)
    assert found, html
    fields = dict(re.findall(r'<input type="hidden" name="(?!csrf)([^"]+)" value="([^"]*)">', found.group(2)))
    return found.group(1), fields


def token_of(html: str) -> str:
    return confirm_form(html)[0].rstrip("/").rsplit("/", 1)[1]


def field_error(html: str) -> str:
    found = re.search(r'<small id="id_file_error" class="field-error" role="alert">(.*?)</small>', html, re.S)
    return " ".join(unescape(found.group(1)).split()) if found else ""


def messages_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# --- a contact's caps in the preview and the report ---------------------------------------------


def many_numbers() -> SimpleUploadedFile:
    cell = " ::: ".join(f"+1 212 {200 + i // 10_000:03} {i % 10_000:04}" for i in range(20_000))
    text = f'First Name,Last Name,Phone 1 - Label,Phone 1 - Value\nAnn,Many,Mobile,"{cell}"\nBo,Few,Mobile,646 555 0101\n'
    return SimpleUploadedFile("many.csv", text.encode(), content_type="text/csv")


def test_the_preview_and_the_report_of_a_20000_number_cell_say_what_is_left_out(account, client):
    response = upload(client, many_numbers())
    assert response.status_code == 200
    html = response.content.decode()
    text = messages_of(html)
    assert f"A contact keeps at most {MAX_NUMBERS} numbers" in text
    assert f"2 Ann Many 19,980 numbers (a contact keeps at most {MAX_NUMBERS})" in text
    # The sample shows the first numbers as the file has them, not 20,000 of them.
    sample = re.search(r'<table class="import-sample">(.*?)</table>', html, re.S)
    assert sample and sample.group(1).count("+1 212 200") == MAX_NUMBERS
    assert "… and 19,980 more" in sample.group(1)
    assert len(html) < 60_000

    action, hidden = confirm_form(html)
    done = client.post(action, hidden, follow=True)
    page = messages_of(done.content.decode())
    assert (
        "Imported 2 contacts from many.csv; 1 row had more numbers, emails or addresses than a contact keeps"
        in page
    )
    ann = Contact.objects.get(account=account, first_name="Ann")
    assert ann.phones.count() == MAX_NUMBERS
    assert f'<a href="{reverse("contacts:detail", args=[ann.pk])}">Ann Many</a>' in done.content.decode()
    assert f"2 Ann Many 19,980 numbers (a contact keeps at most {MAX_NUMBERS})" in page


# --- a cap on the files waiting to be imported --------------------------------------------------


def test_a_sixth_waiting_file_is_refused_and_the_page_says_what_to_do(account, client, data_dir):
    tokens = [token_of(upload(client, fixture_file()).content.decode()) for _ in range(uploads.WAITING_LIMIT)]
    files = stored(data_dir)
    refused = upload(client, fixture_file("outlook.csv"))
    assert refused.status_code == 400
    html = refused.content.decode()
    assert field_error(html) == (
        f"You have {uploads.WAITING_LIMIT} files waiting to be imported, the most Ringback keeps at once. "
        "Import or cancel them (below), then send this file again."
    )
    assert stored(data_dir) == files  # nothing kept of the refused one
    for token in tokens:  # each waiting file can be previewed again (to import it) or cancelled
        assert reverse("contacts:import_preview", args=[token]) in html
        assert reverse("contacts:import_cancel", args=[token]) in html
    client.post(reverse("contacts:import_cancel", args=[tokens[0]]))
    assert upload(client, fixture_file("outlook.csv")).status_code == 200


def test_the_files_waiting_are_capped_by_their_total_size(account, client, data_dir, monkeypatch):
    size = (FIXTURES / "google.csv").stat().st_size
    monkeypatch.setattr(uploads, "WAITING_BYTES", 2 * size + 10)
    upload(client, fixture_file())
    upload(client, fixture_file())
    html = upload(client, fixture_file()).content.decode()
    assert field_error(html) == (
        f"The files waiting to be imported take {filesizeformat(2 * size)}; with this one "
        f"({filesizeformat(size)}) that is more than the {filesizeformat(2 * size + 10)} Ringback keeps "
        "at once. Import or cancel them (below), then send this file again."
    ).replace("\xa0", " ")


def test_another_accounts_waiting_files_do_not_count(account, client, monkeypatch):
    monkeypatch.setattr(uploads, "WAITING_LIMIT", 1)
    tom = signed_in(make_account("tom"))
    theirs = token_of(upload(tom, fixture_file()).content.decode())
    mine = token_of(upload(client, fixture_file()).content.decode())
    page = client.get(IMPORT).content.decode()
    assert reverse("contacts:import_preview", args=[mine]) in page
    assert theirs not in page


def test_a_waiting_file_is_previewed_again_and_imported_from_the_import_page(account, client, data_dir):
    token = token_of(upload(client, fixture_file()).content.decode())
    page = client.get(IMPORT).content.decode()
    assert "Files waiting to be imported" in page and "google.csv" in page
    again = client.get(reverse("contacts:import_preview", args=[token]))
    assert again.status_code == 200
    action, hidden = confirm_form(again.content.decode())
    assert client.post(action, hidden).status_code == 302
    assert Contact.objects.filter(account=account).exists() and stored(data_dir) == []
    assert "Files waiting to be imported" not in client.get(IMPORT).content.decode()
    assert client.get(reverse("contacts:import_preview", args=[token])).status_code == 302  # gone
    assert (
        signed_in(make_account("tom")).get(reverse("contacts:import_preview", args=["B" * 22])).status_code
        == 302
    )


def test_another_account_cannot_preview_a_waiting_file(account, client):
    token = token_of(upload(client, fixture_file()).content.decode())
    tom = signed_in(make_account("tom"))
    assert tom.get(reverse("contacts:import_preview", args=[token])).status_code == 404
    assert "google.csv" not in tom.get(IMPORT).content.decode()


# --- clean-up -----------------------------------------------------------------------------------


def test_old_uploads_are_deleted_when_the_import_page_is_shown(account, client, data_dir):
    token = token_of(upload(client, fixture_file()).content.decode())
    path = data_dir / "uploads" / f"{account.pk}-{token}"
    two_days_ago = time.time() - 2 * 24 * 3600
    for each in (path, path.with_name(path.name + ".name")):
        os.utime(each, (two_days_ago, two_days_ago))
    assert "google.csv" not in client.get(IMPORT).content.decode()
    assert stored(data_dir) == []


def crash_during_confirm(data_dir: Path, account, token: str) -> Path:
    """What a server killed during the import leaves: the file renamed to ``.importing``, its lock
    gone with the process."""
    path = data_dir / "uploads" / f"{account.pk}-{token}"
    claimed = path.with_name(path.name + ".importing")
    path.rename(claimed)
    return claimed


def test_a_confirm_cut_short_by_a_crash_is_said_plainly_on_the_next_visit(account, client, data_dir):
    html = upload(client, fixture_file()).content.decode()
    token = token_of(html)
    crash_during_confirm(data_dir, account, token)
    page = client.get(IMPORT)
    text = messages_of(page.content.decode())
    assert (
        "The import of google.csv was interrupted before it finished (the server stopped); nothing was "
        "imported. Choose the file again to import it."
    ) in text
    assert stored(data_dir) == [] and not Contact.objects.exists()
    run = ImportRun.objects.get(status=ImportStatus.INTERRUPTED)
    assert (run.file_name, run.upload, run.account_id) == ("google.csv", token, account.pk)
    # Sending the Import button again (the browser's retry) says the same, and does nothing more.
    again = client.post(*confirm_form(html), follow=True)
    assert "was interrupted before it finished" in messages_of(again.content.decode())
    assert ImportRun.objects.filter(status=ImportStatus.INTERRUPTED).count() == 1


def test_a_confirm_retried_after_a_crash_says_so(account, client, data_dir):
    html = upload(client, fixture_file()).content.decode()
    crash_during_confirm(data_dir, account, token_of(html))
    page = client.post(*confirm_form(html), follow=True)
    assert "The import of google.csv was interrupted before it finished" in messages_of(page.content.decode())
    assert stored(data_dir) == [] and not Contact.objects.exists()


def test_a_crash_after_the_import_was_saved_says_it_was_imported(account, client, data_dir):
    html = upload(client, fixture_file()).content.decode()
    token = token_of(html)
    path = data_dir / "uploads" / f"{account.pk}-{token}"
    kept = path.read_bytes()
    client.post(*confirm_form(html))  # imported; then pretend the process died before deleting
    path.with_name(path.name + ".importing").write_bytes(kept)
    run = ImportRun.objects.get(status=ImportStatus.DONE)
    text = messages_of(client.get(IMPORT).content.decode())
    assert f"google.csv was imported: {run.created} contacts created" in text
    assert stored(data_dir) == [] and not ImportRun.objects.filter(status=ImportStatus.INTERRUPTED).exists()


def test_an_import_still_running_is_not_taken_for_a_crash(account, client, data_dir):
    token = token_of(upload(client, fixture_file()).content.decode())
    waiting = uploads.upload_get(account=account, token=token)
    assert waiting is not None
    with uploads.upload_claimed(waiting) as path:  # another request is importing it right now
        assert path is not None
        page = messages_of(client.get(IMPORT).content.decode())
        assert "google.csv being imported now" in page
        assert path.exists() and not ImportRun.objects.filter(status=ImportStatus.INTERRUPTED).exists()
        uploads.uploads_clean(everyone=True)
        assert path.exists()


def test_another_accounts_crash_is_left_for_them_until_it_is_old(account, client, data_dir):
    token = token_of(upload(client, fixture_file()).content.decode())
    claimed = crash_during_confirm(data_dir, account, token)
    tom = signed_in(make_account("tom"))
    tom.get(IMPORT)
    assert claimed.exists()  # the owner is told on their next visit
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(claimed, (two_days_ago, two_days_ago))
    tom.get(IMPORT)
    assert not claimed.exists()
    assert ImportRun.objects.get(status=ImportStatus.INTERRUPTED).account_id == account.pk


# --- file modes ---------------------------------------------------------------------------------


def test_uploads_are_0600_in_a_0700_folder_whatever_the_umask(account, data_dir):
    folder = data_dir / "uploads"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)  # as an older Ringback, or a umask of 022, left it
    before = os.umask(0o022)
    try:
        kept = uploads.upload_store(account=account, upload=fixture_file())
    finally:
        os.umask(before)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}
    assert modes == {kept.path.name: 0o600, f"{kept.path.name}.name": 0o600}


def test_uploads_sent_at_once_cannot_pass_the_caps_together(account, data_dir, monkeypatch):
    """Ten 4 MB uploads at the same moment (ten tabs, a script), with room for three: the files
    waiting are counted and the new one written under one lock, so exactly three are kept."""
    from concurrent.futures import ThreadPoolExecutor

    from django.core.files.uploadedfile import TemporaryUploadedFile

    size = 4 * 1024 * 1024
    monkeypatch.setattr(uploads, "WAITING_BYTES", 3 * size + 1000)

    def send(_: int) -> str:
        with TemporaryUploadedFile("big.csv", "text/csv", size, "utf-8") as big:
            big.write(b"name,phone\n" + b"x" * (size - 11))  # written to disk in 64 KB pieces
            big.seek(0)
            try:
                uploads.upload_store(account=account, upload=big)
            except UploadsWaiting:
                return "refused"
            return "kept"

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(send, range(10)))
    assert results.count("kept") == 3 and results.count("refused") == 7
    assert [w.size for w in uploads.uploads_waiting(account=account)] == [size] * 3
