"""Exporting contacts: the service (all or filtered, one account only, queries per chunk not per
contact), the download from the contact list, and ``ringback export``."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import vobject
from django.db import connection
from django.http import HttpResponseBase, StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ringback.accounts.models import Account
from ringback.contacts.exporting import ExportFormat, contacts_cards, contacts_export
from ringback.contacts.models import Address, Contact, Email, Phone, Tag
from ringback.contacts.tests.conftest import NOW, make_account, signed_in
from ringback.core.interchange.records import Birthday, Card, CardAddress, CardEmail, CardPhone
from ringback.core.interchange.writers import unneutralise
from ringback.people.selectors import ContactFilters, contacts_filtered

pytestmark = pytest.mark.django_db

LIST = reverse("contacts:list")
CSV_URL = reverse("contacts:export", args=["csv"])
VCF_URL = reverse("contacts:export", args=["vcf"])


def person(
    account: Account,
    first: str,
    last: str = "",
    *,
    phones: Sequence[tuple[str, str, str]] = (),
    emails: Sequence[tuple[str, str]] = (),
    addresses: Sequence[dict[str, str]] = (),
    tags: Sequence[str] = (),
    **fields: Any,
) -> Contact:
    """A contact written straight to the tables: ``phones`` are (number, label, extension)."""
    contact = Contact.objects.create(
        account=account, first_name=first, last_name=last, created_at=NOW, updated_at=NOW, **fields
    )
    for number, label, extension in phones:
        Phone.objects.create(
            account=account, contact=contact, number=number, label=label, extension=extension
        )
    for address, label in emails:
        Email.objects.create(account=account, contact=contact, address=address, label=label)
    for parts in addresses:
        Address.objects.create(account=account, contact=contact, **parts)
    contact.tags.add(*(Tag.objects.get_or_create(account=account, name=t)[0] for t in tags))
    return contact


@pytest.fixture
def zoe(account: Account) -> Contact:
    return person(
        account,
        "Zoé",
        "O'Brien",
        company="Crème & Co",
        title="Owner",
        phones=[
            ("+12125550100", "mobile", ""),
            ("+12125550199", "work", "12"),
            ("020 7946 0000", "home", ""),
        ],
        emails=[("zoe@example.com", "home"), ("zoe@creme.example", "work")],
        addresses=[
            {"label": "home", "street": "12 Main St", "city": "Albany", "region": "NY", "country": "US"}
        ],
        tags=["vip", "party 2025"],
        notes="Met at the fair.\nCall after 5, ok?",
        birthday_month=4,
        birthday_day=12,
        status="customer",
        warmth="acquainted",
        do_not_contact=True,
    )


@pytest.fixture
def tom(account: Account) -> Contact:
    return person(
        account, "Tom", "Adams", phones=[("+13125550123", "mobile", "")], birthday_month=2, birthday_day=29,
        birthday_year=1980,
    )  # fmt: skip


@pytest.fixture
def stranger() -> Contact:
    """Someone in another seller's book."""
    return person(
        make_account("olivia"), "Olivia", "Other", phones=[("+13125550999", "mobile", "")], tags=["vip"]
    )


def export(
    account: Account, file_format: ExportFormat, filters: ContactFilters | None = None
) -> tuple[int, str]:
    out = io.StringIO(newline="")
    contacts = contacts_filtered(account=account, filters=filters) if filters is not None else None
    count = contacts_export(account=account, file_format=file_format, out=out, contacts=contacts)
    return count, out.getvalue()


def rows(text: str) -> list[dict[str, str]]:
    return [{k: unneutralise(v) for k, v in r.items()} for r in csv.DictReader(io.StringIO(text, newline=""))]


def names(text: str) -> list[str]:
    return [f"{r['First Name']} {r['Last Name']}" for r in rows(text)]


# --- the service ---------------------------------------------------------------------------------


def test_csv_has_every_contact_of_the_account_in_name_order_with_their_details(account, zoe, tom, stranger):
    count, text = export(account, ExportFormat.CSV)
    assert count == 2 and names(text) == ["Tom Adams", "Zoé O'Brien"]
    header = text.split("\r\n", 1)[0].split(",")
    assert header[17:21] == ["E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label", "E-mail 2 - Value"]
    assert "Phone 3 - Value" in header and "Phone 4 - Value" not in header
    assert "Address 1 - Street" in header and "Address 2 - Street" not in header
    tom_row, zoe_row = rows(text)
    assert [zoe_row[f"Phone {n} - {p}"] for n in (1, 2, 3) for p in ("Label", "Value")] == [
        "Mobile",
        "+12125550100",
        "Work",
        "+12125550199 ext. 12",
        "Home",
        "020 7946 0000",
    ]
    assert zoe_row["Labels"] == "* myContacts ::: party 2025 ::: vip"
    assert zoe_row["Birthday"] == "--04-12" and tom_row["Birthday"] == "1980-02-29"
    assert zoe_row["Notes"] == "Met at the fair.\nCall after 5, ok?"
    assert zoe_row["Organization Name"] == "Crème & Co" and zoe_row["Organization Title"] == "Owner"
    assert (zoe_row["Address 1 - Label"], zoe_row["Address 1 - City"]) == ("Home", "Albany")
    # Ringback's own state stays out of the file.
    for word in ("customer", "acquainted", "Customer", "Acquainted", "not contact", "Olivia"):
        assert word not in text


def test_contacts_become_the_cards_an_import_gives_back(account, zoe, tom, stranger):
    tom_card, zoe_card = contacts_cards(account=account)
    assert tom_card == Card(
        row=1,
        first_name="Tom",
        last_name="Adams",
        phones=(CardPhone("+13125550123", "mobile"),),
        birthday=Birthday(2, 29, 1980),
    )
    assert zoe_card == Card(
        row=2,
        first_name="Zoé",
        last_name="O'Brien",
        company="Crème & Co",
        title="Owner",
        phones=(
            CardPhone("+12125550100", "mobile"),
            CardPhone("+12125550199", "work", "12"),
            CardPhone("020 7946 0000", "home"),
        ),
        emails=(CardEmail("zoe@example.com", "home"), CardEmail("zoe@creme.example", "work")),
        addresses=(CardAddress("home", "12 Main St", "Albany", "NY", "", "US"),),
        birthday=Birthday(4, 12),
        tags=("party 2025", "vip"),
        notes="Met at the fair.\nCall after 5, ok?",
    )


def test_vcard_of_the_account_parses_back(account, zoe, tom, stranger):
    count, text = export(account, ExportFormat.VCARD)
    assert count == 2 and "Olivia" not in text
    tom_card, zoe_card = vobject.readComponents(text)
    assert zoe_card.version.value == "4.0" and zoe_card.fn.value == "Zoé O'Brien"
    assert [t.value for t in zoe_card.tel_list] == [
        "tel:+12125550100",
        "tel:+12125550199;ext=12",
        "020 7946 0000",
    ]
    assert zoe_card.categories.value == ["party 2025", "vip"]
    assert zoe_card.note.value == "Met at the fair.\nCall after 5, ok?"
    assert zoe_card.bday.value == "--0412" and tom_card.bday.value == "19800229"
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_filters_are_the_contact_lists(account, zoe, tom, stranger):
    person(account, "Ann", "Vip", tags=["vip"], status="host")
    assert names(export(account, ExportFormat.CSV, ContactFilters(tag="vip"))[1]) == [
        "Zoé O'Brien",
        "Ann Vip",
    ]
    assert names(export(account, ExportFormat.CSV, ContactFilters(status="host"))[1]) == ["Ann Vip"]
    assert names(export(account, ExportFormat.CSV, ContactFilters(search="adams"))[1]) == ["Tom Adams"]
    assert names(export(account, ExportFormat.CSV, ContactFilters(search="212 555 0100"))[1]) == [
        "Zoé O'Brien"
    ]
    count, text = export(account, ExportFormat.CSV, ContactFilters(search="olivia"))
    assert count == 0 and rows(text) == []
    count, text = export(account, ExportFormat.VCARD, ContactFilters(tag="vip", status="customer"))
    assert count == 1 and "FN:Zoé O'Brien" in text


def test_an_empty_book_gives_a_header_only(account):
    assert export(account, ExportFormat.CSV)[0] == 0
    assert export(account, ExportFormat.CSV)[1].count("\r\n") == 1
    assert export(account, ExportFormat.VCARD) == (0, "")


def busy_book(account: Account, size: int) -> None:
    for n in range(size):
        person(
            account,
            f"First{n:03d}",
            f"Last{n:03d}",
            phones=[(f"+1212555{n:04d}", "mobile", ""), (f"+1312555{n:04d}", "work", "9")],
            emails=[(f"p{n}@example.com", "home")],
            addresses=[{"city": "Albany", "label": "home"}],
            tags=["vip", f"group {n % 3}"],
        )


@pytest.mark.parametrize("file_format", list(ExportFormat))
def test_queries_are_per_chunk_not_per_contact(account, file_format):
    counted = {}
    for size in (5, 50):
        busy_book(account, size - Contact.objects.filter(account=account).count())
        with CaptureQueriesContext(connection) as queries:
            assert export(account, file_format)[0] == size
        counted[size] = len(queries)
    # The contacts, then their numbers, emails, addresses and tags; the CSV first asks how
    # many groups of columns the widest contact needs.
    assert counted[5] == counted[50] == (6 if file_format is ExportFormat.CSV else 5)

    out = io.StringIO()
    with CaptureQueriesContext(connection) as queries:
        assert contacts_export(account=account, file_format=file_format, out=out, chunk_size=20) == 50
    assert len(queries) <= counted[50] + 4 * 2  # two more chunks: their details, not the contacts again


# --- the download ------------------------------------------------------------------------------


def test_sign_in_required():
    response = Client().get(CSV_URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_download_csv_and_vcard(account, client, zoe, tom, stranger, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = client.get(CSV_URL)
        body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ringback-contacts-2026-11-23.csv"'
    assert "no-store" in response["Cache-Control"]
    assert names(body) == ["Tom Adams", "Zoé O'Brien"]

    response = client.get(VCF_URL)
    body = b"".join(response.streaming_content).decode()
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ringback-contacts-2026-11-23.vcf"'
    assert body.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n") and body.count("BEGIN:VCARD") == 2

    assert client.get(reverse("contacts:list") + "export.pdf").status_code == 404
    assert client.post(CSV_URL).status_code == 405


def test_download_uses_the_lists_filters(account, client, zoe, tom):
    def downloaded(**params: str) -> list[str]:
        return names(b"".join(client.get(CSV_URL, params).streaming_content).decode())

    assert downloaded(tag="vip") == ["Zoé O'Brien"]
    assert downloaded(q="tom") == ["Tom Adams"]
    assert downloaded(status="customer", warmth="acquainted") == ["Zoé O'Brien"]
    assert downloaded(tag="not-a-tag") == [
        "Tom Adams",
        "Zoé O'Brien",
    ]  # not on offer: ignored, as on the list
    assert downloaded(never="on", q="zoé") == ["Zoé O'Brien"]


def streamed(response: HttpResponseBase) -> str:
    """The body of a download, which is streamed."""
    assert isinstance(response, StreamingHttpResponse), type(response)
    return b"".join(response).decode()


def test_another_seller_downloads_only_their_own(account, zoe, stranger):
    olivia = signed_in(Account.objects.get(memberships__user__username="olivia"))
    for url in (CSV_URL, VCF_URL):
        body = streamed(olivia.get(url))
        assert "Olivia" in body and "Zoé" not in body
    body = streamed(olivia.get(CSV_URL, {"q": "zoé"}))
    assert rows(body) == []


def test_the_list_offers_the_export_for_what_it_shows(account, client, zoe):
    page = client.get(LIST).content.decode()
    assert 'id="export-menu"' in page and "Export all contacts" in page
    assert f'href="{CSV_URL}"' in page and f'href="{VCF_URL}"' in page
    assert page.count('id="export-menu"') == 1 and "hx-swap-oob" not in page

    filtered = client.get(LIST, {"tag": "vip", "q": "zo"}).content.decode()
    assert "Export these contacts" in filtered
    assert (
        f'href="{CSV_URL}?q=zo&amp;tag=vip"' in filtered and f'href="{VCF_URL}?q=zo&amp;tag=vip"' in filtered
    )

    # Search as you type replaces the results; the export control follows, out of band.
    partial = client.get(LIST, {"tag": "vip"}, HTTP_HX_REQUEST="true").content.decode()
    assert '<details class="dropdown" id="export-menu" hx-swap-oob="true">' in partial
    assert f'href="{CSV_URL}?tag=vip"' in partial


# --- ringback export -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def ringback(monkeypatch: pytest.MonkeyPatch):
    """``ringback ARGS`` in this process, inside the test database (as ``tests/conftest.py``'s
    fixture of the same name, which the app's tests cannot reach)."""
    from django.db import connections

    from ringback.cli import main

    monkeypatch.delenv("RINGBACK_USER", raising=False)
    monkeypatch.delenv("RINGBACK_NOW", raising=False)
    monkeypatch.setattr(connections, "close_all", lambda: None)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))

    def run(*args: str | Path) -> Run:
        out, err = io.StringIO(), io.StringIO()
        code = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main([str(a) for a in args])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
        return Run(code, out.getvalue(), err.getvalue())

    return run


def test_cli_writes_csv_to_stdout_and_nothing_else(ringback, zoe, tom):
    run = ringback("export", "--format", "csv")
    assert run.code == 0, run
    assert run.out.startswith("First Name,Middle Name,Last Name,") and names(run.out) == [
        "Tom Adams",
        "Zoé O'Brien",
    ]
    assert run.err.strip() == "Exported 2 contacts"


def test_cli_filters_and_vcard(ringback, zoe, tom):
    run = ringback("export", "--format", "vcard", "--tag", "vip")
    assert run.code == 0 and run.out.count("BEGIN:VCARD") == 1 and "FN:Zoé O'Brien\r\n" in run.out
    assert run.err.strip() == "Exported 1 contact"
    assert names(ringback("export", "--format", "csv", "--search", "adams").out) == ["Tom Adams"]
    assert names(ringback("export", "--format", "csv", "--status", "customer").out) == ["Zoé O'Brien"]


def test_cli_writes_a_file_atomically(ringback, zoe, tom, tmp_path):
    target = tmp_path / "contacts.csv"
    target.write_text("old")
    run = ringback("export", "--format", "csv", "--output", target)
    assert run.code == 0 and run.out == ""
    assert run.err.strip() == f"Exported 2 contacts to {target}"
    assert names(target.read_text(encoding="utf-8")) == ["Tom Adams", "Zoé O'Brien"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.csv"]  # no temporary left

    vcf = tmp_path / "book.vcf"
    assert ringback("export", "-o", vcf).code == 0  # the format from the name
    assert vcf.read_bytes().startswith(b"BEGIN:VCARD\r\nVERSION:4.0\r\n")
    assert stat_mode(vcf) == 0o600  # contacts are personal: a new file is the owner's only


def stat_mode(path: Path) -> int:
    return os.stat(path).st_mode & 0o777


def test_cli_only_exports_the_chosen_account(ringback, zoe, stranger):
    run = ringback("export", "--user", "olivia", "--format", "csv")
    assert run.code == 0 and names(run.out) == ["Olivia Other"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "pdf"), "error: format 'pdf' is not one of csv, vcard"),
        (("--format", "csv", "--status", "rich"), "error: status 'rich' is not one of"),
        (("--format", "csv", "--tag", "nope"), "error: no tag is called 'nope'"),
        (("--output", "/nonexistent-dir/contacts.csv"), "error: cannot write /nonexistent-dir/contacts.csv:"),
    ],
)
def test_cli_errors_are_one_line(ringback, zoe, args, message):
    run = ringback("export", *args)
    assert run.code == 1 and run.out == ""
    lines = [line for line in run.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(message), run


def test_cli_cannot_write_over_a_directory_and_leaves_nothing_behind(ringback, zoe, tmp_path):
    (tmp_path / "taken").mkdir()
    run = ringback("export", "--output", tmp_path / "taken")
    assert run.code == 1 and run.err.strip().startswith(f"error: cannot write {tmp_path / 'taken'}:")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]
