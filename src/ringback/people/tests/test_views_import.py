"""The import page: upload a contact file, see a preview (a dry run), confirm or cancel; the
kept import reports; where uploads are stored and when they are deleted."""

from __future__ import annotations

import os
import re
import time
from html import unescape
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ringback.accounts.models import Account
from ringback.contacts import uploads
from ringback.contacts.choices import ImportStatus
from ringback.contacts.models import Contact, ImportJob, ImportRun
from ringback.contacts.services import PhoneInput, contact_create
from ringback.people.tests.conftest import NOW, make_account, signed_in

FIXTURES = Path(__file__).resolve().parents[4] / "tests" / "fixtures" / "contacts"
IMPORT = reverse("contacts:import")
REPORTS = reverse("contacts:imports")
A_TOKEN = "A" * 22

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> Path:
    """Uploads go to this test's own folder."""
    settings.DATA_DIR = tmp_path
    return tmp_path


def stored(data_dir: Path) -> list[str]:
    """The names of the files in the uploads folder."""
    folder = data_dir / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def fixture_file(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes(), content_type="text/csv")


def text_file(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def upload(client: Client, file: SimpleUploadedFile, file_format: str = ""):
    return client.post(IMPORT, {"file": file, "file_format": file_format})


def confirm_form(html: str) -> tuple[str, dict[str, str]]:
    """The preview's "Import" form: its address and its hidden fields (without the CSRF token)."""
    found = re.search(r'<form method="post" action="(/contacts/import/[^/"]+/)">(.*?)</form>', html, re.S)
    assert found, html
    fields = dict(re.findall(r'<input type="hidden" name="(?!csrf)([^"]+)" value="([^"]*)">', found.group(2)))
    return found.group(1), fields


def field_error(html: str, field: str) -> str:
    """The error shown under a field of the upload form."""
    found = re.search(
        rf'<small id="id_{field}_error" class="field-error" role="alert">(.*?)</small>', html, re.S
    )
    return unescape(found.group(1)) if found else ""


def sample_names(html: str) -> list[str]:
    table = re.search(r'<table class="import-sample">(.*?)</table>', html, re.S)
    assert table, html
    return [unescape(n) for n in re.findall(r"<tr>\s*<td>\d+</td>\s*<td>([^<]*)</td>", table.group(1))]


# --- access -----------------------------------------------------------------------------------


def test_sign_in_required_on_every_url():
    anonymous = Client()
    for method, url in [
        ("get", IMPORT),
        ("post", IMPORT),
        ("post", reverse("contacts:import_confirm", args=[A_TOKEN])),
        ("post", reverse("contacts:import_cancel", args=[A_TOKEN])),
        ("get", REPORTS),
        ("get", reverse("contacts:import_report", args=[1])),
    ]:
        response = getattr(anonymous, method)(url)
        assert response.status_code == 302 and "/login/" in response["Location"], (method, url)


def test_csrf_is_enforced_on_the_posts(account, data_dir):
    strict = signed_in(account, Client(enforce_csrf_checks=True))
    assert upload(strict, fixture_file("google.csv")).status_code == 403
    assert strict.post(reverse("contacts:import_confirm", args=[A_TOKEN])).status_code == 403
    assert strict.post(reverse("contacts:import_cancel", args=[A_TOKEN])).status_code == 403
    assert stored(data_dir) == [] and not ImportRun.objects.exists()


def test_the_confirm_and_cancel_addresses_take_only_posts(client):
    assert client.get(reverse("contacts:import_confirm", args=[A_TOKEN])).status_code == 405
    assert client.get(reverse("contacts:import_cancel", args=[A_TOKEN])).status_code == 405
    assert client.post("/contacts/import/../../etc/passwd/").status_code == 404


# --- the form ---------------------------------------------------------------------------------


def test_the_import_page_has_a_labelled_file_field_the_formats_and_what_merging_does(client):
    html = client.get(IMPORT).content.decode()
    assert 'enctype="multipart/form-data"' in html and 'name="csrfmiddlewaretoken"' in html
    assert '<label for="id_file">Contact file</label>' in html
    assert 'accept=".csv,.vcf,.vcard,.txt,text/csv,text/vcard"' in html
    assert '<label for="id_file_format">Kind of file</label>' in html
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', html)
    assert options == [
        ("", "Detect automatically"),
        ("google", "Google Contacts CSV"),
        ("google-legacy", "Google Contacts CSV (legacy)"),
        ("outlook", "Outlook CSV"),
        ("vcard", "vCard"),
        ("csv", "CSV"),
    ]
    for kind in ("Google Contacts", "Outlook", "iPhone or Android", "Any other CSV"):
        assert kind in html
    assert "nothing you have is overwritten" in html
    assert f'href="{REPORTS}"' in html


def test_the_contacts_pages_link_to_the_import_page(account, client):
    empty = client.get(reverse("contacts:list")).content.decode()
    assert f'<a href="{IMPORT}" role="button" class="secondary outline">Import</a>' in empty
    assert f'<a href="{IMPORT}">import the ones you have</a>' in empty
    assert f'<a href="{IMPORT}">Import a file</a>' in client.get(reverse("contacts:add")).content.decode()


# --- preview, confirm -------------------------------------------------------------------------


def test_google_file_preview_then_import_then_the_same_token_again(account, client, data_dir):
    response = upload(client, fixture_file("google.csv"))
    assert response.status_code == 200
    html = response.content.decode()
    dry = ImportRun.objects.get()
    assert dry.status == ImportStatus.DRY_RUN and dry.file_name == "google.csv" and dry.created > 0
    assert not Contact.objects.exists()  # nothing saved yet
    assert len(stored(data_dir)) == 2  # the file and its name

    assert "Read as <strong>Google Contacts CSV</strong>" in html
    assert f"<strong>{dry.created}</strong> new contacts would be created" in html
    assert f"<strong>{dry.skipped}</strong> rows skipped" in html
    for row, reason in dry.problems:
        assert f"<tr><td>{row}</td><td>{reason}</td></tr>" in unescape(html)
    names = sample_names(html)
    assert names[:2] == ["Zoë Ñúñez", "Seán O'Brien"]
    assert "Ñúñez &amp; Hijos" in html and "+34 612 34 56 78" in html and "zoe@nunez.example" in html
    assert '<span class="chip chip-tag">Customers</span>' in html

    action, hidden = confirm_form(html)
    assert hidden == {"file_format": "google"}
    assert f"Import {dry.created + dry.merged} contacts</button>" in html
    started = client.post(action, hidden)
    run = ImportRun.objects.get(status=ImportStatus.DONE)
    job = ImportJob.objects.get()
    assert started.status_code == 302 and started["Location"] == reverse("contacts:import_job", args=[job.pk])
    done = client.get(started["Location"])
    assert done.status_code == 302 and done["Location"] == reverse("contacts:import_report", args=[run.pk])
    assert Contact.objects.filter(account=account).count() == run.created == dry.created
    assert Contact.objects.filter(first_name="Zoë", last_name="Ñúñez").exists()
    assert stored(data_dir) == []  # deleted once imported

    report = client.get(done["Location"]).content.decode()
    assert f"Imported {run.created} contacts from google.csv; {run.skipped} rows skipped" in unescape(report)
    assert f"<strong>{run.created}</strong> new contacts created" in report
    assert "<dt>Status</dt><dd>Imported</dd>" in report

    again = client.post(action, hidden, follow=True)
    assert again.redirect_chain == [(IMPORT, 302)]
    assert "no longer waiting to be imported" in again.content.decode()
    assert ImportRun.objects.count() == 2 and Contact.objects.count() == run.created


def test_a_contact_already_there_is_merged_and_the_message_says_so(account, client):
    contact_create(account=account, first_name="Zoë", phones=[PhoneInput("+34 612 34 56 78")])
    html = upload(client, fixture_file("google.csv")).content.decode()
    assert "<strong>1</strong> would be merged into contacts you have" in html
    action, hidden = confirm_form(html)
    page = client.post(action, hidden, follow=True).content.decode()
    run = ImportRun.objects.get(status=ImportStatus.DONE)
    assert run.merged == 1
    assert f"Imported {run.created} contacts from google.csv; 1 merged into contacts you had;" in page


def test_a_vcard_file_is_detected_and_a_chosen_format_is_used(client):
    html = upload(client, fixture_file("iphone.vcf")).content.decode()
    assert "Read as <strong>vCard</strong>" in html
    assert confirm_form(html)[1] == {"file_format": "vcard"}

    wrong = upload(client, fixture_file("google.csv"), file_format="vcard")
    assert wrong.status_code == 400
    assert "there is no BEGIN:VCARD in this file" in field_error(wrong.content.decode(), "file")


def test_a_format_the_file_cannot_be_read_as_imports_nothing_and_says_why(account, client, data_dir):
    action, _ = confirm_form(upload(client, fixture_file("google.csv")).content.decode())
    page = client.post(action, {"file_format": "vcard"}, follow=True)
    assert page.redirect_chain == [(reverse("contacts:import_job", args=[ImportJob.objects.get().pk]), 302)]
    assert "Nothing was imported.</strong> google.csv: there is no BEGIN:VCARD" in page.content.decode()
    assert not Contact.objects.exists() and stored(data_dir) == []


def test_a_damaged_format_field_falls_back_to_detection(account, client):
    action, _ = confirm_form(upload(client, fixture_file("google.csv")).content.decode())
    assert client.post(action, {"file_format": "excel"}).status_code == 302
    assert ImportRun.objects.get(status=ImportStatus.DONE).file_format == "google"
    assert Contact.objects.filter(account=account).exists()


def test_outlook_file_chosen_by_hand(client):
    html = upload(client, fixture_file("outlook.csv"), file_format="outlook").content.decode()
    assert "Read as <strong>Outlook CSV</strong>" in html
    assert confirm_form(html)[1] == {"file_format": "outlook"}


def test_a_file_sent_as_vcf_is_read_as_a_vcard(client):
    response = upload(client, text_file("phone.vcf", "name,phone\nAnn Lee,212-555-0100\n"))
    assert response.status_code == 400
    assert "not a vCard file" in field_error(response.content.decode(), "file")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("binary.csv", "binary.csv: this is a binary file (a PNG image), not a contact list"),
        ("empty.csv", "empty.csv: the file is empty"),
        ("no-columns.csv", "no-columns.csv, row 1: no name, phone or email column"),
    ],
)
def test_an_unreadable_file_is_named_next_to_the_field_and_not_kept(client, data_dir, name, message):
    response = upload(client, fixture_file(name))
    assert response.status_code == 400
    html = response.content.decode()
    assert field_error(html, "file").startswith(message)
    assert html.index('id="id_file"') < html.index('id="id_file_error"') < html.index('id="id_file_format"')
    assert stored(data_dir) == []
    assert ImportRun.objects.get().status == ImportStatus.FAILED
    assert not Contact.objects.exists()


def test_a_file_over_the_limit_is_refused_next_to_the_field(client, data_dir, monkeypatch):
    monkeypatch.setattr(uploads, "UPLOAD_LIMIT", 100)
    response = upload(client, fixture_file("google.csv"))
    assert response.status_code == 400
    error = field_error(response.content.decode(), "file")
    assert error.startswith("google.csv is ") and "the largest file Ringback takes is 100\xa0bytes" in error
    assert stored(data_dir) == [] and not ImportRun.objects.exists()


def test_no_file_or_an_unknown_format_is_an_error_next_to_the_field(client):
    response = client.post(IMPORT, {"file_format": ""})
    assert response.status_code == 400
    assert field_error(response.content.decode(), "file") == "Choose the file to import."
    response = upload(client, fixture_file("google.csv"), file_format="excel")
    assert field_error(response.content.decode(), "file_format") == "Pick one of the kinds of file listed."


def test_names_and_file_names_are_escaped(account, client):
    file = text_file(
        "<b>x<b>.csv", "name,phone,email\n<script>alert(1)</script>,212-555-0100,a@example.com\n"
    )
    html = upload(client, file).content.decode()
    assert "<script>alert(1)</script>" not in html and "<b>x<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "Preview of &lt;b&gt;x&lt;b&gt;.csv" in html
    action, hidden = confirm_form(html)
    report = client.post(action, hidden, follow=True).content.decode()
    assert "<b>x<b>" not in report and "from &lt;b&gt;x&lt;b&gt;.csv" in report
    listed = client.get(REPORTS).content.decode()
    assert "<b>x<b>" not in listed and "&lt;b&gt;x&lt;b&gt;.csv" in listed
    assert Contact.objects.get().first_name == "<script>alert(1)</script>"


def test_the_preview_lists_the_first_100_skipped_rows_and_10_people(client):
    rows = [f"Person {n},212-555-{n:04d}" for n in range(15)]
    bad = [f"{'x' * 101},212-555-9999" for _ in range(150)]
    html = upload(
        client, text_file("many.csv", "name,phone\n" + "\n".join(rows + bad) + "\n")
    ).content.decode()
    assert len(sample_names(html)) == 10 and sample_names(html)[0] == "Person 0"
    assert html.count("first name: longer than 100 characters") == 100
    assert "… and 50 more skipped rows" in html
    assert "Import 15 contacts</button>" in html


def test_a_file_with_nothing_new_has_no_import_button(account, client):
    contact_create(account=account, first_name="Ann", last_name="Lee", phones=[PhoneInput("212-555-0100")])
    html = upload(client, text_file("same.csv", "name,phone\nAnn Lee,212-555-0100\n")).content.decode()
    assert "Nothing new in this file" in html and "Import 0" not in html
    assert "/cancel/" in html


def test_cancel_deletes_the_stored_file(account, client, data_dir):
    html = upload(client, fixture_file("google.csv")).content.decode()
    action, hidden = confirm_form(html)
    cancel = re.search(r'action="(/contacts/import/[^/"]+/cancel/)"', html)
    assert cancel
    page = client.post(cancel.group(1), follow=True)
    assert page.redirect_chain == [(IMPORT, 302)]
    assert "Cancelled: nothing was imported from google.csv." in page.content.decode()
    assert stored(data_dir) == []
    gone = client.post(action, hidden, follow=True).content.decode()
    assert "no longer waiting to be imported" in gone and not Contact.objects.exists()


# --- another account --------------------------------------------------------------------------


def test_another_account_cannot_use_the_upload_nor_see_the_reports(account, client, data_dir):
    html = upload(client, fixture_file("google.csv")).content.decode()
    action, hidden = confirm_form(html)
    token = action.rstrip("/").rsplit("/", 1)[1]
    mine = ImportRun.objects.get()

    tom = make_account("tom")
    other = signed_in(tom)
    assert other.post(action, hidden).status_code == 404
    assert other.post(reverse("contacts:import_cancel", args=[token])).status_code == 404
    assert len(stored(data_dir)) == 2 and not Contact.objects.exists()
    assert other.get(reverse("contacts:import_report", args=[mine.pk])).status_code == 404

    upload(other, fixture_file("outlook.csv"))
    listed = other.get(REPORTS).content.decode()
    assert "outlook.csv" in listed and "google.csv" not in listed
    assert "google.csv" in client.get(REPORTS).content.decode()

    assert client.post(action, hidden).status_code == 302  # the owner still can
    assert Contact.objects.filter(account=account).exists()
    assert not Contact.objects.filter(account=tom).exists()


# --- the reports ------------------------------------------------------------------------------


def test_the_reports_list_is_empty_at_first(client):
    html = client.get(REPORTS).content.decode()
    assert "No imports yet" in html and f'href="{IMPORT}"' in html


def report(account: Account, name: str, **fields) -> ImportRun:
    values = {"file_format": "google", "status": ImportStatus.DONE, "started_at": NOW, "finished_at": NOW}
    return ImportRun.objects.create(account=account, file_name=name, **(values | fields))


def test_the_reports_list_newest_first_in_the_sellers_zone(account, client):
    report(account, "old.csv", started_at=NOW.replace(day=1), created=5, merged=1, rows=7, skipped=1)
    report(account, "failed.csv", status=ImportStatus.FAILED, error="failed.csv: the file is empty")
    report(account, "preview.vcf", file_format="vcard", status=ImportStatus.DRY_RUN, rows=2, created=2)
    html = client.get(REPORTS).content.decode()
    files = re.findall(r'class="file-name">([^<]*)</a>', html)
    assert files == ["preview.vcf", "failed.csv", "old.csv"]
    assert "Mon 23 Nov 2026, 09:00 EST" in html and "Sun 1 Nov 2026, 09:00 EST" in html
    assert "Times are yours (America/New_York)" in html
    assert "7 rows: 5 created, 1 merged, 0 unchanged, 1 skipped" in html
    assert "failed.csv: the file is empty" in html and "Failed (nothing saved)" in html
    assert "Dry run (nothing saved)" in html and "· vCard" in html
    assert "2 rows: would create 2, merge 0, 0 unchanged, 0 skipped" in html


def test_the_reports_list_takes_the_same_queries_for_3_or_30(account, client):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(REPORTS).status_code == 200
        return len(queries)

    for n in range(3):
        report(account, f"f{n}.csv", problems=[[2, "no name, phone or email"]] * 50)
    few = count()
    for n in range(27):
        report(account, f"g{n}.csv")
    assert count() == few


def test_the_reports_list_pages(account, client):
    for n in range(55):
        report(account, f"file-{n:02d}.csv")
    first = client.get(REPORTS).content.decode()
    assert first.count('class="import-row"') == 50 and "Older →" in first
    second = client.get(REPORTS, {"page": 2}).content.decode()
    assert second.count('class="import-row"') == 5 and "file-00.csv" in second
    assert client.get(REPORTS, {"page": "zzz"}).status_code == 200


def test_a_report_in_full(account, client):
    run = report(
        account,
        "leads.csv",
        file_format="csv",
        rows=4,
        created=1,
        skipped=3,
        problems=[[3, "no name, phone or email"], [4, "email: longer than 254 characters"]],
    )
    html = client.get(reverse("contacts:import_report", args=[run.pk])).content.decode()
    assert '<h1 class="file-name">leads.csv</h1>' in html and "<dd>CSV</dd>" in html
    assert "<tr><td>3</td><td>no name, phone or email</td></tr>" in html
    assert "<tr><td>4</td><td>email: longer than 254 characters</td></tr>" in html
    assert "… and 1 more skipped row (only the first ones are kept)" in html
    assert "Mon 23 Nov 2026, 09:00 EST" in html

    failed = report(account, "bad.csv", status=ImportStatus.FAILED, error="bad.csv: the file is empty")
    html = client.get(reverse("contacts:import_report", args=[failed.pk])).content.decode()
    assert "bad.csv: the file is empty" in html and "Nothing was saved" in html

    dry = report(account, "p.csv", status=ImportStatus.DRY_RUN, created=2)
    html = client.get(reverse("contacts:import_report", args=[dry.pk])).content.decode()
    assert "This was a preview: nothing was saved." in html and "new contacts would be created" in html

    assert client.get(reverse("contacts:import_report", args=[99999])).status_code == 404


# --- the stored uploads -----------------------------------------------------------------------


def test_uploads_older_than_a_day_are_deleted_when_a_new_one_is_stored(account, client, data_dir):
    folder = data_dir / "uploads"
    folder.mkdir()
    old, fresh = folder / f"{account.pk}-{'o' * 22}", folder / f"{account.pk}-{'f' * 22}"
    old.write_text("old")
    fresh.write_text("fresh")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    upload(client, fixture_file("google.csv"))
    names = stored(data_dir)
    assert old.name not in names and fresh.name in names and len(names) == 3


def test_a_stored_upload_is_private_and_named_for_its_account(account, data_dir):
    kept = uploads.upload_store(account=account, upload=fixture_file("google.csv"))
    assert kept.path.name == f"{account.pk}-{kept.token}" and len(kept.token) == 22
    assert kept.path.read_bytes() == (FIXTURES / "google.csv").read_bytes()
    assert (kept.path.stat().st_mode & 0o777) == 0o600 and kept.name == "google.csv"
    assert uploads.upload_get(account=account, token=kept.token) == kept
    tom = make_account("tom")
    assert uploads.upload_get(account=tom, token=kept.token) is None
    assert uploads.upload_owned_by_another(account=tom, token=kept.token)
    assert not uploads.upload_owned_by_another(account=account, token=kept.token)
    assert uploads.upload_get(account=account, token="../../secret_key") is None


def test_an_upload_is_claimed_once(account, data_dir):
    kept = uploads.upload_store(account=account, upload=fixture_file("google.csv"))
    with uploads.upload_claimed(kept) as path:
        assert path is not None and path.exists()
        with uploads.upload_claimed(kept) as second:
            assert second is None
        assert uploads.upload_get(account=account, token=kept.token) is None
    assert stored(data_dir) == []


def test_an_unexpected_failure_of_the_preview_leaves_no_file(client, data_dir, monkeypatch):
    def broken(**_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("ringback.people.views.importing.contacts_import", broken)
    with pytest.raises(RuntimeError):
        upload(client, fixture_file("google.csv"))
    assert stored(data_dir) == []
