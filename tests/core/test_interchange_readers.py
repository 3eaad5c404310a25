"""Reading contact files: what a seller sees from each kind of file they bring.

The fixtures in tests/fixtures/contacts are written from the formats' documented headers (Google's
current and legacy exports, Outlook's) and RFC 2426/6350 as iPhone and Android write them.
"""

from __future__ import annotations

import codecs
import csv
import io
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from ringback.core import clock
from ringback.core.errors import ImportFailed
from ringback.core.interchange.cards import open_cards
from ringback.core.interchange.csvcolumns import parse_mapping
from ringback.core.interchange.detect import detect_format
from ringback.core.interchange.records import (
    Birthday,
    Card,
    CardAddress,
    CardEmail,
    CardPhone,
    FileFormat,
    RowProblem,
)
from ringback.core.interchange.text import PIECE
from ringback.core.interchange.values import parse_birthday, split_full_name

FIXTURES = Path(__file__).parent.parent / "fixtures" / "contacts"


def read(path: Path, **options: object) -> list[Card | RowProblem]:
    with open_cards(path, **options) as reader:  # type: ignore[arg-type]
        return list(reader)


def cards(items: list[Card | RowProblem]) -> list[Card]:
    return [item for item in items if isinstance(item, Card)]


def problems(items: list[Card | RowProblem]) -> list[tuple[int, str]]:
    return [(item.row, item.reason) for item in items if isinstance(item, RowProblem)]


def by_name(items: list[Card | RowProblem]) -> dict[str, Card]:
    return {f"{c.first_name} {c.last_name}".strip() or c.company: c for c in cards(items)}


def failure(path: Path, **options: object) -> str:
    with pytest.raises(ImportFailed) as caught:
        read(path, **options)
    return str(caught.value)


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, bytes], Path]:
    def write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


# --------------------------------------------------------------------------- Google, current export


def test_google_csv_reads_every_person_as_written() -> None:
    items = read(FIXTURES / "google.csv")
    people = by_name(items)
    assert list(people) == [
        "Zoë Ñúñez",
        "Seán O'Brien",
        "Amélie Dupont",
        "Jack Wilson",
        "Acme Pty Ltd",
        "Bo",
        "Li Wei",
    ]

    zoe = people["Zoë Ñúñez"]
    assert zoe.row == 2
    assert (zoe.company, zoe.title) == ("Ñúñez & Hijos", "Directora")
    # " ::: " is two numbers with the same label; numbers stay as written.
    assert zoe.phones == (
        CardPhone("+34 612 34 56 78", "mobile"),
        CardPhone("+34 612 34 56 79", "mobile"),
        CardPhone("+34 91 123 45 67", "work"),
    )
    assert zoe.emails == (CardEmail("zoe@nunez.example", "work"),)
    assert zoe.birthday == Birthday(month=4, day=12, year=1985)
    assert zoe.tags == ("Customers", "Spain")  # "* myContacts" is Google's, not the seller's

    sean = people["Seán O'Brien"]
    assert sean.row == 3
    assert sean.birthday == Birthday(month=11, day=3, year=None)
    assert sean.phones == (CardPhone("+353 1 555 0142", "work"), CardPhone("+353 1 555 0143", "other"))
    assert sean.emails == (CardEmail("sean@obrien.example", "home"),)
    assert sean.notes == (
        'Met at the Dublin fair.\nPrefers calls after 10am.\nAsk about the "big" order, it\'s due in May.'
    )
    assert sean.tags == ()

    amelie = people["Amélie Dupont"]
    assert amelie.row == 6  # Seán's note ran over lines 3 to 5
    assert amelie.middle_name == "Claire"
    assert amelie.addresses == (
        CardAddress("home", "12 rue de la Paix\nAppartement 4", "Paris", "", "75002", "France"),
    )

    jack = people["Jack Wilson"]
    assert jack.row == 11  # Amélie's formatted address took 4 lines, then an empty row
    assert jack.phones == (
        CardPhone("+61 2 9876 5432", "other"),  # "Main"
        CardPhone("+61 412 345 678", "mobile"),
        CardPhone("+1 202-555-0175", "other"),  # "Google Voice"
    )
    assert jack.emails == (
        CardEmail("jack@wilson.example", "home"),
        CardEmail("j.wilson@builders.example", "home"),
    )
    assert jack.birthday == Birthday(month=9, day=30, year=1979)  # from "Event 1", labelled Birthday
    assert jack.addresses == (CardAddress("work", "4 George St", "Sydney", "NSW", "2000", "Australia"),)

    acme = people["Acme Pty Ltd"]
    assert (acme.first_name, acme.last_name, acme.company) == ("", "", "Acme Pty Ltd")
    assert acme.tags == ("Suppliers",)
    assert people["Bo"].phones == (CardPhone("07700 900461", "mobile"),)  # a nickname is a name
    # A date that does not exist is kept for the seller to see, in the notes.
    assert people["Li Wei"].birthday is None
    assert people["Li Wei"].notes == "Birthday: 1990-02-31"
    assert people["Li Wei"].emails == (CardEmail("li.wei@example.cn", "other"),)


def test_google_csv_problems_name_their_rows() -> None:
    items = read(FIXTURES / "google.csv")
    # Row 10 is empty and skipped without a word.
    assert problems(items) == [(12, "this row has no letters or digits"), (14, "no name, phone or email")]


# --------------------------------------------------------------------------- Google, legacy export


def test_google_legacy_csv_in_utf16() -> None:
    assert (FIXTURES / "google-legacy.csv").read_bytes()[:2] == codecs.BOM_UTF16_LE
    items = read(FIXTURES / "google-legacy.csv")
    assert problems(items) == []
    bjorn, mary, lee, info = cards(items)

    assert (bjorn.row, bjorn.first_name, bjorn.last_name) == (2, "Björn", "Lindqvist")
    assert (bjorn.company, bjorn.title) == ("Lindqvist AB", "Inköpschef")
    assert bjorn.phones == (
        CardPhone("+46 70 123 45 67", "mobile"),
        CardPhone("+46 70 765 43 21", "mobile"),
        CardPhone("+46 8 123 456 78", "work"),
    )
    assert bjorn.emails == (CardEmail("bjorn@lindqvist.example", "work"),)
    assert bjorn.tags == ("Suppliers",)
    assert bjorn.birthday == Birthday(12, 1, 1975)

    # Only "Name" is filled: split at the last space.
    assert (mary.row, mary.first_name, mary.last_name) == (3, "Mary-Kate", "O'Neil")
    assert mary.phones == (CardPhone("(555) 010-0199", "home"),)
    assert mary.tags == ("Friends",)  # "* My Contacts" and "* Starred" dropped, "* Friends" kept
    assert mary.addresses == (
        CardAddress("home", "1 Main St", "Springfield", "IL", "62701", "United States"),
    )
    assert mary.notes == "Daughter of Kate.\nCall on weekends."

    assert (lee.row, lee.first_name, lee.last_name) == (7, "小龍", "李")
    assert lee.phones == (CardPhone("+852 2123 4567", "work"),)
    assert (info.row, info.emails, info.has_name) == (8, (CardEmail("info@example.org", "other"),), False)


# --------------------------------------------------------------------------- Outlook


def test_outlook_csv_in_windows_1252() -> None:
    raw = (FIXTURES / "outlook.csv").read_bytes()
    assert "O’Hara".encode("cp1252") in raw and b"\xc3" not in raw  # really cp1252, not UTF-8
    items = read(FIXTURES / "outlook.csv")
    assert problems(items) == []
    francois, jurgen, siobhan, cafe = cards(items)

    assert (francois.first_name, francois.last_name) == ("François", "Lefèvre")
    assert (francois.company, francois.title) == ("Société Générale d'Équipement", "Acheteur")  # not "M."
    assert francois.phones == (
        CardPhone("+33 1 40 20 50 50", "work"),
        CardPhone("+33 6 98 76 54 32", "mobile"),
    )
    assert francois.emails == (CardEmail("francois@lefevre.example", "home"),)
    assert francois.birthday == Birthday(4, 12, 1985)
    assert francois.addresses == (
        CardAddress("work", "5 avenue Anatole France", "Paris", "", "75007", "France"),
    )
    assert francois.tags == ("Clients", "VIP")
    assert francois.notes == "Rappeler en janvier.\nTrès intéressé."
    assert francois.row == 2

    assert jurgen.row == 4  # François's notes took two lines
    assert jurgen.birthday is None and jurgen.notes == ""  # 0/0/00 is no birthday
    assert jurgen.phones == (CardPhone("+49 30 1234567", "home"), CardPhone("+49 30 1234568", "other"))
    assert jurgen.addresses == (CardAddress("home", "Lindenstraße 5", "Berlin", "", "10969", "Deutschland"),)

    assert (siobhan.first_name, siobhan.last_name) == ("Siobhán", "O’Hara")
    assert siobhan.birthday == Birthday(12, 25, 1970)  # 25/12/1970: 25 cannot be a month
    assert siobhan.emails == (
        CardEmail("siobhan@ohara.example", "home"),
        CardEmail("s.ohara@work.example", "home"),
    )
    assert (cafe.company, cafe.phones, cafe.tags) == (
        "Café Brûlé",
        (CardPhone("+32 2 511 22 33", "work"),),
        ("Prospects", "Bruxelles"),
    )


def test_outlook_csv_in_utf8_with_bom() -> None:
    zoe, olafur = cards(read(FIXTURES / "outlook-utf8.csv"))
    assert (zoe.first_name, zoe.last_name, zoe.company, zoe.title) == (
        "Zoë",
        "Ñúñez",
        "Ñúñez & Hijos",
        "Directora",
    )
    assert zoe.phones == (CardPhone("+34 91 765 43 21", "home"), CardPhone("+34 612 34 56 78", "mobile"))
    assert (olafur.first_name, olafur.last_name, olafur.notes) == (
        "Ólafur",
        "Þórsson",
        "Meet in Reykjavík — June",
    )


# --------------------------------------------------------------------------- vCard


def test_iphone_vcard() -> None:
    items = read(FIXTURES / "iphone.vcf")
    assert problems(items) == []
    zoe, sean, acme = cards(items)

    assert zoe.row == 1
    assert (zoe.first_name, zoe.last_name) == ("Zoë", "Ñúñez")
    assert (zoe.company, zoe.title) == (
        "Ñúñez & Hijos, S.L.",
        "Directora",
    )  # escaped comma; department dropped
    assert zoe.phones == (
        CardPhone("+34 612 34 56 78", "mobile"),
        CardPhone("+34 91 123 45 67", "work"),
        CardPhone("+34 600 000 111", "mobile"),  # item1.X-ABLabel:_$!<Mobile>!$_
        CardPhone("+34 600 000 222", "other"),  # a label of the seller's own: "Boat"
    )
    assert zoe.emails == (CardEmail("zoe@nunez.example", "work"),)
    assert zoe.addresses == (CardAddress("home", "Calle Mayor 1, 2º B", "Madrid", "", "28013", "España"),)
    assert zoe.birthday == Birthday(month=4, day=12, year=None)  # X-APPLE-OMIT-YEAR=1604
    assert zoe.tags == ("Customers", "Spain")
    # Folded over two lines, with escaped newline, comma and semicolon.
    assert zoe.notes == (
        "Prefers WhatsApp.\nCall after 10, never on Sundays; the office closes at 18:00. Her assistant is Marta."
    )

    # The photo's base64 took lines 25 to 55.
    assert sean.row == 56
    assert (sean.first_name, sean.middle_name, sean.last_name) == ("Seán", "Patrick", "O'Brien")
    assert sean.birthday == Birthday(11, 3, 1979)
    assert sean.phones == (
        CardPhone("+353 87 123 4567", "mobile"),
        CardPhone("+353 1 555 0142", "other"),  # _$!<Main>!$_
        CardPhone("+353 1 555 0143", "other"),  # _$!<WorkFAX>!$_
    )
    assert sean.emails == (
        CardEmail("sean@obrien.example", "home"),
        CardEmail("sean.obrien@club.example", "other"),
    )

    # A company card (X-ABShowAs:COMPANY): its FN is the company, not a person.
    assert (acme.row, acme.first_name, acme.last_name, acme.company) == (71, "", "", "Acme Pty Ltd")
    assert acme.phones == (CardPhone("+61 2 9876 5432", "other"),)
    assert acme.addresses == (CardAddress("work", "4 George St", "Sydney", "NSW", "2000", "Australia"),)


def test_android_vcard_with_quoted_printable() -> None:
    items = read(FIXTURES / "android.vcf")
    assert problems(items) == []
    jurgen, anna, tomasz = cards(items)

    assert (jurgen.row, jurgen.first_name, jurgen.last_name, jurgen.company) == (
        1,
        "Jürgen",
        "Müller",
        "Müller GmbH",
    )
    assert jurgen.phones == (
        CardPhone("+49 170 1234567", "mobile"),
        CardPhone("+49 30 1234567", "work"),
        CardPhone("+49 30 1234568", "other"),  # WORK;FAX
    )
    assert jurgen.emails == (CardEmail("juergen@mueller.example", "home"),)
    # Quoted-printable UTF-8 with a soft line break; an unescaped comma is kept (2.1 does not escape it).
    assert jurgen.notes == "Erster Kontakt auf der Messe.\nRückruf im März, nicht vorher."
    assert jurgen.birthday == Birthday(7, 1, 1982)

    assert (anna.row, anna.first_name, anna.last_name) == (47, "Anna", "Kowalski")
    assert anna.phones == (CardPhone("+48 601 234 567", "mobile"), CardPhone("+48 22 123 45 67", "home"))
    assert anna.emails == (CardEmail("anna@kowalski.example", "work"),)
    assert anna.addresses == (
        CardAddress("work", "ul. Marszałkowska 10", "Warszawa", "", "00-001", "Polska"),
    )
    assert anna.birthday == Birthday(4, 12, 1985)  # BDAY:19850412

    assert (tomasz.row, tomasz.first_name, tomasz.phones) == (
        58,
        "Tomasz",
        (CardPhone("+48 501 000 111", "mobile"),),
    )


def test_vcard_4() -> None:
    amelie, kenji = cards(read(FIXTURES / "vcard4.vcf"))
    assert (amelie.row, amelie.first_name, amelie.middle_name, amelie.last_name) == (
        1,
        "Amélie",
        "Claire",
        "Dupont",
    )
    assert amelie.phones == (
        CardPhone("+33-6-12-34-56-78", "mobile"),  # TYPE="cell,voice"
        CardPhone("+1-555-555-0100", "work", extension="102"),  # tel:+1-555-555-0100;ext=102
    )
    assert amelie.birthday == Birthday(4, 12, None)  # BDAY:--0412
    assert (amelie.company, amelie.title) == ("Dupont Conseil", "Consultante")
    assert amelie.tags == ("Partners", "France")
    assert amelie.notes == "Line one\nLine two, with a comma"
    assert amelie.addresses == (CardAddress("work", "1 Infinite Loop", "Cupertino", "CA", "95014", "USA"),)

    assert (kenji.row, kenji.first_name, kenji.last_name) == (15, "Kenji", "Tanaka")
    assert kenji.phones == (CardPhone("+81 3-1234-5678", "home"),)
    assert kenji.emails == (CardEmail("kenji@tanaka.example", "home"),)
    assert kenji.birthday == Birthday(4, 12, 1985)


def test_vcard_without_end_names_the_line_of_its_begin() -> None:
    items = read(FIXTURES / "no-end.vcf")
    assert [(c.row, c.first_name) for c in cards(items)] == [(1, "Björn"), (12, "Anna")]
    assert problems(items) == [
        (7, "the card starting at line 7 has no END:VCARD"),
        (18, "the card starting at line 18 has no END:VCARD"),
    ]


def test_a_card_that_cannot_be_read_is_a_problem_and_the_next_is_read(
    write: Callable[[str, bytes], Path],
) -> None:
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nTEL;TYPE=CELL+1 555 0100\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bob Ray\r\nTEL;TYPE=CELL:+1 555 0101\r\nEND:VCARD\r\n"
    )
    items = read(write("broken.vcf", text.encode()))
    assert problems(items) == [
        (1, "the card starting at line 1 has a line that cannot be read: 'TEL;TYPE=CELL+1 555 0100'")
    ]
    assert [(c.row, c.first_name, c.last_name) for c in cards(items)] == [(6, "Bob", "Ray")]


def test_vcard_lower_case_with_blank_lines_and_a_bom(write: Callable[[str, bytes], Path]) -> None:
    text = "\ufeff\n\nbegin:vcard\nversion:3.0\nn:Lee;Ann;;;\ntel;type=work:555-0100\nend:vcard\n"
    path = write("contacts.txt", text.encode())
    assert detect_format(path.read_bytes()) == FileFormat.VCARD
    (ann,) = read(path)
    assert isinstance(ann, Card)
    assert (ann.row, ann.first_name, ann.last_name, ann.phones) == (
        3,
        "Ann",
        "Lee",
        (CardPhone("555-0100", "work"),),
    )


def test_vcard_birthday_forms(write: Callable[[str, bytes], Path]) -> None:
    def birthday(line: str) -> Birthday | None:
        (card,) = read(write("b.vcf", f"BEGIN:VCARD\nFN:A B\n{line}\nEND:VCARD\n".encode()))
        assert isinstance(card, Card)
        return card.birthday

    assert birthday("BDAY:--0412") == Birthday(4, 12)
    assert birthday("BDAY:--04-12") == Birthday(4, 12)
    assert birthday("BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-12") == Birthday(4, 12)
    assert birthday("BDAY:19850412") == Birthday(4, 12, 1985)
    assert birthday("BDAY:1985-04-12") == Birthday(4, 12, 1985)
    assert birthday("BDAY:1985-04-12T00:00:00Z") == Birthday(4, 12, 1985)
    assert birthday("BDAY;VALUE=date:--0229") == Birthday(2, 29)


def test_a_vcard_photo_is_skipped_without_holding_it(write: Callable[[str, bytes], Path]) -> None:
    photo = b"QUFB" * (5 * 1024 * 1024)  # 20 MB on one line, as Apple writes it
    path = write(
        "photo.vcf",
        b"BEGIN:VCARD\nVERSION:3.0\nFN:Ann Lee\nPHOTO;ENCODING=b;TYPE=JPEG:"
        + photo
        + b"\nTEL:555-0100\nEND:VCARD\n",
    )
    tracemalloc.start()
    try:
        (ann,) = read(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(ann, Card) and ann.phones == (CardPhone("555-0100"),)
    assert peak < 8 * 1024 * 1024


# --------------------------------------------------------------------------- any other CSV


def test_generic_semicolon_csv_with_bom_and_crlf() -> None:
    raw = (FIXTURES / "generic-semicolon.csv").read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) and b"\r\n" in raw
    items = read(FIXTURES / "generic-semicolon.csv")
    john, mary, junior, zoe = cards(items)

    assert (john.row, john.first_name, john.last_name) == (2, "John", "Smith")  # "Smith, John"
    assert john.phones == (CardPhone("+1 555 0100 ext. 12", "mobile"),)  # one cell, one number, as written
    assert john.emails == (CardEmail("john@smith.example", "home"),)
    assert john.tags == ("Customers", "VIP")
    assert john.company == "Smith & Co"
    assert john.birthday == Birthday(4, 12, 1985)  # 12.04.1985 is day first
    assert john.notes == "Met in Lyon;\nwants a quote"

    assert (mary.row, mary.first_name, mary.last_name, mary.tags) == (4, "Mary Ann", "Smith", ("Prospects",))
    assert (junior.first_name, junior.last_name, junior.birthday) == (
        "John",
        "Smith Jr.",
        Birthday(7, 4, 1990),
    )
    assert (zoe.row, zoe.first_name, zoe.last_name) == (7, "Zoë", "")
    assert zoe.notes == "Birthday: sometime in May"
    assert problems(items) == [(6, "this row repeats the column names"), (9, "no name, phone or email")]


def test_column_names_are_guessed_ignoring_case_spaces_and_punctuation(
    write: Callable[[str, bytes], Path],
) -> None:
    header = "FIRST_NAME\tsurname\tMobile Number\tWork-Phone\tE-Mail Address\tOrganisation\tJob Title\tTown\tPost code\tCountry\tD.O.B.\tLabels\n"
    row = "Ann\tLee\t07700 900123\t020 7946 0000\tann@lee.example\tLee Ltd\tOwner\tLeeds\tLS1 4AP\tUK\t1980-01-31\ta|b\n"
    (ann,) = read(write("people.tsv", (header + row).encode()))
    assert ann == Card(
        row=2,
        first_name="Ann",
        last_name="Lee",
        company="Lee Ltd",
        title="Owner",
        phones=(CardPhone("07700 900123", "mobile"), CardPhone("020 7946 0000", "work")),
        emails=(CardEmail("ann@lee.example", "home"),),
        addresses=(CardAddress("", "", "Leeds", "", "LS1 4AP", "UK"),),
        birthday=Birthday(1, 31, 1980),
        tags=("a", "b"),
    )


def test_a_mapping_overrides_the_guess(write: Callable[[str, bytes], Path]) -> None:
    path = write("m.csv", b"Who,Cell,Notes,Other\nAnn Lee,555-0100,555-0200,x\n")
    (ann,) = read(
        path, mapping={" who ": "name", "CELL": "phone:work", "notes": "phone:home", "Other": "ignore"}
    )
    assert isinstance(ann, Card)
    assert (ann.first_name, ann.last_name, ann.notes) == ("Ann", "Lee", "")
    assert ann.phones == (CardPhone("555-0100", "work"), CardPhone("555-0200", "home"))
    message = failure(path, mapping={"Nope": "name"})
    assert message == "m.csv, row 1: there is no column 'Nope' to map (columns: Who, Cell, Notes, Other)"


def test_a_header_with_a_name_but_no_phone_or_email_is_fine(write: Callable[[str, bytes], Path]) -> None:
    (ann,) = read(write("n.csv", b"Name,Company\nAnn Lee,Lee Ltd\n"))
    assert isinstance(ann, Card) and (ann.first_name, ann.company) == ("Ann", "Lee Ltd")


def test_rows_with_more_values_than_columns(write: Callable[[str, bytes], Path]) -> None:
    items = read(write("x.csv", b"Name,Phone\nSmith, John,555-0100\nAnn,555-0101,\n"))
    assert problems(items) == [
        (
            2,
            "this row has 3 values but the header has 2 columns (a value with a comma in it that is not in quotes?)",
        )
    ]
    assert [c.first_name for c in cards(items)] == ["Ann"]  # a trailing empty value is fine


def test_a_quote_never_closed(write: Callable[[str, bytes], Path]) -> None:
    items = read(write("q.csv", b'Name,Phone\nAnn,555-0100\nBob,"555-0101\nCid,555-0102\n'))
    assert [c.first_name for c in cards(items)] == ["Ann"]
    assert problems(items) == [
        (3, 'a quote (") opened in this row is never closed, so the rest of the file was read as one cell')
    ]
    items = read(
        write(
            "q.csv",
            b'Name,Phone,Height\nAnn,555-0100,x\n"Bob,555-0101,x\nCid,555-0102,5\'10"\nDan,555-0103,y\n',
        )
    )
    assert [(c.row, c.first_name) for c in cards(items)] == [(2, "Ann"), (5, "Dan")]
    assert problems(items) == [
        (
            3,
            "the cell in column 'Name' runs over several lines (a quote (\") in this row that is never closed?)",
        )
    ]


def test_a_50_mb_cell_is_a_problem_for_its_row_only(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as out:
        out.write(b'Name,Phone,Notes\r\nAnn,555-0100,ok\r\nBob,555-0101,"')
        for _ in range(50):
            out.write(b'a line of notes, with ""quotes"" and commas\r\n' * 24_000)  # ~1 MB each
        out.write(b'"\r\nCid,555-0102,fine\r\n')
        out.write(b"Dan,555-0103," + b"x" * (50 * 1024 * 1024) + b"\r\nEve,555-0104,last\r\n")
    tracemalloc.start()
    try:
        with open_cards(path) as reader:
            items = list(reader)
            done = (reader.bytes_read, reader.total_bytes)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [(c.row, c.first_name, c.notes) for c in cards(items)] == [
        (2, "Ann", "ok"),
        (1_200_004, "Cid", "fine"),
        (1_200_006, "Eve", "last"),
    ]
    assert [(p.row, p.reason, p.field) for p in items if isinstance(p, RowProblem)] == [
        (3, "the cell in column 'Notes' is bigger than 1 MB", "Notes"),
        (1_200_005, "the cell in column 'Notes' is bigger than 1 MB", "Notes"),
    ]
    assert done == (path.stat().st_size, path.stat().st_size)
    assert peak < 24 * 1024 * 1024


def test_a_cell_of_exactly_1_mb_is_read(write: Callable[[str, bytes], Path]) -> None:
    limit = 1024 * 1024
    items = read(
        write(
            "c.csv",
            b'Name,Phone,Notes\nBob,555,"' + b"z" * limit + b'"\nCid,556,"' + b"z" * (limit + 1) + b'"\n',
        )
    )
    assert isinstance(items[0], Card) and len(items[0].notes) == limit
    assert problems(items) == [(3, "the cell in column 'Notes' is bigger than 1 MB")]


def test_row_numbers_survive_lines_longer_than_a_read(write: Callable[[str, bytes], Path]) -> None:
    # A line end "\r\n" falling across two reads is still one line end.
    long_note = "n" * (PIECE - len("Ann,555-0100,")) + "m" * PIECE
    for cut in (-1, 0, 1):
        note = long_note[: len(long_note) + cut]
        items = read(
            write("l.csv", f"Name,Phone,Notes\r\nAnn,555-0100,{note}\r\n\r\nBob,555-0101,x\r\n".encode())
        )
        assert [(c.row, c.first_name, len(c.notes)) for c in cards(items)] == [
            (2, "Ann", len(note)),
            (4, "Bob", 1),
        ]


def test_a_stray_windows_1252_byte_late_in_a_utf8_file(write: Callable[[str, bytes], Path]) -> None:
    data = b"Name,Phone\n" + b"Ann Lee,555-0100\n" * 8000 + "Zoë Ñúñez,555-0199\n".encode("cp1252")
    items = read(write("late.csv", data))
    assert len(items) == 8001
    last = items[-1]
    assert isinstance(last, Card) and (last.row, last.first_name, last.last_name) == (8002, "Zoë", "Ñúñez")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-16-le", "utf-8-sig", "cp1252"])
def test_encodings(write: Callable[[str, bytes], Path], encoding: str) -> None:
    data = "Name,Phone\r\nZoë Ñúñez,+34 612 34 56 78\r\n".encode(encoding)
    if encoding == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    (zoe,) = read(write("e.csv", data))
    assert isinstance(zoe, Card) and (zoe.first_name, zoe.last_name) == ("Zoë", "Ñúñez")


def test_progress_moves_while_reading(write: Callable[[str, bytes], Path]) -> None:
    path = write("p.csv", b"Name,Phone\n" + b"Ann Lee,555-0100\n" * 30_000)
    seen = []
    with open_cards(path) as reader:
        assert (reader.format, reader.total_bytes, reader.bytes_read) == (
            FileFormat.CSV,
            path.stat().st_size,
            0,
        )
        for number, _ in enumerate(reader):
            if number % 6_000 == 0:
                seen.append(reader.bytes_read)
        assert reader.bytes_read == reader.total_bytes
    assert seen == sorted(seen) and 0 < seen[1] < seen[-1] < reader.total_bytes


# --------------------------------------------------------------------------- files that cannot be read


def test_file_level_errors_name_the_file() -> None:
    assert failure(FIXTURES / "empty.csv") == "empty.csv: the file is empty"
    assert (
        failure(FIXTURES / "binary.csv")
        == "binary.csv: this is a binary file (a PNG image), not a contact list"
    )
    assert failure(FIXTURES / "no-columns.csv") == (
        "no-columns.csv, row 1: no name, phone or email column (columns: Foo, Bar, Baz)"
    )
    assert failure(FIXTURES / "empty.csv", label="upload 3.csv") == "upload 3.csv: the file is empty"


def test_more_files_that_cannot_be_read(write: Callable[[str, bytes], Path], tmp_path: Path) -> None:
    assert failure(write("x.csv", b"\r\n \r\n")) == "x.csv: the file is empty"
    assert (
        failure(write("x.csv", b"%PDF-1.7\n%\xe2\xe3"))
        == "x.csv: this is a binary file (a PDF document), not a contact list"
    )
    assert failure(write("x.csv", b"PK\x03\x04\x14\x00")).startswith(
        "x.csv: this is a binary file (a ZIP archive;"
    )
    assert failure(write("x.csv", b"Name,Phone\nAnn\x00,555\n")) == (
        "x.csv: this is a binary file (it contains NUL bytes), not a contact list"
    )
    # 0x81 and 0x8D are not Windows-1252, and the bytes are not UTF-8 either.
    assert failure(write("x.csv", b"Name,Phone\n\x81\x8d\x8f,555\n")) == (
        "x.csv: the text is neither UTF-8 nor Windows-1252 (save it as UTF-8 and try again)"
    )
    assert failure(write("x.vcf", b"FN:Ann\nTEL:555\n")) == (
        "x.vcf: there is no BEGIN:VCARD in this file, so it is not a vCard file"
    )
    assert failure(write("x.txt", b"Name,Phone\nAnn,555\n"), file_format=FileFormat.VCARD) == (
        "x.txt: there is no BEGIN:VCARD in this file, so it is not a vCard file"
    )
    assert failure(tmp_path / "missing.csv").startswith("missing.csv: the file cannot be opened (")


# --------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("google.csv", FileFormat.GOOGLE),
        ("google-legacy.csv", FileFormat.GOOGLE_LEGACY),
        ("outlook.csv", FileFormat.OUTLOOK),
        ("outlook-utf8.csv", FileFormat.OUTLOOK),
        ("iphone.vcf", FileFormat.VCARD),
        ("android.vcf", FileFormat.VCARD),
        ("vcard4.vcf", FileFormat.VCARD),
        ("no-end.vcf", FileFormat.VCARD),
        ("generic-semicolon.csv", FileFormat.CSV),
        ("no-columns.csv", FileFormat.CSV),
        ("binary.csv", FileFormat.CSV),
        ("empty.csv", FileFormat.CSV),
    ],
)
def test_detect_format_of_each_fixture(name: str, expected: FileFormat) -> None:
    head = (FIXTURES / name).read_bytes()[: 64 * 1024]
    assert detect_format(head) == expected
    assert detect_format(head, filename=name) == expected
    if name not in ("no-columns.csv", "binary.csv", "empty.csv"):
        with open_cards(FIXTURES / name) as reader:
            assert reader.format == expected


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("First Name,Last Name,Labels,Phone 1 - Value\n", FileFormat.GOOGLE),
        ("First Name,Last Name,E-mail 1 - Label,E-mail 1 - Value\n", FileFormat.GOOGLE),
        ("Name,Given Name,Family Name\n", FileFormat.GOOGLE_LEGACY),
        ("Name,Group Membership\n", FileFormat.GOOGLE_LEGACY),
        ("Name,E-mail 1 - Type,E-mail 1 - Value\n", FileFormat.GOOGLE_LEGACY),
        ("First Name;Last Name;E-mail Address;Mobile Phone\n", FileFormat.OUTLOOK),
        ('"First Name","Last Name","Business Phone"\n', FileFormat.OUTLOOK),
        ("First Name,Last Name,Phone\n", FileFormat.CSV),
        ("Name,Mobile Phone\n", FileFormat.CSV),
        ("\ufeffBEGIN:VCARD\r\nVERSION:4.0\r\n", FileFormat.VCARD),
        ("\r\n\r\nBegin:vCard\n", FileFormat.VCARD),
    ],
)
def test_detect_format_from_the_header(head: str, expected: FileFormat) -> None:
    assert detect_format(head.encode("utf-8")) == expected
    assert detect_format(head.encode("utf-16")) == expected


def test_detect_format_uses_the_file_name_only_when_the_content_does_not_tell() -> None:
    assert detect_format(b"hello\n", filename="x.vcf") == FileFormat.VCARD
    assert detect_format(b"hello\n", filename="x.csv") == FileFormat.CSV
    assert detect_format(b"First Name,Last Name,Labels\n", filename="x.VCF") == FileFormat.GOOGLE


def test_delimiters_are_sniffed(write: Callable[[str, bytes], Path]) -> None:
    for delimiter in (",", ";", "\t", "|"):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter).writerows(
            [["Name", "Phone", "Notes"], ["O'Brien, Seán", "+353 1 555 0142", "a;b,c|d\te"]]
        )
        (sean,) = read(write("d.csv", buffer.getvalue().encode()))
        assert isinstance(sean, Card)
        assert (sean.first_name, sean.last_name, sean.notes) == ("Seán", "O'Brien", "a;b,c|d\te"), delimiter


# --------------------------------------------------------------------------- mapping specs, names, birthdays


def test_parse_mapping() -> None:
    assert parse_mapping(["Cell=phone:mobile", " Full name = NAME ", "a=b=Street:Work", "Skip=ignore"]) == {
        "Cell": "phone:mobile",
        "Full name": "name",
        "a=b": "street:work",
        "Skip": "ignore",
    }
    bad = {
        "Cell": "column mapping 'Cell': write it as COLUMN=FIELD, e.g. 'Cell=phone:mobile'",
        "=phone": "column mapping '=phone': write it as COLUMN=FIELD, e.g. 'Cell=phone:mobile'",
        "Cell=fone": "column mapping 'Cell=fone': unknown field 'fone'; use one of first_name, middle_name,"
        " last_name, name, company, title, phone, email, tags, notes, birthday, warmth, street, city,"
        " region, postal_code, country, ignore",
        "Cell=phone:fax": "column mapping 'Cell=phone:fax': phone labels are mobile, work, home, other, not 'fax'",
        "Mail=email:mobile": "column mapping 'Mail=email:mobile': email labels are home, work, other, not 'mobile'",
        "Note=notes:work": "column mapping 'Note=notes:work': notes takes no label",
    }
    for spec, message in bad.items():
        with pytest.raises(ImportFailed) as caught:
            parse_mapping([spec])
        assert str(caught.value) == message
    with pytest.raises(ImportFailed, match="column 'cell' is mapped twice"):
        parse_mapping(["Cell=phone", "cell=email"])


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("Ann", "Ann", ""),
        ("Ann Lee", "Ann", "Lee"),
        ("Mary Ann  Smith", "Mary Ann", "Smith"),
        ("Smith, John", "John", "Smith"),
        ("John Smith Jr.", "John", "Smith Jr."),
        ("John Smith, Jr.", "John", "Smith Jr."),
        ("Ludwig van Beethoven", "Ludwig van", "Beethoven"),
    ],
)
def test_full_names_split_at_the_last_space(full: str, first: str, last: str) -> None:
    assert split_full_name(full) == (first, last)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1985-04-12", Birthday(4, 12, 1985)),
        ("--04-12", Birthday(4, 12)),
        ("--0412", Birthday(4, 12)),
        ("1604-04-12", Birthday(4, 12)),
        ("4/12/1985", Birthday(4, 12, 1985)),
        ("25/12/1970", Birthday(12, 25, 1970)),
        ("12.04.1985", Birthday(4, 12, 1985)),
        ("1985/04/12", Birthday(4, 12, 1985)),
        ("12 April 1985", Birthday(4, 12, 1985)),
        ("April 12, 1985", Birthday(4, 12, 1985)),
        ("Apr 12", Birthday(4, 12)),
        ("4/12/85", Birthday(4, 12, 1985)),
        ("4/12/05", Birthday(4, 12, 2005)),
        ("--02-29", Birthday(2, 29)),
        ("0/0/00", None),
        ("1990-02-31", None),
        ("soon", None),
        ("", None),
    ],
)
def test_birthdays(text: str, expected: Birthday | None) -> None:
    with clock.frozen(datetime(2026, 11, 23, tzinfo=UTC)):
        assert parse_birthday(text) == expected
