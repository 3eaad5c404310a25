"""Export, then import into an empty account: the same contacts come back."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from ringback.accounts.models import Account
from ringback.contacts.exporting import ExportFormat, contacts_export
from ringback.contacts.importing import contacts_import
from ringback.contacts.models import Address, Contact, Email, Phone
from ringback.contacts.services import PhoneInput, contact_create
from ringback.contacts.tests.conftest import make_account

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[4] / "tests" / "fixtures" / "contacts"


def snapshot(account: Account) -> list[tuple[object, ...]]:
    """Everything a round trip must keep, per contact, in a comparable form."""
    contacts = Contact.objects.filter(account=account).prefetch_related(
        "phones", "emails", "addresses", "tags"
    )
    return sorted(
        (
            c.first_name,
            c.last_name,
            c.company,
            c.title,
            c.notes.replace("\r\n", "\n"),
            (c.birthday_month, c.birthday_day, c.birthday_year),
            sorted((p.number, p.extension, p.label, p.is_valid) for p in c.phones.all()),
            sorted((e.address, e.label) for e in c.emails.all()),
            sorted((a.street, a.city, a.region, a.postal_code, a.country) for a in c.addresses.all()),
            sorted(t.name for t in c.tags.all()),
        )
        for c in contacts
    )


def seed(account) -> None:
    contacts_import(account=account, path=FIXTURES / "google.csv")
    contacts_import(account=account, path=FIXTURES / "iphone.vcf")
    contacts_import(account=account, path=FIXTURES / "outlook.csv")
    tricky = contact_create(
        account=account,
        first_name='=HYPERLINK("http://evil.example")',
        last_name="@Risky",
        company="-Minus +Plus",
        phones=[
            PhoneInput("(212) 555-0100 ext. 42", label="work"),
            PhoneInput("ask at the bakery", label="home"),
        ],
        emails=["risky@example.com"],
        tags=["=cmd", "trade show 2026", "Ünïcode"],
        notes="=1+2\nLine two, with a comma; and a semicolon.\n\nLast line.",
        birthday=(2, 29, None),
        strict_phones=False,
    )
    Address.objects.create(
        account=account, contact=tricky, label="home", street="1 Main St\nApt 2", city="Miami",
        region="FL", postal_code="33101", country="US",
    )  # fmt: skip


@pytest.mark.parametrize("file_format", [ExportFormat.CSV, ExportFormat.VCARD])
def test_export_then_import_gives_back_the_same_contacts(account, tmp_path, file_format):
    seed(account)
    before = snapshot(account)
    assert len(before) >= 10 and Phone.objects.filter(is_valid=False).exists()
    out = io.StringIO()
    written = contacts_export(account=account, file_format=file_format, out=out)
    assert written == len(before)
    path = tmp_path / ("contacts.csv" if file_format == ExportFormat.CSV else "contacts.vcf")
    path.write_text(out.getvalue(), encoding="utf-8")

    empty = make_account("olga")
    run = contacts_import(account=empty, path=path)
    assert (run.created, run.skipped) == (len(before), 0), run.problems
    assert snapshot(empty) == before

    again = contacts_import(account=empty, path=path)
    assert (again.created, again.merged) == (0, 0) and snapshot(empty) == before
    assert Email.objects.filter(account=empty).count() == Email.objects.filter(account=account).count()
