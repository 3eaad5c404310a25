"""A contact's postal address from the command line (issue 12: a card is printed only for someone
with an address, so the seller must be able to give one anywhere): ``ringback contact REF
--street --city --region --postal-code --country`` sets or changes parts of it, ``--no-address``
forgets it, and a part too long to keep is refused naming it, with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from ringback.accounts.models import Account
from ringback.contacts.models import Address, Contact
from ringback.contacts.services import AddressInput, PhoneInput, address_set, contact_create
from ringback.core.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture
def mary(ringback: Any) -> Contact:
    ringback.ok("account")  # makes the owner's account
    owner = Account.objects.get()
    return contact_create(
        account=owner, first_name="Mary", last_name="Smith", phones=[PhoneInput("212-555-0123")]
    )


def test_the_address_is_set_changed_part_by_part_shown_and_forgotten(ringback: Any, mary: Contact) -> None:
    out = ringback.ok(
        "contact", "Mary", "--street", "12 Elm Street", "--city", "Springfield", "--region", "IL",
        "--postal-code", "62701",
    ).out  # fmt: skip
    assert "Saved Mary Smith." in out and "address: 12 Elm Street, Springfield, IL, 62701" in out
    ringback.ok("contact", "Mary", "--city", "Chicago", "--postal-code", "60601")
    assert str(Address.objects.get(contact=mary)) == "12 Elm Street, Chicago, IL, 60601"
    assert ringback.json("contact", "Mary")["address"] == "12 Elm Street, Chicago, IL, 60601"
    ringback.ok("contact", "Mary", "--no-address")
    assert not Address.objects.filter(contact=mary).exists()
    assert ringback.json("contact", "Mary")["address"] is None


def test_a_part_too_long_or_mixed_options_are_refused_and_nothing_changes(
    ringback: Any, mary: Contact
) -> None:
    ringback.ok("contact", "Mary", "--street", "12 Elm Street", "--city", "Springfield")
    long = ringback("contact", "Mary", "--postal-code", "x" * 30, "--notes", "changed")
    assert long.code == 1 and "the postal code is longer than 20 characters (30)" in long.err
    mixed = ringback("contact", "Mary", "--no-address", "--city", "Chicago")
    assert mixed.code == 1 and "--no-address forgets the address: give it alone" in mixed.err
    mary.refresh_from_db()
    assert mary.notes == "" and str(Address.objects.get(contact=mary)) == "12 Elm Street, Springfield"


def test_the_service_refuses_a_part_too_long_to_keep(mary: Contact) -> None:
    with pytest.raises(InvalidInput, match="the city is longer than 100 characters") as caught:
        address_set(
            account=mary.account, contact=mary, address=AddressInput(street="1 Elm St", city="x" * 101)
        )
    assert caught.value.field == "city"
    assert not Address.objects.filter(contact=mary).exists()
