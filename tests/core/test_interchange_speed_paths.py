"""The CSV reader's fast paths: text cut into lines a piece at a time, only the cells that matter
looked at, label meanings remembered. Each test pins something those shortcuts could get wrong."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from ringback.core.interchange.cards import open_cards
from ringback.core.interchange.csvlines import CELL_LIMIT, ROW_LIMIT
from ringback.core.interchange.records import Card, CardAddress, CardEmail, CardPhone, RowProblem
from ringback.core.interchange.text import PIECE
from ringback.core.interchange.values import meaningful, one_line

GOOGLE_HEADER = (
    "First Name,Last Name,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,"
    "Address 1 - Label,Address 1 - Street,Address 1 - City,Address 2 - Label,Address 2 - City"
)


def read(path: Path, data: bytes) -> list[Card | RowProblem]:
    path.write_bytes(data)
    with open_cards(path) as reader:
        return list(reader)


def rows(items: list[Card | RowProblem]) -> list[tuple[int, str]]:
    return [(item.row, item.first_name if isinstance(item, Card) else item.reason) for item in items]


@pytest.mark.parametrize("separator", ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"])
def test_only_cr_and_lf_end_lines(tmp_path: Path, separator: str) -> None:
    # str.splitlines() also breaks at these; csv does not, and neither do row numbers.
    data = f'Name,Notes\nAnn,a{separator}b\nBob,"c{separator}d\ne"\nCid,x\n'.encode()
    items = read(tmp_path / "s.csv", data)
    assert rows(items) == [(2, "Ann"), (3, "Bob"), (5, "Cid")]
    assert [item.notes for item in items if isinstance(item, Card)][:2] == [
        f"a{separator}b",
        f"c{separator}d\ne",
    ]


@pytest.mark.parametrize("shift", range(-3, 4))
def test_line_ends_across_pieces_of_text(tmp_path: Path, shift: int) -> None:
    # Runs of "\r" and a "\r\n" whose halves fall in two reads count as they should.
    first = "Ann,555-0100," + "n" * (PIECE - len("Name,Phone,Notes\r\nAnn,555-0100,") - 2 + shift)
    data = f"Name,Phone,Notes\r\n{first}\r\r\r\nBob,555-0101,x\r\n\rCid,555-0102,y".encode()
    assert rows(read(tmp_path / "p.csv", data)) == [(2, "Ann"), (5, "Bob"), (7, "Cid")]


def test_a_row_of_exactly_the_limit_is_read_and_one_more_character_is_not(tmp_path: Path) -> None:
    line_start, big = "Ann,555,", "x" * CELL_LIMIT
    # Name, phone, three 1 MB cells and one to fill up to the limit, line end included.
    last = ROW_LIMIT - len(line_start) - 3 * CELL_LIMIT - 3 - 2
    exact = f"{line_start}{big},{big},{big},{'y' * last}\r\n"
    assert len(exact) == ROW_LIMIT
    over = exact.replace("y", "yy", 1)
    header = "Name,Phone,A,B,C,D\r\n"
    data = (header + exact + over + "Bob,556,ok,,,\r\n").encode()
    assert rows(read(tmp_path / "r.csv", data)) == [
        (2, "Ann"),
        (3, "this row is bigger than 4 MB"),
        (4, "Bob"),
    ]


def test_a_row_over_the_limit_in_many_lines(tmp_path: Path) -> None:
    lines = "\n".join(["z" * 1000] * 1000)  # 1 MB cells over a thousand lines each
    cells = ",".join(f'"{lines}"' for _ in range(5))
    data = f"Name,Phone,A,B,C,D,E\nAnn,555,{cells}\nBob,556,,,,,\n".encode()
    bob = 2 + 5 * 999 + 1  # Ann's row runs over 999 line ends in each of five cells
    assert rows(read(tmp_path / "m.csv", data)) == [(2, "this row is bigger than 4 MB"), (bob, "Bob")]


def test_a_big_cell_is_refused_even_when_csv_allows_it(tmp_path: Path) -> None:
    limit = csv.field_size_limit()
    csv.field_size_limit(8 * CELL_LIMIT)  # another part of the process wanted bigger cells
    try:
        data = b"Name,Phone,Notes\nAnn,555," + b"x" * (CELL_LIMIT + 1) + b"\nBob,556,ok\n"
        items = read(tmp_path / "b.csv", data)
    finally:
        csv.field_size_limit(limit)
    assert rows(items) == [(2, "the cell in column 'Notes' is bigger than 1 MB"), (3, "Bob")]


def test_cells_that_come_to_nothing_are_blank(tmp_path: Path) -> None:
    # " ::: " is an empty Google list, "'\t" a neutralised tab: no value either way.
    data = (GOOGLE_HEADER + "\n" + '" ::: ",Lee,,,,,,,,,,\n' + "Ann,'\t,,,,,,,,,,\n").encode()
    items = read(tmp_path / "g.csv", data)
    assert [(card.first_name, card.last_name) for card in items if isinstance(card, Card)] == [
        ("", "Lee"),
        ("Ann", ""),
    ]


def _labelled(count: int) -> Iterator[str]:
    for number in range(count):
        label = ("Work", "Home", "Mobile", f"Custom {number}")[number % 4]
        yield (
            f"P{number},Lee,* myContacts ::: Team {number % 3},{label},p{number}@x.org,{label},"
            f"555-{number:04},{label},1 Main St,Cork,Work,Paris"
        )


def test_labels_are_read_the_same_however_many_there_are(tmp_path: Path) -> None:
    data = "\n".join([GOOGLE_HEADER, *_labelled(2500)]).encode()
    items = read(tmp_path / "l.csv", data)
    assert len(items) == 2500
    for number, card in enumerate(items):
        assert isinstance(card, Card)
        kind = ("work", "home", "mobile", "other")[number % 4]
        assert card.phones == (CardPhone(f"555-{number:04}", kind),)
        other = "other" if kind == "mobile" else kind  # e-mails and addresses are not mobile
        assert card.emails == (CardEmail(f"p{number}@x.org", other),)
        assert card.addresses == (
            CardAddress(label=other, street="1 Main St", city="Cork"),
            CardAddress(label="work", city="Paris"),
        )
        assert card.tags == (f"Team {number % 3}",)


@pytest.mark.parametrize(
    "text", ["", " ", "_", "__a", "\x1c", "\u00a0x\u2003y", "a\x85b", "²", "٣", "ß", "-_-", " \t\r\n"]
)
def test_one_line_and_meaningful_read_white_space_and_letters_as_the_regexes_do(text: str) -> None:
    assert one_line(text) == re.sub(r"\s+", " ", text).strip()
    assert meaningful(text) == bool(re.search(r"\w", text.replace("_", "")))
