"""Folding text for search: accents, case and spacing never decide whether a search finds someone.

``fold`` is what both sides of every contact search go through (the stored search columns and
the words typed), so "nunez" finds "Núñez" and "JOSÉ" finds "jose" on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ringback.core.folding import fold

#: Plain Latin letters and the accented letters a seller's contacts are written with.
ACCENTED = {
    "a": "àáâãäåāăą",
    "c": "çćĉċč",
    "e": "èéêëēĕėęě",
    "i": "ìíîïĩīĭį",
    "n": "ñńņňṅ",
    "o": "òóôõöōŏő",
    "s": "śŝşšș",
    "u": "ùúûüũūŭůűų",
    "y": "ýÿŷ",
    "z": "źżž",
}
COMBINING = "\u0300\u0301\u0302\u0303\u0308\u030a\u0327\u030c"

plain_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz -'.", min_size=1, max_size=30)


@st.composite
def accented(draw: st.DrawFn) -> tuple[str, str]:
    """A plain name and the same name with some letters accented (precomposed or combining)."""
    plain = draw(plain_names)
    letters = []
    for letter in plain:
        how = draw(st.sampled_from(["keep", "precomposed", "combining"]))
        if how == "precomposed" and letter in ACCENTED:
            letters.append(draw(st.sampled_from(ACCENTED[letter])))
        elif how == "combining" and letter.isalpha():
            letters.append(letter + draw(st.text(alphabet=COMBINING, min_size=1, max_size=2)))
        else:
            letters.append(letter)
    return plain, "".join(letters)


@given(st.text())
@example("ǰ")  # casefolding gives a letter with a combining mark
@example("ℌ")  # compatibility decomposition gives a capital
@example("İstanbul")
@example("Ｊｏｓé")
def test_folding_twice_changes_nothing(text: str) -> None:
    once = fold(text)
    assert fold(once) == once


@given(st.text())
def test_the_folded_text_has_no_accents_no_capitals_and_single_spaces(text: str) -> None:
    folded = fold(text)
    assert not any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", folded))
    assert folded.casefold() == folded
    assert folded == " ".join(folded.split())


@given(accented())
def test_a_name_with_accents_folds_as_the_name_without(names: tuple[str, str]) -> None:
    plain, with_accents = names
    assert fold(with_accents) == fold(plain)
    assert fold(with_accents.upper()) == fold(plain.lower()) == fold(plain)


@given(plain_names)
def test_plain_ascii_is_only_lowercased_and_its_spaces_tidied(name: str) -> None:
    assert fold(name.upper()) == " ".join(name.lower().split())


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Ana Núñez", "ana nunez"),
        ("Lefèvre", "lefevre"),
        ("JOSÉ", "jose"),
        ("José Pérez", "jose perez"),
        ("  Zoë   Smithson ", "zoe smithson"),
        ("Straße", "strasse"),
        ("Ｊｏｓé", "jose"),
        ("Łukasz Bøe", "lukasz boe"),  # letters with a stroke are read as the plain letter
        ("Ærø Œuvre", "aero oeuvre"),
        ("josé@exämple.fr", "jose@example.fr"),
        ("", ""),
    ],
)
def test_examples(text: str, folded: str) -> None:
    assert fold(text) == folded
