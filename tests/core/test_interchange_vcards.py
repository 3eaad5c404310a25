"""vCard cards, property by property and line by line: which value wins when a card repeats a
property, how a card with no name of its own is named, which lines are left out, and what a
seller reads when a card cannot be used (the message and the line it names, word for word)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ringback.core.errors import ImportFailed
from ringback.core.interchange.cards import open_cards
from ringback.core.interchange.records import (
    Birthday,
    Card,
    CardAddress,
    CardEmail,
    CardPhone,
    FileFormat,
    RowProblem,
)
from ringback.core.interchange.vcards import CARD_LIMIT, read_card


@pytest.fixture
def read(tmp_path: Path) -> Callable[[str], list[Card | RowProblem]]:
    """The items of a vCard file holding ``text``."""

    def read(text: str) -> list[Card | RowProblem]:
        path = tmp_path / "cards.vcf"
        path.write_text(text, encoding="utf-8")
        with open_cards(path, file_format=FileFormat.VCARD) as reader:
            return list(reader)

    return read


def card(*lines: str) -> Card:
    found = read_card(1, lines)
    assert isinstance(found, Card), found
    return found


def rows(items: list[Card | RowProblem]) -> list[tuple[int, str]]:
    """Each item as its line and its first name, or its line and the problem."""
    return [(item.row, item.first_name if isinstance(item, Card) else item.reason) for item in items]


# --------------------------------------------------------------------------- one card


def test_the_first_of_each_single_valued_property_wins() -> None:
    found = card(
        "N:Lee;Ann;Marie;;",
        "N:Ray;Bob;;;",
        "FN:Ann Lee",
        "FN:Bob Ray",
        "ORG:Acme Ltd;Sales",
        "ORG:Other Co",
        "TITLE:Boss",
        "TITLE:Clerk",
        "NICKNAME:Annie,Nan",
        "NICKNAME:Bo",
        "BDAY:1985-04-12",
        "BDAY:1990-01-01",
    )
    assert (found.first_name, found.middle_name, found.last_name) == ("Ann", "Marie", "Lee")
    assert (found.company, found.title) == ("Acme Ltd", "Boss")
    assert found.birthday == Birthday(4, 12, 1985)


def test_every_phone_email_address_tag_and_note_is_kept_once() -> None:
    found = card(
        "FN:Ann Lee",
        "TEL;TYPE=CELL:+1 555 0100",
        "TEL:",
        "TEL;TYPE=CELL:+1 555 0100",
        "item1.TEL:555 0102",
        "item1.X-ABLabel:Boat",
        "EMAIL:ann@example.com",
        "EMAIL:no address",
        "EMAIL;TYPE=WORK:mailto:ann@work.example",
        "ADR;TYPE=HOME:;;1 Main St;Town;ST;12345;USA",
        "ADR:;;;;;;",
        "CATEGORIES:Friends,friends,Golf",
        "CATEGORIES:Golf\\,Tennis",
        "NOTE:Call after 5\\, not before",
        "NOTE:",
        "NOTE:Second note",
    )
    assert found.phones == (CardPhone("+1 555 0100", "mobile"), CardPhone("555 0102", "other"))
    assert found.emails == (CardEmail("ann@example.com"), CardEmail("ann@work.example", "work"))
    assert found.addresses == (CardAddress("home", "1 Main St", "Town", "ST", "12345", "USA"),)
    assert found.tags == ("Friends", "Golf", "Golf,Tennis")
    assert found.notes == "Call after 5, not before\n\nSecond note"


def test_a_birthday_that_cannot_be_read_is_kept_as_a_note_and_said() -> None:
    # Each one that cannot be read is kept in the notes, with a notice (issue 11, #19).
    found = card("FN:Ann Lee", "NOTE:Met at the fair", "BDAY:sometime in May", "BDAY:some day")
    assert found.birthday is None
    assert found.notes == "Met at the fair\n\nBirthday: sometime in May\n\nBirthday: some day"
    assert [(n.field, n.value) for n in found.notices] == [
        ("birthday", "sometime in May"),
        ("birthday", "some day"),
    ]
    found = card("FN:Ann Lee", "BDAY:sometime in May", "BDAY:1985-04-12")
    assert (found.birthday, found.notes) == (Birthday(4, 12, 1985), "Birthday: sometime in May")
    assert [n.value for n in found.notices] == ["sometime in May"]
    found = card("FN:Ann Lee", "BDAY:0000-00-00")
    assert (found.birthday, found.notes, found.notices) == (None, "", ())


@pytest.mark.parametrize(
    ("lines", "name"),
    [
        (("N:Lee;Ann;Marie;;", "FN:Someone Else"), ("Ann", "Marie", "Lee")),
        (("N:Lee;;;;", "FN:Someone Else"), ("", "", "Lee")),
        (("N:;;Marie;;", "FN:Ann Lee", "NICKNAME:Nan"), ("Ann", "", "Lee")),
        (("FN:Acme Ltd", "ORG:Acme Ltd", "NICKNAME:Nan"), ("Nan", "", "")),
        (("N:;;Marie;;", "NICKNAME:Nan"), ("Marie", "", "")),
        (("N:;;;;", "NICKNAME:Nan,Nanny", "TEL:555 0100"), ("Nan", "", "")),
        (("FN:Cher",), ("Cher", "", "")),
    ],
)
def test_a_card_without_a_given_or_family_name_is_named_from_what_it_has(
    lines: tuple[str, ...], name: tuple[str, str, str]
) -> None:
    found = card(*lines)
    assert (found.first_name, found.middle_name, found.last_name) == name


def test_a_card_with_a_company_only_is_kept() -> None:
    found = card("FN:Acme Ltd", "ORG:Acme Ltd")
    assert (found.first_name, found.last_name, found.company) == ("", "", "Acme Ltd")


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (("NOTE:just a note", "BDAY:1985-04-12"), "no name, phone or email"),
        (
            ("FN:Ann Lee", "TEL;TYPE=CELL+1 555 0100"),
            ("the card starting at line 7 has a line that cannot be read: 'TEL;TYPE=CELL+1 555 0100'"),
        ),
        (
            ("FN:Ann Lee", "X-" + "A" * 70),
            ("the card starting at line 7 has a line that cannot be read: 'X-" + "A" * 55 + "...'"),
        ),
        (
            ("FN:Ann Lee", "NOTE;CHARSET=NOPE;ENCODING=QUOTED-PRINTABLE:=FF"),
            ("the card starting at line 7 has text in a character set that cannot be read"),
        ),
    ],
)
def test_a_card_that_cannot_be_used_says_why_naming_its_begin_line(
    lines: tuple[str, ...], reason: str
) -> None:
    assert read_card(7, lines) == RowProblem(7, reason)


# --------------------------------------------------------------------------- a file of cards


def test_text_around_cards_and_an_end_without_a_begin_are_ignored(
    read: Callable[[str], list[Card | RowProblem]],
) -> None:
    text = (
        "Exported by some phone\n"
        "END:VCARD\n"
        "BEGIN:VCARD\nFN:Ann Lee\nEND:VCARD\n"
        "stray words\n"
        "BEGIN:VCARD\nFN:Bob Ray\nEND:VCARD\n"
    )
    assert rows(read(text)) == [(3, "Ann"), (7, "Bob")]


def test_a_begin_inside_a_card_ends_it_without_its_end(
    read: Callable[[str], list[Card | RowProblem]],
) -> None:
    text = "BEGIN:VCARD\nFN:Ann Lee\nBEGIN:VCARD\nFN:Bob Ray\nEND:VCARD\nBEGIN:VCARD\nFN:Cy Fox\n"
    assert rows(read(text)) == [
        (1, "the card starting at line 1 has no END:VCARD"),
        (3, "Bob"),
        (6, "the card starting at line 6 has no END:VCARD"),
    ]


def test_photos_logos_sounds_and_keys_are_left_out_however_they_are_written(
    read: Callable[[str], list[Card | RowProblem]],
) -> None:
    text = (
        "BEGIN:VCARD\n"
        "FN:Ann Lee\n"
        "PHOTO;ENCODING=b;TYPE=JPEG:QUFBQUFB\n"
        " QUFBQUFB\n"
        "\n"
        "QUFBQUFB\n"  # 2.1 style: base64 lines without indent, no property name
        "item3.LOGO:abc\n"
        "SOUND:zzz\n"
        "TEL:555 0100\n"
        "KEY:kkk\n"
        "END:VCARD\n"
    )
    (found,) = read(text)
    assert isinstance(found, Card)
    assert (found.first_name, found.phones, found.notes) == ("Ann", (CardPhone("555 0100"),), "")


def test_a_card_bigger_than_the_limit_is_a_problem_and_the_next_is_read(
    read: Callable[[str], list[Card | RowProblem]],
) -> None:
    half = "NOTE:" + "x" * (CARD_LIMIT // 2) + "\n"
    text = (
        "BEGIN:VCARD\nFN:Ann Lee\n" + half + half + half + "END:VCARD\n"
        "BEGIN:VCARD\nFN:Bob Ray\nPHOTO:" + "Q" * (CARD_LIMIT + 10) + "\nEND:VCARD\n"
    )
    assert rows(read(text)) == [
        (1, "the card starting at line 1 is bigger than 1 MB (photo aside)"),
        (7, "Bob"),
    ]


def test_one_line_longer_than_the_limit_makes_the_card_too_big(
    read: Callable[[str], list[Card | RowProblem]],
) -> None:
    text = "BEGIN:VCARD\nFN:Ann Lee\nNOTE:" + "x" * (CARD_LIMIT + 10) + "\nTEL:555 0100\nEND:VCARD\n"
    assert rows(read(text)) == [(1, "the card starting at line 1 is bigger than 1 MB (photo aside)")]


def test_begin_vcard_only_inside_a_value_is_no_vcard_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.vcf"
    path.write_text("X-NOTE:BEGIN:VCARD\nFN:Ann Lee\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as caught, open_cards(path, file_format=FileFormat.VCARD) as reader:
        list(reader)
    assert str(caught.value) == "notes.vcf: there is no BEGIN:VCARD in this file, so it is not a vCard file"
