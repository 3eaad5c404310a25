"""No contact file crashes the readers: whatever the bytes, opening either fails with
ImportFailed or gives a reader whose items are only Card or RowProblem, and reading either ends
or fails with ImportFailed. Never any other exception.

Files are written to one directory made for the module (hypothesis runs many examples per
test, and pytest's per-test tmp_path would be shared between them anyway). No deadline: each
example writes and reads a file, whose timing depends on the disk, not on the code.
"""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringback.core.errors import ImportFailed
from ringback.core.interchange.cards import open_cards
from ringback.core.interchange.detect import detect_format
from ringback.core.interchange.records import Card, FileFormat, RowProblem

FUZZ = settings(max_examples=150, deadline=None)

KNOWN_COLUMNS = [
    # Google, current
    "First Name", "Middle Name", "Last Name", "Nickname", "Organization Name", "Organization Title",
    "Birthday", "Notes", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - Label",
    "Phone 1 - Value", "Phone 2 - Value", "Address 1 - Label", "Address 1 - Formatted", "Address 1 - Street",
    "Address 1 - City", "Address 1 - Postal Code", "Address 1 - Country", "Event 1 - Label", "Event 1 - Value",
    # Google, legacy
    "Name", "Given Name", "Family Name", "Group Membership", "E-mail 1 - Type", "Phone 1 - Type",
    "Organization 1 - Name", "Organization 1 - Title",
    # Outlook
    "Title", "E-mail Address", "Mobile Phone", "Business Phone", "Home Phone", "Business Fax", "Company",
    "Job Title", "Business Street", "Business City", "Business Country/Region", "Categories",
    # anything else
    "Full Name", "Cell", "E-mail", "Groups", "Tel", "Surname", "DOB", "Zip", "Town", "",
]  # fmt: skip

VALUES = st.one_of(
    st.sampled_from(
        [
            "", " ", "Zoë", "O'Brien", "Smith, John", "+44 7700 900123", "555-0100 ::: 555-0101", "* myContacts ::: VIP",
            "a@b.example", "1985-04-12", "--04-12", "0/0/00", "4/12/1985", "Mobile", "Work Fax", "* Home", '"',
            '""', "\r\n", "\n", "\r", ";", ",", "\t", "|", ":::", "\\", "\x00", "\ufeff", "---", "x" * 300,
        ]
    ),
    st.text(max_size=40),
)  # fmt: skip

QUOTINGS: list[Literal[0, 1, 3]] = [csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1", "utf-32"]


@pytest.fixture(scope="module")
def where(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def read_all(path: Path, **options: object) -> None:
    """Open and read ``path``; only ImportFailed may come out, and only cards and problems."""
    try:
        reader = open_cards(path, **options)  # type: ignore[arg-type]
    except ImportFailed as exc:
        assert str(exc).startswith(path.name)
        return
    with reader:
        assert reader.format in FileFormat
        try:
            for item in reader:
                assert isinstance(item, Card | RowProblem)
                assert item.row >= 1
                if isinstance(item, RowProblem):
                    assert item.reason
                assert reader.bytes_read <= reader.total_bytes
        except ImportFailed as exc:
            assert str(exc).startswith(path.name)
            return
        assert reader.bytes_read == reader.total_bytes


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    columns = draw(
        st.lists(st.one_of(st.sampled_from(KNOWN_COLUMNS), st.text(max_size=15)), min_size=1, max_size=12)
    )
    rows = draw(st.lists(st.lists(VALUES, max_size=len(columns) + 2), max_size=8))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    quoting = draw(st.sampled_from(QUOTINGS))
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=delimiter,
        quoting=quoting,
        escapechar="\\" if quoting == csv.QUOTE_NONE else None,
        lineterminator=draw(st.sampled_from(["\r\n", "\n", "\r"])),
    )
    for row in [columns, *rows]:
        try:
            writer.writerow(row)
        except csv.Error:  # QUOTE_NONE cannot write a lone empty value
            buffer.write("\n")
    text = buffer.getvalue()
    if draw(st.booleans()):
        # Mangle: cut it short, or splice random text in somewhere.
        at = draw(st.integers(0, len(text)))
        text = (
            text[:at] + draw(st.sampled_from(["", '"', "\n", '"\n"', draw(st.text(max_size=20))])) + text[at:]
        )
    data = text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=8)) + data[cut:]
    return data


@FUZZ
@given(data=csv_files(), name=st.sampled_from(["contacts.csv", "contacts.vcf", "x"]))
def test_no_csv_crashes_the_reader(where: Path, data: bytes, name: str) -> None:
    path = where / name
    path.write_bytes(data)
    detect_format(data[: 64 * 1024], filename=name)
    read_all(path)


@FUZZ
@given(
    data=csv_files(),
    file_format=st.sampled_from(list(FileFormat)),
    mapping=st.dictionaries(
        st.sampled_from(KNOWN_COLUMNS),
        st.sampled_from(["name", "phone:work", "email", "ignore", "tags", "birthday", "street:home", "nope"]),
        max_size=3,
    ),
)
def test_no_csv_crashes_the_reader_in_any_format(
    where: Path, data: bytes, file_format: FileFormat, mapping: dict[str, str]
) -> None:
    path = where / "forced.csv"
    path.write_bytes(data)
    read_all(path, file_format=file_format, mapping=mapping)


PROPERTY_NAMES = [
    "N", "FN", "ORG", "TITLE", "TEL", "EMAIL", "ADR", "BDAY", "NOTE", "CATEGORIES", "NICKNAME", "PHOTO",
    "item1.TEL", "item1.X-ABLabel", "item2.EMAIL", "item2.X-ABLabel", "X-ABShowAs", "VERSION", "UID", "X-FOO",
]  # fmt: skip
PARAMETERS = [
    "", ";TYPE=CELL", ";type=WORK;type=pref", ';TYPE="cell,voice"', ";CELL;VOICE", ";VALUE=uri", ";PREF=1",
    ";CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE", ";ENCODING=QUOTED-PRINTABLE", ";CHARSET=nope;ENCODING=QUOTED-PRINTABLE",
    ";X-APPLE-OMIT-YEAR=1604", ";X-APPLE-OMIT-YEAR=²", ";ENCODING=b", ";ENCODING=QUOTED-PRINTABLE;ENCODING=x",
    ";A=b,b,b,b,b,b,b,b,b,b,b,b,b,b,b,b,b,b,b,b,b,b,b,b,b,b,b,b,b,b",
]  # fmt: skip
PROPERTY_VALUES = st.one_of(
    st.sampled_from(
        [
            "", "Ñúñez;Zoë;;;", ";;;;", "tel:+1-555-555-0100;ext=102", "+44 7700 900123", "--0412", "1604-04-12",
            "19850412", "a\\,b\\;c\\nd\\", "Customers,Spain", ";;1 Main St;Town;;123;Land", "=C3=BC=", "=ZZ",
            "_$!<Mobile>!$_", "a@b.example", "BEGIN:VCARD", "x" * 200, "\\", ",,,",
        ]
    ),
    st.text(max_size=30).map(lambda text: text.replace("\r", "").replace("\n", "")),
)  # fmt: skip


@st.composite
def vcard_files(draw: st.DrawFn) -> bytes:
    lines: list[str] = []
    for _ in range(draw(st.integers(0, 4))):
        lines.append(draw(st.sampled_from(["BEGIN:VCARD", "begin:vcard", "BEGIN:VCARD "])))
        lines.append("VERSION:" + draw(st.sampled_from(["2.1", "3.0", "4.0"])))
        for _ in range(draw(st.integers(0, 8))):
            line = draw(st.sampled_from(PROPERTY_NAMES)) + draw(st.sampled_from(PARAMETERS))
            line += draw(st.sampled_from([":", ":", ":", "", ";"])) + draw(PROPERTY_VALUES)
            if len(line) > 20 and draw(st.booleans()):
                at = draw(st.integers(1, len(line) - 1))
                line = line[:at] + draw(st.sampled_from(["\r\n ", "\n\t", "=\r\n"])) + line[at:]
            lines.append(line)
        if draw(st.integers(0, 4)):
            lines.append(draw(st.sampled_from(["END:VCARD", "end:vcard", "END:VCARD\r\n"])))
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), draw(st.text(max_size=30)))
    text = draw(st.sampled_from(["\r\n", "\n"])).join(lines)
    data = text.encode(draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "cp1252"])), errors="replace")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=8)) + data[cut:]
    return data


@FUZZ
@given(data=vcard_files(), forced=st.booleans())
def test_no_vcard_crashes_the_reader(where: Path, data: bytes, forced: bool) -> None:
    path = where / "cards.vcf"
    path.write_bytes(data)
    assert detect_format(data[: 64 * 1024], filename=path.name) in FileFormat
    read_all(path, file_format=FileFormat.VCARD if forced else None)


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), st.binary(max_size=50).map(lambda b: codecs.BOM_UTF16_LE + b)))
def test_no_bytes_crash_the_reader(where: Path, data: bytes) -> None:
    for name in ("any.csv", "any.vcf"):
        path = where / name
        path.write_bytes(data)
        assert detect_format(data, filename=name) in FileFormat
        read_all(path)
