"""A seller with cards due today: what the post app's tests, the parallel and browser tests share.

Sally (New York, with her postal address, time for everything) has people on ``stranger-series``,
whose first step is a card due at once: most with a postal address (accented names among them),
one without (left out of the batch), and one whose address has no street nor city. Call it with
the clock frozen at :data:`NOW` (Monday 23 November 2026, 09:00 in New York).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from ringback.accounts.models import Account
from ringback.accounts.services import account_create, account_update
from ringback.contacts.models import Contact
from ringback.contacts.services import AddressInput, PhoneInput, address_set, contact_create
from ringback.playbooks.services import enrollment_start

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
PASSWORD = "a-long-password-1"
SELLER_ADDRESS = "4 Oak Lane\nChicago, IL 60601"

#: (first name, last name, street, city, region, postal code) of the people a card can reach.
ADDRESSED = (
    ("Mary", "Smith", "12 Main Street", "Springfield", "IL", "62701"),
    ("Zoë", "Ørsted", "7 Nørre Lane", "Albany", "NY", "12207"),
    ("Iñigo", "Muñoz", "3 Calle Mayor Ave", "Santa Fe", "NM", "87501"),
    ("Jürgen", "Weiß", "5 Hauptstraße Road", "Fredericksburg", "TX", "78624"),
)


@dataclass(frozen=True)
class MailDay:
    """Sally's account and the people whose cards are due today."""

    account: Account
    addressed: tuple[Contact, ...]
    no_address: Contact
    half_address: Contact


def seller(username: str = "sally", password: str | None = PASSWORD) -> Account:
    """Sally: New York, her postal address set, every day a working day with time for all."""
    account = account_create(
        username=username,
        password=password,
        seller_name="Sally Baker",
        business_name="Sweet Home",
        seller_phone="312 555 0142",
        time_zone="America/New_York",
    )
    return account_update(
        account=account,
        postal_address=SELLER_ADDRESS,
        working_days="mon-sun",
        minutes_per_day=24 * 60,
        daily_call_capacity=1000,
    )


def card_due(
    account: Account, first: str, last: str, number: int, address: AddressInput | None = None
) -> Contact:
    """A contact with a New York number on ``stranger-series`` (a card due at once)."""
    contact = contact_create(
        account=account, first_name=first, last_name=last, phones=[PhoneInput(f"212 555 {number:04d}")]
    )
    if address is not None:
        address_set(account=account, contact=contact, address=address)
    enrollment_start(account=account, contact=contact, playbook="stranger-series", force=address is None)
    return contact


def mail_day(username: str = "sally", password: str | None = PASSWORD) -> MailDay:
    """Sally and today's cards (see the module's docstring)."""
    account = seller(username, password)
    addressed = tuple(
        card_due(
            account,
            first,
            last,
            100 + n,
            AddressInput(street=street, city=city, region=region, postal_code=code),
        )
        for n, (first, last, street, city, region, code) in enumerate(ADDRESSED)
    )
    no_address = card_due(account, "Nora", "Nowhere", 190)
    half_address = card_due(account, "Hal", "Half", 191, AddressInput(region="NY", country="US"))
    return MailDay(account=account, addressed=addressed, no_address=no_address, half_address=half_address)
