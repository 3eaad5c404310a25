"""Rows made ready to import, and read ahead in a worker process: no database needed."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from ringback.core.errors import ImportFailed
from ringback.core.interchange import ahead
from ringback.core.interchange.ahead import ReadAhead
from ringback.core.interchange.incoming import Incoming, Seller, incoming_batches, incoming_from_card
from ringback.core.interchange.records import (
    Birthday,
    Card,
    CardAddress,
    CardEmail,
    CardPhone,
    FileFormat,
    RowProblem,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "contacts"
NEW_YORK = Seller(region="US", time_zone="America/New_York")


def ready(card: Card, seller: Seller = NEW_YORK) -> Incoming:
    item = incoming_from_card(card, seller=seller)
    assert isinstance(item, Incoming), item
    return item


def test_a_card_made_ready() -> None:
    item = ready(
        Card(
            row=7,
            first_name=" Mary ",
            middle_name="Ann",
            last_name="O'Neil ",
            company=" Bakery ",
            phones=(
                CardPhone("(212) 736-5000", "work"),
                CardPhone("212.736.5000", "mobile"),
                CardPhone("ask at the bakery", "pager"),
            ),
            emails=(
                CardEmail(" Mary@Example.COM ", "home"),
                CardEmail("mary@example.com", "work"),
                CardEmail("m@x.org", "fax"),
            ),
            addresses=(
                CardAddress(),
                CardAddress("home", "1 Main St", "Austin", "Texas", "78701", "US"),
                CardAddress("work", "1 main st ", "AUSTIN", "TX", "78701", "US"),  # the same place
            ),
            birthday=Birthday(4, 12),
            tags=("VIP", " vip", "VIP ", ""),
            notes="Line one\nLine two",
        )
    )
    assert (item.row, item.first_name, item.last_name, item.company) == (7, "Mary Ann", "O'Neil", "Bakery")
    assert item.numbers == (("+12127365000", "", "work", True), ("ask at the bakery", "", "other", False))
    assert item.emails == (("mary@example.com", "home"), ("m@x.org", "other"))
    assert item.addresses == (("home", "1 Main St", "Austin", "Texas", "78701", "US"),)
    assert (item.birthday, item.tags, item.notes) == ((4, 12, None), ("VIP", "vip"), "Line one\nLine two")
    assert (item.time_zone, item.country, item.subdivision) == ("America/New_York", "US", "NY")


def test_place_from_the_address_when_the_number_spans_zones() -> None:
    mobile = CardPhone("+61 412 345 678")  # an Australian mobile: any Australian zone
    perth = CardAddress("home", "1 Hay St", "Perth", "WA", "6000", "AU")
    assert (
        ready(Card(row=1, first_name="Jo", phones=(mobile,), addresses=(perth,))).time_zone
        == "Australia/Perth"
    )
    # With nothing to tell, the first of the number's zones (not the seller's, which is abroad).
    assert ready(Card(row=1, first_name="Jo", phones=(mobile,))).country == "AU"
    # No number at all: the seller's zone.
    assert ready(Card(row=1, first_name="Jo")).time_zone == "America/New_York"


@pytest.mark.parametrize(
    ("card", "reason"),
    [
        (Card(row=3), "no name, phone or email"),
        (Card(row=3, phones=(CardPhone("   "),)), "no name, phone or email"),
        (Card(row=3, first_name="x" * 101), "first name: longer than 100 characters"),
        (Card(row=3, first_name="Jo", phones=(CardPhone("1" * 70),)), "is too long to be a number"),
        (Card(row=3, first_name="Jo", emails=(CardEmail("a" * 250 + "@x.org"),)), "email: longer than 254"),
        (Card(row=3, first_name="Jo", tags=("t" * 101,)), "tags: a tag is longer than 100 characters"),
        (Card(row=3, first_name="Jo", addresses=(CardAddress(postal_code="9" * 21),)), "address postal code"),
    ],
)
def test_rows_that_cannot_be_saved_say_why(card: Card, reason: str) -> None:
    problem = incoming_from_card(card, seller=NEW_YORK)
    assert isinstance(problem, RowProblem) and problem.row == 3 and reason in problem.reason


def _all(rows: ReadAhead) -> list[Incoming | RowProblem]:
    return [row for batch in rows for row in batch.rows]


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "spawned"])
def test_the_worker_sends_what_reading_here_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fork: bool
) -> None:
    monkeypatch.setattr(ahead, "_can_fork", lambda: fork)  # spawned where other threads run
    rows = "".join(f"Person {i},+1 646 555 {i:04},{'' if i % 7 else 'x' * 300}\n" for i in range(2500))
    path = tmp_path / "people.csv"
    path.write_text("name,phone,company\n" + rows, encoding="utf-8")
    with ReadAhead(path, seller=NEW_YORK) as here, ReadAhead(path, seller=NEW_YORK, worker=True) as there:
        assert there._process._start_method == ("fork" if fork else "spawn")
        assert here.format == there.format == FileFormat.CSV
        mine, theirs = _all(here), _all(there)
    assert mine == theirs and len(mine) == 2500
    assert sum(isinstance(r, RowProblem) for r in theirs) == 358  # every 7th: a company too long


@pytest.mark.parametrize("worker", [False, True])
def test_a_bad_file_fails_the_same_way_either_way(worker: bool) -> None:
    with (
        pytest.raises(ImportFailed, match=r"^binary\.csv: this is a binary file \(a PNG image\)"),
        ReadAhead(FIXTURES / "binary.csv", seller=NEW_YORK, worker=worker) as rows,
    ):
        _all(rows)


def test_the_worker_reads_columns_as_mapped(tmp_path: Path) -> None:
    path = tmp_path / "shop.csv"
    path.write_text("Who,Cell,Shop\nAnn Lee,(212) 736-5000,Bakery\n", encoding="utf-8")
    mapping = {"Who": "name", "Cell": "phone:work", "Shop": "company"}
    with ReadAhead(path, seller=NEW_YORK, mapping=mapping, worker=True) as rows:
        (item,) = _all(rows)
    assert isinstance(item, Incoming)
    assert (item.first_name, item.last_name, item.company) == ("Ann", "Lee", "Bakery")
    assert item.numbers == (("+12127365000", "", "work", True),)


def test_cards_without_end_are_reported_by_the_worker_as_here() -> None:
    with (
        ReadAhead(FIXTURES / "no-end.vcf", seller=NEW_YORK) as here,
        ReadAhead(FIXTURES / "no-end.vcf", seller=NEW_YORK, worker=True) as there,
    ):
        mine, theirs = _all(here), _all(there)
    assert mine == theirs
    assert [r.row for r in theirs if isinstance(r, RowProblem)] == [7, 18]


def test_a_worker_that_dies_is_an_error_not_a_short_file(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("name,phone\n" + "".join(f"P {i},+1 646 555 {i % 10000:04}\n" for i in range(30000)))
    with (
        pytest.raises(RuntimeError, match="stopped unexpectedly"),
        ReadAhead(path, seller=NEW_YORK, worker=True) as rows,
    ):
        for number, _batch in enumerate(rows):
            if number == 0:
                os.kill(rows._process.pid, signal.SIGKILL)


def test_in_process_batches_close_the_file(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("name\n" + "P\n" * 3000)
    found, batches = incoming_batches(path, seller=NEW_YORK)
    assert found == FileFormat.CSV and len(next(batches).rows) == 1000
    batches.close()  # type: ignore[attr-defined]
