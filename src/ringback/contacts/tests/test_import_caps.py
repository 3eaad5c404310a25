"""A contact keeps at most so many numbers, emails and addresses: an import leaves the rest out and
says so in its report (which row, which contact, how many), on new and on saved contacts."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ringback.activities.models import Touch
from ringback.contacts.choices import ImportStatus
from ringback.contacts.importing import contacts_import
from ringback.contacts.models import Contact, Email, Phone
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core.interchange.incoming import MAX_ADDRESSES, MAX_EMAILS, MAX_NUMBERS
from ringback.people.management.reporting import import_run_data

pytestmark = pytest.mark.django_db

HEADER = "First Name,Last Name,Phone 1 - Label,Phone 1 - Value,E-mail 1 - Label,E-mail 1 - Value\n"


def number(i: int) -> str:
    return f"+1 212 {200 + i // 10_000:03} {i % 10_000:04}"


def google_row(first: str, last: str, numbers: list[str], emails: list[str]) -> str:
    return f'{first},{last},Mobile,"{" ::: ".join(numbers)}",Home,"{" ::: ".join(emails)}"\n'


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("workers", [0, 1], ids=["one process", "reader process"])
def test_the_20000_number_cell_keeps_20_numbers_and_the_report_says_how_many_were_left_out(
    account, tmp_path, workers
):
    cell = [number(i) for i in range(20_000)]
    emails = [f"ann{i}@example.org" for i in range(20_000)]
    path = write(tmp_path, "many.csv", HEADER + google_row("Ann", "Many", cell, emails))
    assert path.stat().st_size > 800_000
    run = contacts_import(account=account, path=path, workers=workers)
    ann = Contact.objects.get(account=account)
    assert list(ann.phones.values_list("number", flat=True)) == [
        f"+1212200{i:04}" for i in range(MAX_NUMBERS)
    ]
    assert list(ann.emails.values_list("address", flat=True)) == emails[:MAX_EMAILS]
    assert (run.status, run.created, run.skipped, run.capped) == (ImportStatus.DONE, 1, 0, 1)
    assert run.left_out == [
        {
            "row": 2,
            "contact": "Ann Many",
            "contact_id": ann.pk,
            "numbers": 19_980,
            "emails": 19_980,
            "addresses": 0,
        }
    ]
    data = import_run_data(run)
    assert data["left_out"] == run.left_out and data["left_out_count"] == 1


def test_a_dry_run_reports_what_would_be_left_out(account, tmp_path):
    path = write(tmp_path, "many.csv", HEADER + google_row("Ann", "Many", [number(i) for i in range(25)], []))
    run = contacts_import(account=account, path=path, dry_run=True)
    assert not Contact.objects.exists()
    assert run.status == ImportStatus.DRY_RUN and run.capped == 1
    assert [(e["row"], e["contact"], e["numbers"]) for e in run.left_out] == [(2, "Ann Many", 5)]


def test_merging_into_a_saved_contact_fills_it_up_to_the_cap_and_reports_the_rest(account, tmp_path):
    saved = contact_create(
        account=account,
        first_name="Ann",
        last_name="Saved",
        phones=[PhoneInput(number(i)) for i in range(MAX_NUMBERS - 2)],
    )
    numbers = [number(0)] + [number(100 + i) for i in range(5)]  # matches by the first number; 5 new
    path = write(tmp_path, "more.csv", HEADER + google_row("Ann", "Saved", numbers, ["ann@example.org"]))
    run = contacts_import(account=account, path=path)
    phones = list(Phone.objects.filter(contact=saved).order_by("id").values_list("number", flat=True))
    assert len(phones) == MAX_NUMBERS and phones[-2:] == ["+12122000100", "+12122000101"]
    assert list(Email.objects.filter(contact=saved).values_list("address", flat=True)) == ["ann@example.org"]
    assert (run.merged, run.capped) == (1, 1)
    assert run.left_out == [
        {"row": 2, "contact": "Ann Saved", "contact_id": saved.pk, "numbers": 3, "emails": 0, "addresses": 0}
    ]
    note = Touch.objects.get(contact=saved).note
    assert "added phone +12122000100; phone +12122000101; email ann@example.org" in note
    assert f"left out 3 numbers (a contact keeps at most {MAX_NUMBERS})" in note


def test_rows_that_make_up_one_new_contact_fill_it_up_to_the_caps(account, tmp_path):
    rows = HEADER + google_row("Bo", "Twice", [number(i) for i in range(15)], ["bo@example.org"])
    rows += google_row("Bo", "Twice", [number(200 + i) for i in range(8)], ["bo@example.org", "bo2@x.org"])
    run = contacts_import(account=account, path=write(tmp_path, "twice.csv", rows))
    bo = Contact.objects.get(account=account)
    assert bo.phones.count() == MAX_NUMBERS and bo.emails.count() == 2
    assert (run.created, run.merged, run.capped) == (1, 1, 1)
    assert [(e["row"], e["contact_id"], e["numbers"], e["emails"]) for e in run.left_out] == [
        (3, bo.pk, 3, 0)
    ]


@pytest.mark.parametrize("saved", [False, True], ids=["a new contact", "a saved contact"])
def test_a_thousand_rows_of_one_person_keep_the_caps_in_a_bounded_number_of_queries(account, tmp_path, saved):
    """Each row brings 20 new numbers that do not parse (kept as written, matched by text) and a
    new email; the person is matched by the first email. Without the caps the contact gathered
    20,000 numbers, each compared with every number gathered before: quadratic in the rows."""

    def rows(count: int) -> str:
        text = HEADER
        for r in range(count):
            odd = [f"ask at the bakery {r}-{i}" for i in range(MAX_NUMBERS)]
            text += google_row("Cy", "Often", odd, ["cy@example.org", f"cy{r}@example.org"])
        return text

    def book() -> None:
        Contact.objects.filter(account=account).delete()
        if saved:
            contact_create(account=account, first_name="Cy", last_name="Often", emails=["cy@example.org"])

    book()
    with CaptureQueriesContext(connection) as small:
        contacts_import(account=account, path=write(tmp_path, "small.csv", rows(10)))
    book()
    with CaptureQueriesContext(connection) as big:
        run = contacts_import(account=account, path=write(tmp_path, "big.csv", rows(1000)))
    cy = Contact.objects.get(account=account)
    assert cy.phones.count() == MAX_NUMBERS and cy.emails.count() == MAX_EMAILS
    adding = MAX_EMAILS - 1 if saved else MAX_EMAILS - 2  # rows that still add an email
    assert (run.created, run.merged, run.unchanged) == (0 if saved else 1, adding, 999 - adding + saved)
    assert run.capped == 999 and len(run.left_out) == 999
    first = run.left_out[0]
    assert (first["row"], first["contact_id"], first["numbers"], first["emails"]) == (
        3,
        cy.pk,
        MAX_NUMBERS,
        0,
    )
    assert (run.left_out[-1]["row"], run.left_out[-1]["numbers"], run.left_out[-1]["emails"]) == (1001, 20, 1)
    assert len(big.captured_queries) <= len(small.captured_queries) + 5


def test_addresses_beyond_the_cap_are_left_out_and_reported(account, tmp_path):
    text = "BEGIN:VCARD\nVERSION:3.0\nFN:Di Places\nTEL:646-555-0101\n"
    text += "".join(f"ADR;TYPE=home:;;{i} Main St;Austin;TX;78701;US\n" for i in range(MAX_ADDRESSES + 4))
    text += "END:VCARD\n"
    run = contacts_import(account=account, path=write(tmp_path, "di.vcf", text))
    di = Contact.objects.get(account=account)
    assert di.addresses.count() == MAX_ADDRESSES
    assert [(e["row"], e["contact"], e["addresses"]) for e in run.left_out] == [(1, "Di Places", 4)]


def addresses_card(name: str, streets: range) -> str:
    text = f"BEGIN:VCARD\nVERSION:3.0\nFN:{name}\nTEL:646-555-0101\n"
    text += "".join(f"ADR;TYPE=home:;;{i} Main St;Austin;TX;78701;US\n" for i in streets)
    return text + "END:VCARD\n"


def test_cards_that_make_up_one_new_contact_keep_the_address_cap(account, tmp_path):
    text = addresses_card("Di Places", range(MAX_ADDRESSES - 1))
    text += addresses_card("Di Places", range(MAX_ADDRESSES - 2, MAX_ADDRESSES + 2))  # 1 known, 3 new
    run = contacts_import(account=account, path=write(tmp_path, "di.vcf", text))
    di = Contact.objects.get(account=account)
    assert di.addresses.count() == MAX_ADDRESSES
    assert (run.created, run.merged, run.capped) == (1, 1, 1)
    assert [(e["row"], e["contact_id"], e["numbers"], e["addresses"]) for e in run.left_out] == [
        (MAX_ADDRESSES + 5, di.pk, 0, 2)  # the line the second card begins on
    ]


def test_merging_addresses_and_tags_into_a_saved_contact_keeps_the_cap_and_says_so(account, tmp_path):
    contacts_import(account=account, path=write(tmp_path, "di.vcf", addresses_card("Di Places", range(9))))
    di = Contact.objects.get(account=account)
    text = addresses_card("Di Places", range(8, 12)).replace("END:", "CATEGORIES:Austin,Bakers\nEND:")
    run = contacts_import(account=account, path=write(tmp_path, "more.vcf", text))
    assert di.addresses.count() == MAX_ADDRESSES
    assert sorted(t.name for t in di.tags.all()) == ["Austin", "Bakers"]
    assert (run.merged, run.capped) == (1, 1)
    assert run.left_out == [
        {"row": 1, "contact": "Di Places", "contact_id": di.pk, "numbers": 0, "emails": 0, "addresses": 2}
    ]
    assert Touch.objects.get(contact=di).note == (
        "Merged from more.vcf, row 1: added an address; tags Austin, Bakers; "
        f"left out 2 addresses (a contact keeps at most {MAX_ADDRESSES})."
    )
