"""What a reader moves or leaves out of a row is said, not silent (issue 11: #18, #19, #21).

A birthday that cannot be read goes to the notes with a notice; a year that cannot be a year of
birth is left out with a notice; an email cell without an address is left out with a notice; a
warmth (a column, or a tag) is read, and a bad one is a notice; a row with no name, no email and
no number that can be dialled is skipped. No database needed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ringback.core.interchange.cards import open_cards
from ringback.core.interchange.csvcolumns import parse_mapping
from ringback.core.interchange.incoming import Incoming, Seller, incoming_from_card, person_key
from ringback.core.interchange.records import Birthday, Card, CardPhone, Notice, RowProblem
from ringback.core.interchange.values import WARMTHS, read_warmth
from ringback.core.phones import is_landline

NEW_YORK = Seller(region="US", time_zone="America/New_York")


def read(tmp_path: Path, name: str, text: str, **options: object) -> list[Card | RowProblem]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with open_cards(path, **options) as reader:  # type: ignore[arg-type]
        return list(reader)


def one(tmp_path: Path, name: str, text: str, **options: object) -> Card:
    items = read(tmp_path, name, text, **options)
    assert len(items) == 1 and isinstance(items[0], Card), items
    return items[0]


def ready(card: Card) -> Incoming | RowProblem:
    return incoming_from_card(card, seller=NEW_YORK)


# --- birthdays (#19) ---------------------------------------------------------------------------


def test_a_csv_birthday_that_is_no_date_goes_to_the_notes_and_says_so(tmp_path):
    card = one(tmp_path, "a.csv", "name,phone,birthday,notes\nAnn Lee,646-555-0101,1988-02-30,Likes tea\n")
    assert card.birthday is None
    assert card.notes == "Likes tea\n\nBirthday: 1988-02-30"
    [notice] = card.notices
    assert (notice.field, notice.value) == ("birthday", "1988-02-30")
    assert "not a date" in notice.reason and "notes" in notice.reason
    item = ready(card)
    assert isinstance(item, Incoming) and item.notices == card.notices


def test_a_vcard_birthday_that_is_no_date_goes_to_the_notes_and_says_so(tmp_path):
    card = one(tmp_path, "a.vcf", "BEGIN:VCARD\nVERSION:3.0\nFN:Ann Lee\nBDAY:1988-02-30\nEND:VCARD\n")
    assert card.birthday is None and card.notes == "Birthday: 1988-02-30"
    assert [(n.field, n.value) for n in card.notices] == [("birthday", "1988-02-30")]


def test_a_year_that_cannot_be_a_year_of_birth_is_left_out_and_said(tmp_path):
    card = one(tmp_path, "a.csv", "name,birthday\nAnn Lee,1850-04-12\n")
    assert card.birthday == Birthday(4, 12, None)
    [notice] = card.notices
    assert notice.field == "birthday" and notice.value == "1850-04-12" and "1850" in notice.reason


def test_a_birthday_without_a_year_by_design_says_nothing(tmp_path):
    apple = "BEGIN:VCARD\nVERSION:3.0\nFN:Ann Lee\nBDAY;X-APPLE-OMIT-YEAR=1604:1604-04-12\nEND:VCARD\n"
    assert one(tmp_path, "a.vcf", apple).notices == ()
    assert one(tmp_path, "b.csv", "name,birthday\nAnn Lee,--04-12\n").notices == ()
    assert one(tmp_path, "c.csv", "name,birthday\nAnn Lee,0/0/00\n").notices == ()


def test_a_second_birthday_that_differs_goes_to_the_notes_and_says_so(tmp_path):
    card = one(tmp_path, "a.csv", "name,birthday,dob\nAnn Lee,1980-01-02,1981-03-04\n")
    assert card.birthday == Birthday(1, 2, 1980)
    assert card.notes == "Birthday: 1981-03-04"
    assert [(n.field, n.value) for n in card.notices] == [("birthday", "1981-03-04")]
    same = one(tmp_path, "b.csv", "name,birthday,dob\nAnn Lee,1980-01-02,1/2/1980\n")
    assert same.notices == () and same.notes == ""


# --- emails ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.csv", "name,email\nAnn Lee,ann at example dot com\n"),
        ("a.vcf", "BEGIN:VCARD\nVERSION:3.0\nFN:Ann Lee\nEMAIL:ann at example dot com\nEND:VCARD\n"),
    ],
)
def test_an_email_without_an_address_is_left_out_and_said(tmp_path, name, text):
    card = one(tmp_path, name, text)
    assert card.emails == ()
    [notice] = card.notices
    assert (notice.field, notice.value) == ("email", "ann at example dot com")
    assert "left out" in notice.reason


def test_a_long_value_is_shortened_in_its_notice(tmp_path):
    card = one(tmp_path, "a.csv", f"name,birthday\nAnn Lee,{'x' * 5000}\n")
    [notice] = card.notices
    assert len(notice.value) <= 80 and notice.value.endswith("…")


# --- warmth (#21) ------------------------------------------------------------------------------


def test_the_warmths_and_their_spellings():
    assert WARMTHS == ("stranger", "met-once", "acquainted", "customer")
    for text, warmth in [("Customer", "customer"), ("met once", "met-once"), ("Met-Once", "met-once"),
                         ("MET_ONCE", "met-once"), (" acquainted ", "acquainted"), ("stranger", "stranger")]:  # fmt: skip
        assert read_warmth(text) == warmth, text
    assert read_warmth("hot") is None and read_warmth("") is None


@pytest.mark.parametrize("column", ["warmth", "Warmth", "Relationship", "temperature"])
def test_a_warmth_column_is_read(tmp_path, column):
    card = one(tmp_path, "a.csv", f"name,phone,{column}\nAnn Lee,646-555-0101,Customer\n")
    item = ready(card)
    assert isinstance(item, Incoming) and item.warmth == "customer" and item.notices == ()


def test_a_column_mapped_to_warmth_is_read(tmp_path):
    mapping = parse_mapping(["Heat=warmth"])
    card = one(tmp_path, "a.csv", "name,Heat\nAnn Lee,acquainted\n", mapping=mapping)
    item = ready(card)
    assert isinstance(item, Incoming) and item.warmth == "acquainted"


def test_a_bad_warmth_is_said_and_the_row_imported(tmp_path):
    item = ready(one(tmp_path, "a.csv", "name,warmth\nAnn Lee,hot\n"))
    assert isinstance(item, Incoming) and item.warmth == ""
    [notice] = item.notices
    assert (notice.field, notice.value) == ("warmth", "hot")
    assert "stranger, met-once, acquainted or customer" in notice.reason


def test_warmth_tags():
    def tagged(*tags: str, warmth: str = "") -> Incoming:
        item = ready(Card(row=2, first_name="Ann", tags=tags, warmth=warmth))
        assert isinstance(item, Incoming)
        return item

    # "warmth:X" says the warmth and is not kept as a tag; a tag that names a warmth is both.
    item = tagged("warmth:acquainted", "Bakers")
    assert (item.warmth, item.tags, item.notices) == ("acquainted", ("Bakers",), ())
    item = tagged("Warmth: Customer")
    assert (item.warmth, item.tags) == ("customer", ())
    item = tagged("Customers", "Bakers")
    assert (item.warmth, item.tags) == ("customer", ("Bakers", "Customers"))
    item = tagged("stranger", "customer")
    assert item.warmth == "customer"  # the warmest of the tags that name one
    item = tagged("warmth:hot", "Bakers")
    assert (item.warmth, item.tags) == ("", ("Bakers",))
    assert [(n.field, n.value) for n in item.notices] == [("tags", "warmth:hot")]
    # The column says it first; a warmth tag that says otherwise is left out, and said.
    item = tagged("warmth:stranger", "customer", warmth="acquainted")
    assert item.warmth == "acquainted"
    assert [(n.field, n.value) for n in item.notices] == [("tags", "warmth:stranger")]


# --- rows that hold no person (#18) ------------------------------------------------------------


def test_a_row_with_no_name_no_email_and_no_number_that_can_be_dialled_is_skipped(tmp_path):
    problem = ready(Card(row=239, phones=(CardPhone("n/a"),)))
    assert isinstance(problem, RowProblem) and problem.row == 239
    assert "no name" in problem.reason and "'n/a'" in problem.reason
    junk = read(tmp_path, "a.csv", "name,phone,email\nAnn Lee,646-555-0101,\n,n/a,\n")[1]
    assert isinstance(junk, Card) and isinstance(ready(junk), RowProblem)
    # A number that can be dialled, an email or a name makes a person.
    assert isinstance(ready(Card(row=2, phones=(CardPhone("646-555-0101"),))), Incoming)
    assert isinstance(ready(Card(row=2, first_name="Ann", phones=(CardPhone("n/a"),))), Incoming)
    assert isinstance(ready(Card(row=2, phones=(CardPhone("n/a"),), emails=())), RowProblem)


def test_a_name_of_punctuation_alone_is_no_name():
    assert isinstance(
        ready(Card(row=3, first_name="?", last_name="-", phones=(CardPhone("n/a"),))), RowProblem
    )


# --- matching (#17) ----------------------------------------------------------------------------


def test_person_keys_ignore_case_spaces_and_accents():
    assert person_key("Zoë", "Ñúñez", "") == person_key(" zoe", "NUNEZ ", "Other Co")
    assert person_key("Mary  Ann", "Smith", "") == person_key("mary ann", "smith", "")
    assert person_key("Mary", "Smith", "") != person_key("Bob", "Smith", "")
    assert person_key("", "", "Acme") == person_key("", "", "ACME") != person_key("Acme", "", "")
    assert person_key("", "", "") == ""


def test_landlines_are_told_where_the_numbering_plan_tells():
    assert is_landline("+442079460000") and is_landline("+34911234567")
    assert not is_landline("+34612345678")  # a Spanish mobile
    assert not is_landline("+12125550100")  # the US plan does not tell
    assert not is_landline("ask at the bakery")


def test_a_notice_names_its_field_value_and_reason():
    notice = Notice("birthday", "1988-02-30", "not a date: kept in the notes")
    assert notice.text() == "birthday '1988-02-30': not a date: kept in the notes"
