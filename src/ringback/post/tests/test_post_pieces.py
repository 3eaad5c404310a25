"""What goes on a card: the note in paragraphs, the recipient's lines as their country writes them,
the return address; an address a card can't take says why."""

from __future__ import annotations

import pytest

from ringback.post.pieces import PostalAddress, address_problem, note_text, recipient_lines, sender_lines


@pytest.mark.parametrize(
    ("script", "card"),
    [
        (
            "Dear Mary, It was a pleasure to think of you. Warmly, Sally",
            "Dear Mary,\n\nIt was a pleasure to think of you.\n\nWarmly, Sally",
        ),
        (
            "Hi Bo, here is the tip. Best wishes, Sally Baker, Sweet Home",
            "Hi Bo,\n\nhere is the tip.\n\nBest wishes, Sally Baker, Sweet Home",
        ),
        (
            "Happy birthday, Mary!\nWishing you a wonderful day and a year\nfull of good things.\nSally",
            "Happy birthday, Mary!\nWishing you a wonderful day and a year full of good things.\nSally",
        ),
        (
            "Dear Zoë,\n\nThe body, as written.\n\nWarmly, Sally",
            "Dear Zoë,\n\nThe body, as written.\n\nWarmly, Sally",
        ),
        ("  Just a line  ", "Just a line"),
    ],
)
def test_a_note_is_set_as_a_note(script, card):
    assert note_text(script) == card


def test_a_line_end_inside_a_sentence_is_a_space_and_every_word_stays():
    script = "Dear Mary,\nI tucked in a tip that can save you\ntime; my customers swear by it.\nWarmly, Sally"
    text = note_text(script)
    assert "save you time;" in text
    assert text.split() == script.split()


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        (None, "no postal address"),
        (PostalAddress(city="Springfield", postal_code="62701"), "the postal address has no street"),
        (PostalAddress(street="12 Main St", region="IL"), "the postal address has no city or postal code"),
        (PostalAddress(street="12 Main St", postal_code="62701"), ""),
        (PostalAddress(street="12 Main St", city="Springfield"), ""),
    ],
)
def test_an_address_needs_a_street_and_a_city_or_code(address, problem):
    assert address_problem(address) == problem


def test_the_recipients_lines_follow_their_country():
    us = PostalAddress(street="12 Main St\nApt 4", city="Springfield", region="IL", postal_code="62701")
    assert recipient_lines(name="Mary Smith", company="Acme", address=us, home_country="US") == (
        "Mary Smith",
        "12 Main St",
        "Apt 4",
        "Springfield, IL 62701",
    )
    work = PostalAddress(
        street="1 Plaza", city="Toronto", region="ON", postal_code="M5H 2N2", country="Canada", label="work"
    )
    assert recipient_lines(name="Ann Lee", company="Acme", address=work, home_country="US") == (
        "Ann Lee",
        "Acme",
        "1 Plaza",
        "Toronto, ON M5H 2N2",
        "CANADA",
    )
    german = PostalAddress(street="Hauptstraße 5", city="Berlin", postal_code="10115", country="Germany")
    assert recipient_lines(name="Jürgen Weiß", company="", address=german, home_country="US") == (
        "Jürgen Weiß",
        "Hauptstraße 5",
        "10115 Berlin",
        "GERMANY",
    )
    british = PostalAddress(street="10 Downing St", city="London", postal_code="SW1A 2AA", country="GB")
    assert recipient_lines(name="Pat", company="", address=british, home_country="US")[-3:] == (
        "London",
        "SW1A 2AA",
        "GB",
    )
    assert recipient_lines(name="Pat", company="", address=british, home_country="GB")[-1] == "SW1A 2AA"


def test_the_return_address_needs_the_sellers_postal_address():
    assert sender_lines(seller_name="Sally Baker", business_name="Sweet Home", postal_address="") == ()
    assert sender_lines(
        seller_name="Sally Baker", business_name="", postal_address="4 Oak Lane\n\nChicago, IL 60601\n"
    ) == ("Sally Baker", "4 Oak Lane", "Chicago, IL 60601")
