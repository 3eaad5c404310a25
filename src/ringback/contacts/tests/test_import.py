"""Importing contact files: normalisation, merging, reports, dry runs and all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from ringback.activities.models import Touch
from ringback.contacts import importing
from ringback.contacts.choices import ImportStatus
from ringback.contacts.importing import BATCH, contacts_import
from ringback.contacts.models import Contact, ImportRun, Phone
from ringback.contacts.selectors import import_run_get
from ringback.contacts.services import PhoneInput, contact_create
from ringback.contacts.tests.conftest import make_account
from ringback.core.errors import ImportFailed, InvalidInput

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[4] / "tests" / "fixtures" / "contacts"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def book(account) -> dict[str, Contact]:
    return {
        c.name: c
        for c in Contact.objects.filter(account=account).prefetch_related(
            "phones", "emails", "tags", "addresses"
        )
    }


def test_google_export_numbers_labels_tags_notes_birthdays_and_zones(account):
    run = contacts_import(account=account, path=FIXTURES / "google.csv")
    assert run.status == ImportStatus.DONE and run.file_format == "google"
    people = book(account)
    zoe = people["Zoë Ñúñez"]
    assert [(p.number, p.label, p.is_valid) for p in zoe.phones.all()] == [
        ("+34612345678", "mobile", True),
        ("+34612345679", "mobile", True),
        ("+34911234567", "work", True),
    ]
    assert zoe.time_zone == "Europe/Madrid" and zoe.country == "ES"
    assert {t.name for t in zoe.tags.all()} == {"Customers", "Spain"}
    assert (zoe.birthday_month, zoe.birthday_day, zoe.birthday_year) == (4, 12, 1985)
    assert zoe.company == "Ñúñez & Hijos" and zoe.title == "Directora"
    sean = people["Seán O'Brien"]
    assert sean.notes.splitlines()[1] == "Prefers calls after 10am."
    assert 'the "big" order' in sean.notes
    assert (sean.birthday_month, sean.birthday_day, sean.birthday_year) == (11, 3, None)
    assert sean.time_zone == "Europe/Dublin"
    assert run.created == len(people) and run.rows == run.created + run.skipped
    assert all(isinstance(row, int) and reason for row, reason in run.problems)


def test_a_number_that_does_not_parse_is_kept_as_written_and_flagged(account, tmp_path):
    path = write(tmp_path, "leads.csv", "name,phone\nBob Ray,ask at the bakery 12\nCy Young,555-12\n")
    contacts_import(account=account, path=path)
    kept = {p.contact.first_name: (p.number, p.is_valid) for p in Phone.objects.select_related("contact")}
    assert kept == {"Bob": ("ask at the bakery 12", False), "Cy": ("555-12", False)}


def test_an_extension_is_kept(account, tmp_path):
    path = write(tmp_path, "leads.csv", "name,work phone\nAnn Lee,(212) 555-0100 ext. 42\n")
    contacts_import(account=account, path=path)
    phone = Phone.objects.get()
    assert (phone.number, phone.extension, phone.label) == ("+12125550100", "42", "work")


def test_the_address_decides_the_zone_when_the_number_spans_several(account, tmp_path):
    path = write(
        tmp_path,
        "au.csv",
        "name,mobile,city,state,country\nKylie Ng,+61 412 345 678,Perth,WA,Australia\nMo Ali,+61 412 345 679,,,\n",
    )
    contacts_import(account=account, path=path)
    people = book(account)
    assert people["Kylie Ng"].time_zone == "Australia/Perth"
    assert people["Mo Ali"].time_zone.startswith("Australia/")


def test_a_row_matching_a_contact_is_merged_without_losing_anything(account, tmp_path):
    mary = contact_create(
        account=account,
        first_name="Mary",
        last_name="Smith",
        company="Acme Bakery",
        phones=[PhoneInput("212-555-0123", label="work")],
        emails=["mary@example.com"],
        tags=["fair"],
        notes="Met at the fair.",
    )
    path = write(
        tmp_path,
        "phone.csv",
        "first name,last name,company,mobile,work phone,email,tags,notes,birthday\n"
        "Maria,Smith-Jones,Other Co,917-555-0188,(212) 555-0123,MARY@example.com;mary@home.example,"
        "vip,Likes mornings.,1980-02-29\n",
    )
    run = contacts_import(account=account, path=path)
    assert (run.created, run.merged, run.unchanged) == (0, 1, 0)
    mary = book(account)["Mary Smith"]  # the name and company already there are kept
    assert mary.company == "Acme Bakery"
    assert [(p.number, p.label) for p in mary.phones.all()] == [
        ("+12125550123", "work"),
        ("+19175550188", "mobile"),
    ]
    assert [e.address for e in mary.emails.all()] == ["mary@example.com", "mary@home.example"]
    assert {t.name for t in mary.tags.all()} == {"fair", "vip"}
    assert mary.notes == "Met at the fair.\n\nLikes mornings."
    assert (mary.birthday_month, mary.birthday_day, mary.birthday_year) == (2, 29, 1980)
    note = Touch.objects.get(contact=mary)
    assert note.channel == "note" and "Merged from phone.csv, row 2" in note.note
    assert "phone +19175550188" in note.note and "email mary@home.example" in note.note

    again = contacts_import(account=account, path=path)
    assert (again.created, again.merged, again.unchanged) == (0, 0, 1)
    assert Touch.objects.filter(contact=mary).count() == 1
    assert book(account)["Mary Smith"].notes == "Met at the fair.\n\nLikes mornings."


def test_importing_the_same_file_twice_changes_nothing_the_second_time(account):
    first = contacts_import(account=account, path=FIXTURES / "google.csv")
    before = [
        (c.name, c.notes, sorted(p.number for p in c.phones.all()), sorted(t.name for t in c.tags.all()))
        for c in book(account).values()
    ]
    touches = Touch.objects.count()
    second = contacts_import(account=account, path=FIXTURES / "google.csv")
    assert second.created == 0 and second.merged == 0 and second.unchanged == first.created + first.merged
    after = [
        (c.name, c.notes, sorted(p.number for p in c.phones.all()), sorted(t.name for t in c.tags.all()))
        for c in book(account).values()
    ]
    assert after == before and Touch.objects.count() == touches


def test_duplicates_inside_one_file_become_one_contact(account, tmp_path):
    path = write(
        tmp_path,
        "dupes.csv",
        "name,phone,email\nAnn Lee,646-555-0101,\nAnn Lee,+1 646 555 0101,ann@example.com\n"
        "Annie Lee,,ANN@example.com\nNo Number,,\nNo Number,,\n",
    )
    run = contacts_import(account=account, path=path)
    assert (run.created, run.merged, run.unchanged) == (2, 1, 2)
    ann = book(account)["Ann Lee"]
    assert [p.number for p in ann.phones.all()] == ["+16465550101"]
    assert [e.address for e in ann.emails.all()] == ["ann@example.com"]


def test_dry_run_changes_nothing_and_keeps_its_report(account, tmp_path):
    path = write(tmp_path, "leads.csv", "name,phone\nAnn Lee,646-555-0101\n,\nBo,\n")
    run = contacts_import(account=account, path=path, dry_run=True)
    assert run.status == ImportStatus.DRY_RUN and run.created == 2
    assert not Contact.objects.exists()
    assert import_run_get(account=account, pk=run.pk).created == 2


def test_reports_are_kept_and_private(account, tmp_path):
    path = write(tmp_path, "leads.csv", "name,phone,email\nAnn Lee,646-555-0101,\n!!!,,\n")
    run = contacts_import(account=account, path=path)
    kept = import_run_get(account=account, pk=run.pk)
    assert (kept.created, kept.skipped, kept.problems) == (1, 1, [[3, kept.problems[0][1]]])
    assert kept.problems[0][1]
    with pytest.raises(InvalidInput, match=f"no import report #{run.pk}"):
        import_run_get(account=make_account("olga"), pk=run.pk)


def test_a_file_that_cannot_be_read_keeps_a_failed_report_and_nothing_else(account, tmp_path):
    with pytest.raises(ImportFailed, match=r"empty\.csv"):
        contacts_import(account=account, path=FIXTURES / "empty.csv")
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED and "empty.csv" in run.error
    assert not Contact.objects.exists()


def test_an_interrupted_import_leaves_nothing_behind(account, tmp_path):
    """Ctrl-C after the first batch was written: the transaction is rolled back."""
    rows = "".join(f"Person {i},+1 646 555 {i:04}\n" for i in range(BATCH * 2 + 10))
    path = write(tmp_path, "big.csv", "name,phone\n" + rows)
    calls = []

    def interrupt(done: int, total: int, rows: int) -> None:
        calls.append(done)
        assert Contact.objects.filter(account=account).count() == BATCH  # the first batch is in
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        contacts_import(account=account, path=path, progress=interrupt)
    assert calls and not Contact.objects.exists() and not Phone.objects.exists()
    assert ImportRun.objects.get().status == ImportStatus.INTERRUPTED


def test_queries_per_row_are_bounded(account, tmp_path):
    """Rows are written in batches: the query count does not grow with the rows of a batch."""

    def count(n: int) -> int:
        rows = "".join(
            f"P{i} Q{n},+1 646 555 {n:02}{i:02},p{i}.{n}@example.com,t{i % 3}-{n}\n" for i in range(n)
        )
        path = write(tmp_path, f"n{n}.csv", "name,phone,email,tags\n" + rows)
        with CaptureQueriesContext(connection) as queries:
            contacts_import(account=account, path=path)
        return len(queries.captured_queries)

    # 40 rows stay under SQLite's 999 parameters per INSERT (Django splits bigger batches).
    assert count(40) == count(4)


def test_a_number_worker_gives_the_same_result_as_one_process(account, tmp_path):
    """Big files are read and prepared in a second process: nothing else changes."""
    rows = "".join(
        f"Person {i},+1 646 555 {i:04},{'ask at the bakery' if i % 97 == 0 else f'(212) 555-{i:04}'},p{i}@example.com\n"
        for i in range(BATCH * 3 + 17)
    )
    path = write(tmp_path, "big.csv", "name,mobile,work phone,email\n" + rows)
    one = contacts_import(account=account, path=path)
    other = make_account("olga")
    two = contacts_import(account=other, path=path, workers=1)
    assert (
        (two.created, two.merged, two.skipped)
        == (one.created, one.merged, one.skipped)
        == (BATCH * 3 + 17, 0, 0)
    )

    def numbers(owner) -> list[tuple[str, str, str, bool]]:
        return sorted(
            (p.contact.first_name + " " + p.contact.last_name, p.number, p.label, p.is_valid)
            for p in Phone.objects.filter(account=owner).select_related("contact")
        )

    assert numbers(other) == numbers(account) and ("Person 97", "ask at the bakery", "work", False) in [
        (n, num, lab, ok) for n, num, lab, ok in numbers(other)
    ]


def test_a_number_a_merge_brings_finds_its_contact_for_the_rows_after(account, tmp_path):
    """Merges into saved contacts are gathered and written later; the rows in between still
    find the contact by what the merge will add."""
    mary = contact_create(account=account, first_name="Mary", last_name="Smith",
                          phones=[PhoneInput("212-736-5000")])  # fmt: skip
    path = write(
        tmp_path,
        "later.csv",
        "name,phone,other phone,email\n"
        "Mary Smith,(212) 736-5000,917-555-0188,\n"  # merges, bringing a second number
        "M. Smith,917-555-0188,,mary@example.com\n"  # found by that number: merges too
        "Mary S,,,MARY@example.com\n",  # found by the email the row before brings
    )
    run = contacts_import(account=account, path=path)
    assert (run.created, run.merged, run.unchanged) == (0, 2, 1)
    assert sorted(p.number for p in mary.phones.all()) == ["+12127365000", "+19175550188"]
    assert [e.address for e in mary.emails.all()] == ["mary@example.com"]
    assert Contact.objects.filter(account=account).count() == 1


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'contacts_%'"
            )
        else:
            cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename LIKE 'contacts_%'")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="indexes are built after the rows on SQLite only")
def test_a_big_import_builds_the_indexes_after_the_rows(account, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "DEFER_INDEXES_ROWS", 2 * BATCH)
    before = _indexes()
    rows = "".join(f"Person {i},+1 646 555 {i:04},p{i}@example.com,t{i % 3}\n" for i in range(BATCH * 3))
    path = write(tmp_path, "big.csv", "name,phone,email,tags\n" + rows)
    during: list[set[str]] = []
    run = contacts_import(
        account=account, path=path, progress=lambda done, total, rows: during.append(_indexes())
    )
    assert run.created == BATCH * 3
    dropped = before - during[1]
    assert {"contact_name_idx", "phone_number_idx", "email_address_idx"} <= dropped
    assert not any("contact_id" in name and "tags" not in name for name in dropped)  # merges look up by it
    assert "contacts_contact_tags_contact_id_ff2c136b" in dropped  # the unique (contact, tag) index serves
    assert _indexes() == before
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        assert cursor.fetchone()[0] == "ok"
        # The search index merged its segments lazily during the import, and does so again after.
        cursor.execute("SELECT v FROM contacts_contact_fts_config WHERE k = 'automerge'")
        assert cursor.fetchone()[0] == 4
        cursor.execute("INSERT INTO contacts_contact_fts(contacts_contact_fts) VALUES ('integrity-check')")
    found = Phone.objects.filter(account=account, number="+16465550042").values_list("contact__first_name")
    assert list(found) == [("Person",)] and "phone_number_idx" in str(found.explain())

    def interrupt(done: int, total: int, rows: int) -> None:
        if done < total:
            assert "phone_number_idx" not in _indexes()
            raise KeyboardInterrupt

    more = "".join(f"Person {i},+1 917 555 {i:04},t{i % 3}\n" for i in range(BATCH * 9))
    bigger = write(tmp_path, "bigger.csv", "name,phone,tags\n" + more)  # more rows than the table has
    with pytest.raises(KeyboardInterrupt):
        contacts_import(account=make_account("olga"), path=bigger, progress=interrupt)
    assert _indexes() == before


def test_a_small_import_into_a_big_book_keeps_its_indexes(account, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "DEFER_INDEXES_ROWS", 10)
    contacts_import(
        account=account, path=write(tmp_path, "a.csv", "name\n" + "".join(f"P{i}\n" for i in range(50)))
    )
    before = _indexes()
    during: list[set[str]] = []
    path = write(tmp_path, "b.csv", "name\n" + "".join(f"Q{i}\n" for i in range(20)))
    contacts_import(account=account, path=path, progress=lambda done, total, rows: during.append(_indexes()))
    assert during and all(seen == before for seen in during)


def test_the_readers_length_limits_are_the_columns_sizes():
    """Rows are checked in the reader process, without Django: its limits must be the columns'."""
    from ringback.contacts.models import Address, Email, Tag
    from ringback.core.interchange.incoming import LIMITS

    def size(model: type[models.Model], name: str) -> int:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field) and field.max_length is not None, name
        return field.max_length

    columns = {
        "first_name": size(Contact, "first_name"),
        "last_name": size(Contact, "last_name"),
        "company": size(Contact, "company"),
        "title": size(Contact, "title"),
        "phone": size(Phone, "number"),
        "extension": size(Phone, "extension"),
        "email": size(Email, "address"),
        "tag": size(Tag, "name"),
        **{
            f"address {name.replace('_', ' ')}": size(Address, name)
            for name in ("label", "city", "region", "postal_code", "country")
        },
    }
    assert columns == LIMITS


def card(name: str, *lines: str) -> str:
    return f"BEGIN:VCARD\nVERSION:3.0\nFN:{name}\n" + "".join(f"{line}\n" for line in lines) + "END:VCARD\n"


def test_cards_of_one_new_person_bring_each_number_address_and_tag_once(account, tmp_path):
    text = (
        card("Di Places", "TEL:646-555-0101", "TEL:ask at the bakery", "CATEGORIES:Austin",
             "ADR;TYPE=home:;;1 Main St;Austin;TX;78701;US")
        # The same street, city and postal code is the same address; a number kept as written
        # is a repeat when she has it already.
        + card("Di Places", "TEL:646-555-0101", "TEL:ask at the bakery", "TEL:ask at the mill",
               "ADR;TYPE=work:;;1 Main St;Austin;;78701;", "ADR:;;2 Oak Ave;Austin;TX;78702;US",
               "CATEGORIES:Austin,Bakers")
        + card("Di Places", "TEL:646-555-0101", "TEL:ask at the mill", "ADR:;;2 Oak Ave;Austin;TX;78702;US",
               "CATEGORIES:Bakers")
    )  # fmt: skip
    run = contacts_import(account=account, path=write(tmp_path, "di.vcf", text))
    assert (run.created, run.merged, run.unchanged) == (1, 1, 1)
    di = book(account)["Di Places"]
    assert [(p.number, p.is_valid) for p in di.phones.all()] == [
        ("+16465550101", True),
        ("ask at the bakery", False),
        ("ask at the mill", False),
    ]
    assert [str(a) for a in di.addresses.all()] == [
        "1 Main St, Austin, TX, 78701, US",
        "2 Oak Ave, Austin, TX, 78702, US",
    ]
    assert sorted(t.name for t in di.tags.all()) == ["Austin", "Bakers"]
    assert not Touch.objects.exists()  # a new contact's merges are not written to its timeline


def test_a_number_of_someone_else_in_the_file_is_not_taken_by_a_new_contact(account, tmp_path):
    text = (
        card("Al One", "TEL:646-555-0101")
        + card("Bo Two", "TEL:646-555-0202")
        + card("Bo Two", "TEL:646-555-0202", "TEL:646-555-0101")  # Bo's, by the first number
    )
    run = contacts_import(account=account, path=write(tmp_path, "two.vcf", text))
    assert (run.created, run.merged, run.unchanged) == (2, 0, 1)
    people = book(account)
    assert [p.number for p in people["Al One"].phones.all()] == ["+16465550101"]
    assert [p.number for p in people["Bo Two"].phones.all()] == ["+16465550202"]
