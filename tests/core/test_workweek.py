"""Working days as sellers write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ringback.core.errors import InvalidInput
from ringback.core.workweek import parse_weekdays, weekdays_text, weekdays_words


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("mon-fri", {0, 1, 2, 3, 4}),
        ("Mon, Wed, Fri", {0, 2, 4}),
        ("monday,tuesday", {0, 1}),
        ("sat-mon", {5, 6, 0}),
        ("tue-thu,sat", {1, 2, 3, 5}),
    ],
)
def test_days_and_ranges_are_read(text: str, days: set[int]) -> None:
    assert parse_weekdays(text) == frozenset(days)


@pytest.mark.parametrize("text", ["", " , ", "funday", "mon-someday"])
def test_what_is_no_day_is_refused_with_the_field(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_weekdays(text)
    assert caught.value.field == "working_days"


def test_words() -> None:
    assert weekdays_words(frozenset(range(5))) == "Monday to Friday"
    assert weekdays_words(frozenset(range(7))) == "every day"
    assert weekdays_words(frozenset({0, 2, 4})) == "Mon, Wed, Fri"


@given(st.frozensets(st.integers(0, 6), min_size=1))
def test_the_stored_text_reads_back(days: frozenset[int]) -> None:
    assert parse_weekdays(weekdays_text(days)) == days
