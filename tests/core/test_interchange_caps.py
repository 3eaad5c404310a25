"""Rows with very many numbers, emails or addresses: repeats dropped in linear time, and what is
beyond a contact's cap left out and counted, never silently lost. No database needed."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringback.core.interchange import incoming
from ringback.core.interchange.cards import open_cards
from ringback.core.interchange.incoming import (
    MAX_ADDRESSES,
    MAX_EMAILS,
    MAX_NUMBERS,
    Incoming,
    LeftOut,
    Seller,
    address_key,
    first_unique,
    incoming_batches,
    incoming_from_card,
)
from ringback.core.interchange.records import Card, CardAddress, CardEmail, CardPhone, RowProblem
from ringback.core.phones import parse_phone

NEW_YORK = Seller(region="US", time_zone="America/New_York")
CELL = 20_000


def google_csv(path: Path, *, numbers: int = 0, emails: int = 0) -> Path:
    """A Google Contacts CSV of one person whose number and email cells each hold that many
    different values (Google's " ::: " between them): 20,000 numbers are a 400 KB cell."""
    phones = " ::: ".join(f"+1 212 {200 + i // 10_000:03} {i % 10_000:04}" for i in range(numbers))
    addresses = " ::: ".join(f"p{i}@example.org" for i in range(emails))
    path.write_text(
        "First Name,Last Name,Phone 1 - Label,Phone 1 - Value,E-mail 1 - Label,E-mail 1 - Value\n"
        f'Ann,Many,Mobile,"{phones}",Home,"{addresses}"\n',
        encoding="utf-8",
    )
    return path


def read_all(path: Path) -> list[Incoming | RowProblem]:
    _, batches = incoming_batches(path, seller=NEW_YORK)
    return [row for batch in batches for row in batch.rows]


# --- the 20,000-number cell ------------------------------------------------------------------


def test_a_cell_of_20000_numbers_and_one_of_20000_emails_keep_the_cap_and_count_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = google_csv(tmp_path / "many.csv", numbers=CELL, emails=CELL)
    assert path.stat().st_size > 400_000
    parsed: list[str] = []

    def counted(text: str, region: str) -> Any:
        parsed.append(text)
        return parse_phone(text, region)

    monkeypatch.setattr(incoming, "parse_phone", counted)
    (item,) = read_all(path)
    assert isinstance(item, Incoming) and item.first_name == "Ann"
    assert [n for n, *_ in item.numbers] == [f"+1212200{i:04}" for i in range(MAX_NUMBERS)]
    assert [e for e, _ in item.emails] == [f"p{i}@example.org" for i in range(MAX_EMAILS)]
    assert item.left_out == LeftOut(numbers=CELL - MAX_NUMBERS, emails=CELL - MAX_EMAILS, addresses=0)
    # The costly part, normalising a number, is done for the numbers kept only: not 20,000 times.
    assert len(parsed) == MAX_NUMBERS


def test_repeats_beyond_the_cap_are_not_counted_as_left_out() -> None:
    phones = tuple(CardPhone(f"+1 646 555 {i % 30:04}") for i in range(300))  # 30 numbers, 10 times
    emails = tuple(CardEmail(f"P{i % 25}@Example.org") for i in range(100))  # 25 emails, in any case
    places = tuple(CardAddress("home", f"{i % 12} Main St", "Austin", "TX", "78701") for i in range(40))
    item = incoming_from_card(Card(row=2, first_name="Jo", phones=phones, emails=emails, addresses=places),
                              seller=NEW_YORK)  # fmt: skip
    assert isinstance(item, Incoming)
    assert (len(item.numbers), len(item.emails), len(item.addresses)) == (
        MAX_NUMBERS,
        MAX_EMAILS,
        MAX_ADDRESSES,
    )
    assert item.left_out == LeftOut(
        numbers=30 - MAX_NUMBERS, emails=25 - MAX_EMAILS, addresses=12 - MAX_ADDRESSES
    )


def test_a_card_within_the_caps_has_nothing_left_out() -> None:
    item = incoming_from_card(
        Card(row=2, first_name="Jo", phones=(CardPhone("646 555 0101"),)), seller=NEW_YORK
    )
    assert isinstance(item, Incoming) and item.left_out == LeftOut(0, 0, 0) and not item.left_out


# --- de-duplication: linear, first occurrences in order ----------------------------------------


def quadratic_unique(values: list[Any], key: Callable[[Any], Hashable]) -> list[Any]:
    """The reference: each value whose key equals no earlier kept value's key (pairwise)."""
    kept: list[Any] = []
    for value in values:
        if all(key(value) != key(other) for other in kept):
            kept.append(value)
    return kept


@given(
    values=st.lists(st.tuples(st.integers(0, 30), st.text(max_size=2)), max_size=80),
    limit=st.none() | st.integers(0, 40),
)
def test_first_unique_keeps_first_occurrences_in_order_as_the_quadratic_reference(
    values: list[tuple[int, str]], limit: int | None
) -> None:
    kept, left_out = first_unique(values, key=lambda v: v[0], limit=limit)
    reference = quadratic_unique(values, key=lambda v: v[0])
    expected = reference if limit is None else reference[:limit]
    assert kept == expected
    assert left_out == len(reference) - len(expected)


class Counted:
    """A key that counts how often it is compared."""

    comparisons = 0

    def __init__(self, value: int) -> None:
        self.value = value

    def __hash__(self) -> int:
        return hash(self.value)

    def __eq__(self, other: object) -> bool:
        Counted.comparisons += 1
        return isinstance(other, Counted) and other.value == self.value


def test_first_unique_compares_each_value_about_once_not_with_every_kept_one() -> None:
    Counted.comparisons = 0
    values = [Counted(i % 5000) for i in range(20_000)]  # 5,000 different, each four times
    kept, left_out = first_unique(values, key=lambda v: v, limit=None)
    assert len(kept) == 5000 and left_out == 0
    # A repeat meets its first occurrence once; the pairwise reference would compare 12.5 million times.
    assert Counted.comparisons <= 20_000


# Numbers written several ways: the pool's 45 numbers, each in two writings, and text that is no number.
_POOL = [f"+1 646 555 {i:04}" for i in range(45)] + [f"(646) 555-{i:04}" for i in range(45)]
_POOL += ["ask at the bakery", "ask at the Bakery", "", "  "]


def _reference_numbers(card: Card) -> list[tuple[str, str, str, bool]]:
    """The numbers as they were kept before: pairwise, by normalised number, first one wins."""
    numbers: list[tuple[str, str, str, bool]] = []
    for phone in card.phones:
        if not phone.value.strip():
            continue
        number = parse_phone(phone.value, NEW_YORK.region)
        if all(number.number != n for n, *_ in numbers):
            numbers.append((number.number, phone.extension or number.extension, phone.label, number.valid))
    return numbers


@settings(max_examples=60, deadline=None)
@given(
    texts=st.lists(st.sampled_from(_POOL), max_size=70),
    labels=st.lists(st.sampled_from(["mobile", "work", "home", "other"]), min_size=70, max_size=70),
)
def test_numbers_kept_are_the_first_different_ones_in_order_up_to_the_cap(
    texts: list[str], labels: list[str]
) -> None:
    card = Card(
        row=5, first_name="Jo", phones=tuple(CardPhone(t, lab) for t, lab in zip(texts, labels, strict=False))
    )
    item = incoming_from_card(card, seller=NEW_YORK)
    assert isinstance(item, Incoming)
    reference = _reference_numbers(card)
    assert list(item.numbers) == reference[:MAX_NUMBERS]
    if len(reference) <= MAX_NUMBERS:
        assert item.left_out.numbers == 0
    else:
        # Past the cap numbers are not normalised: each different text left out counts once, so a
        # repeat written another way counts too (nothing is lost without being counted).
        different_texts = {t for t in texts if t.strip()}
        assert len(reference) - MAX_NUMBERS <= item.left_out.numbers <= len(different_texts) - MAX_NUMBERS


@settings(max_examples=60, deadline=None)
@given(
    emails=st.lists(st.sampled_from([f"{c}{i}@x.org" for i in range(30) for c in "aA"] + ["", "no-at"]), max_size=70),
    places=st.lists(st.tuples(st.sampled_from([f"{i} Main St" for i in range(8)] + ["1 main st ", "2 Oak Ave"]),
                              st.sampled_from(["Austin", "AUSTIN", "Dallas"]),
                              st.sampled_from(["78701", "787 01", "75201"])), max_size=40),
)  # fmt: skip
def test_emails_and_addresses_kept_are_the_first_different_ones_in_order(
    emails: list[str], places: list[tuple[str, str, str]]
) -> None:
    card = Card(
        row=5,
        first_name="Jo",
        emails=tuple(CardEmail(e) for e in emails),
        addresses=tuple(CardAddress("home", s, c, "TX", p, "US") for s, c, p in places),
    )
    item = incoming_from_card(card, seller=NEW_YORK)
    assert isinstance(item, Incoming)
    texts = [e.strip().lower() for e in emails if e.strip()]
    reference = quadratic_unique(texts, key=lambda e: e)
    assert [e for e, _ in item.emails] == reference[:MAX_EMAILS]
    assert item.left_out.emails == max(len(reference) - MAX_EMAILS, 0)
    kept = quadratic_unique(list(card.addresses), key=lambda a: address_key(a.street, a.city, a.postal_code))
    assert [a[1:3] for a in item.addresses] == [(a.street, a.city) for a in kept[:MAX_ADDRESSES]]
    assert item.left_out.addresses == max(len(kept) - MAX_ADDRESSES, 0)


def test_a_batch_holds_one_card_at_a_time_not_a_thousand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows of 1 MB cells are prepared (and capped) as they are read: a batch of 1,000 rows read
    whole first would hold a 100 MB file's worth of cards at once (800 MB of numbers and emails)."""
    rows = "".join(
        f'P{r},Huge,Mobile,"{" ::: ".join(f"+1 212 {200 + r:03} {i:04}" for i in range(2000))}",Home,\n'
        for r in range(30)
    )
    path = tmp_path / "huge.csv"
    path.write_text(
        "First Name,Last Name,Phone 1 - Label,Phone 1 - Value,E-mail 1 - Label,E-mail 1 - Value\n" + rows
    )
    held = [0]
    most = [0]
    reader = open_cards  # what incoming calls (imported from cards)

    def counting_reader(*args: Any, **kwargs: Any) -> Any:
        cards = reader(*args, **kwargs)
        items = iter(cards)

        class Counting:
            format = cards.format

            @property
            def bytes_read(self) -> int:
                return cards.bytes_read

            @property
            def total_bytes(self) -> int:
                return cards.total_bytes

            def __enter__(self) -> Any:
                return self

            def __exit__(self, *exc: object) -> None:
                cards.close()

            def __iter__(self) -> Any:
                for item in items:
                    held[0] += 1
                    most[0] = max(most[0], held[0])
                    yield item

        return Counting()

    def prepared(card: Card, **kwargs: Any) -> Any:
        held[0] -= 1
        return incoming_from_card(card, **kwargs)

    monkeypatch.setattr(incoming, "open_cards", counting_reader)
    monkeypatch.setattr(incoming, "incoming_from_card", prepared)
    found = read_all(path)
    assert len(found) == 30 and all(
        isinstance(item, Incoming) and len(item.numbers) == MAX_NUMBERS for item in found
    )
    assert most[0] == 1
