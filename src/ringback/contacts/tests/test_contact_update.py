"""Editing a contact (``contact_update``): every bad value is refused with its message before
anything is written; what is left ``None`` stays; numbers and addresses are changed, added and
removed by id; the country and state follow the first working number."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from ringback.accounts.models import Account
from ringback.contacts.models import Address, Contact, Email, Phone
from ringback.contacts.services import (
    AddressInput,
    EmailChange,
    PhoneChange,
    PhoneInput,
    contact_create,
    contact_update,
)
from ringback.contacts.tests.conftest import NOW, make_account
from ringback.core import clock
from ringback.core.errors import (
    InvalidDate,
    InvalidInput,
    InvalidPhone,
    InvalidTimeZone,
    NotFound,
    RingbackError,
)

pytestmark = pytest.mark.django_db

LATER = NOW + timedelta(hours=1)


@dataclass(frozen=True)
class Mary:
    """Mary and the ids of her rows; Olga, another contact of the same seller, and hers."""

    contact: Contact
    mobile: int
    work: int
    email: int
    olga_phone: int
    olga_email: int


@pytest.fixture
def mary(account: Account) -> Mary:
    """Mary lives in Chicago (two 312 numbers), with an email, a tag and a birthday."""
    contact = contact_create(
        account=account,
        first_name="Mary",
        last_name="Smith",
        company="Acme Bakery",
        title="Baker",
        notes="Met at the fair",
        phones=[PhoneInput("(312) 555-0123"), PhoneInput("312-555-0188", "work", ok_at_work=True)],
        emails=["mary@example.com"],
        tags=["vip"],
        birthday=(4, 12, 1980),
    )
    olga = contact_create(
        account=account, first_name="Olga", phones=[PhoneInput("646-555-0101")], emails=["olga@example.com"]
    )
    return Mary(
        contact=contact,
        mobile=contact.phones.get(label="mobile").pk,
        work=contact.phones.get(label="work").pk,
        email=contact.emails.get().pk,
        olga_phone=olga.phones.get().pk,
        olga_email=olga.emails.get().pk,
    )


def stored(contact: Contact) -> dict[str, Any]:
    """Everything about the contact as the database has it."""
    fresh = Contact.objects.get(pk=contact.pk)
    return {
        "contact": {f.attname: getattr(fresh, f.attname) for f in Contact._meta.concrete_fields},
        "phones": [
            (p.pk, p.number, p.extension, p.label, p.ok_at_work, p.is_valid, p.is_bad)
            for p in Phone.objects.filter(contact=contact)
        ],
        "emails": [(e.pk, e.address, e.label) for e in Email.objects.filter(contact=contact)],
        "addresses": [str(a) for a in Address.objects.filter(contact=contact)],
        "tags": sorted(t.name for t in fresh.tags.all()),
    }


def update(account: Account, contact: Contact, **changes: Any) -> Contact:
    """``contact_update`` an hour after the contact was made."""
    with clock.frozen(LATER):
        return contact_update(account=account, contact=contact, **changes)


#: Good changes made together with each bad one below: none of them may be written.
GOOD = {
    "first_name": "Maria",
    "notes": "changed",
    "warmth": "acquainted",
    "tags": ["other"],
    "address": AddressInput(street="1 Main St", city="Springfield"),
    "phones": [PhoneChange(None, "(305) 555-0100")],
    "emails": [EmailChange(None, "maria@example.com")],
}

Changes = Callable[[Mary], dict[str, Any]]

BAD: list[tuple[str, Changes, type[RingbackError], str]] = [
    (
        "no name left",
        lambda m: {"first_name": " ", "last_name": "", "company": "  "},
        InvalidInput,
        "a contact needs a name or a company",
    ),
    (
        "warmth",
        lambda m: {"warmth": "hot"},
        InvalidInput,
        "warmth 'hot' is not one of stranger, met-once, acquainted, customer",
    ),
    (
        "status",
        lambda m: {"status": "lead"},
        InvalidInput,
        "status 'lead' is not one of prospect, customer, host, recruit, networking",
    ),
    (
        "time zone",
        lambda m: {"time_zone": "Mars/Olympus"},
        InvalidTimeZone,
        "unknown time zone 'Mars/Olympus' (use an IANA name like America/Chicago)",
    ),
    ("no such day", lambda m: {"birthday": (2, 30, None)}, InvalidDate, "birthday --02-30 is not a date"),
    ("no such month", lambda m: {"birthday": (13, 1, None)}, InvalidDate, "birthday --13-01 is not a date"),
    (
        "29 February of a common year",
        lambda m: {"birthday": (2, 29, 2001)},
        InvalidDate,
        "birthday 2001-02-29 is not a date",
    ),
    (
        "birth year too early",
        lambda m: {"birthday": (4, 12, 1850)},
        InvalidDate,
        "birthday year 1850 is not a year someone was born in",
    ),
    (
        "birth year to come",
        lambda m: {"birthday": (4, 12, 2030)},
        InvalidDate,
        "birthday year 2030 is not a year someone was born in",
    ),
    (
        "another contact's phone",
        lambda m: {"phones": [PhoneChange(m.olga_phone, "")]},
        InvalidInput,
        "that phone number is not one of this contact's (reload the page)",
    ),
    (
        "unknown phone id, to remove",
        lambda m: {"phones": [PhoneChange(10**9, "", remove=True)]},
        InvalidInput,
        "that phone number is not one of this contact's (reload the page)",
    ),
    (
        "phone label",
        lambda m: {"phones": [PhoneChange(None, "305-555-0100", label="pager")]},
        InvalidInput,
        "phone label 'pager' is not one of mobile, work, home, other",
    ),
    (
        "phone label of a number removed",
        lambda m: {"phones": [PhoneChange(m.mobile, "", label="pager", remove=True)]},
        InvalidInput,
        "phone label 'pager' is not one of mobile, work, home, other",
    ),
    (
        "new number",
        lambda m: {"phones": [PhoneChange(None, " 12345 ")]},
        InvalidPhone,
        "phone '12345' is not a number (default region US)",
    ),
    (
        "number re-typed",
        lambda m: {"phones": [PhoneChange(m.mobile, "555-12")]},
        InvalidPhone,
        "phone '555-12' is not a number (default region US)",
    ),
    (
        "a bad number after a good one",
        lambda m: {"phones": [PhoneChange(m.work, "", label="home"), PhoneChange(None, "12")]},
        InvalidPhone,
        "phone '12' is not a number (default region US)",
    ),
    (
        "another contact's email",
        lambda m: {"emails": [EmailChange(m.olga_email, "olga@example.com")]},
        InvalidInput,
        "that email address is not one of this contact's (reload the page)",
    ),
    (
        "unknown email id, to remove",
        lambda m: {"emails": [EmailChange(10**9, "", remove=True)]},
        InvalidInput,
        "that email address is not one of this contact's (reload the page)",
    ),
    (
        "email label",
        lambda m: {"emails": [EmailChange(None, "new@example.com", label="fax")]},
        InvalidInput,
        "email label 'fax' is not one of home, work, other",
    ),
    (
        "email label of an address removed",
        lambda m: {"emails": [EmailChange(m.email, "", label="fax", remove=True)]},
        InvalidInput,
        "email label 'fax' is not one of home, work, other",
    ),
    (
        "new email",
        lambda m: {"emails": [EmailChange(None, " Not An Email ")]},
        InvalidInput,
        "'Not An Email' is not an email address",
    ),
    (
        "email re-typed",
        lambda m: {"emails": [EmailChange(m.email, "nope")]},
        InvalidInput,
        "'nope' is not an email address",
    ),
    (
        "email blanked without removing it",
        lambda m: {"emails": [EmailChange(m.email, "  ")]},
        InvalidInput,
        "'' is not an email address",
    ),
]


#: The cases whose error names the form field it belongs to (the others go above the form).
FIELD_OF = {"warmth": "warmth", "status": "status"}


@pytest.mark.parametrize(("case", "changes", "error", "message"), BAD, ids=[c[0] for c in BAD])
def test_a_bad_value_is_refused_and_nothing_is_written(
    account, mary, case: str, changes: Changes, error: type[RingbackError], message: str
):
    before = stored(mary.contact)
    with pytest.raises(error) as caught:
        update(account, mary.contact, **{**GOOD, **changes(mary)})
    assert str(caught.value) == message
    assert caught.value.field == FIELD_OF.get(case)
    assert stored(mary.contact) == before


def test_the_first_bad_value_is_the_one_reported(account, mary):
    """Names, warmth, status, time zone, birthday, then numbers, then email addresses."""
    changes: dict[str, Any] = {
        "first_name": "",
        "last_name": "",
        "company": "",
        "warmth": "hot",
        "status": "lead",
        "time_zone": "Mars/Olympus",
        "birthday": (2, 30, None),
        "phones": [PhoneChange(None, "12")],
        "emails": [EmailChange(None, "nope")],
    }
    fixes: list[tuple[dict[str, Any], str]] = [
        ({"first_name": "Maria"}, "a contact needs a name or a company"),
        ({"warmth": "stranger"}, "warmth 'hot' is not one of"),
        ({"status": "host"}, "status 'lead' is not one of"),
        ({"time_zone": "UTC"}, "unknown time zone 'Mars/Olympus'"),
        ({"birthday": (2, 28, None)}, "birthday --02-30 is not a date"),
        ({"phones": []}, "phone '12' is not a number"),
        ({"emails": []}, "'nope' is not an email address"),
    ]
    for fix, message in fixes:
        with pytest.raises((InvalidInput, InvalidPhone, InvalidTimeZone, InvalidDate)) as caught:
            update(account, mary.contact, **changes)
        assert str(caught.value).startswith(message)
        changes.update(fix)
    update(account, mary.contact, **changes)
    assert stored(mary.contact)["contact"]["status"] == "host"


def test_another_accounts_contact_is_no_such_contact(mary):
    olga = make_account("olga")
    with pytest.raises(NotFound, match="no such contact"):
        update(olga, mary.contact, first_name="Hacked")
    assert Contact.objects.get(pk=mary.contact.pk).first_name == "Mary"


def test_what_is_left_none_stays_as_it_is(account, mary):
    before = stored(mary.contact)
    returned = update(account, mary.contact, notes="  Prefers mornings  ")
    after = stored(mary.contact)
    assert returned is mary.contact and returned.notes == "  Prefers mornings  "
    assert after["contact"] == {**before["contact"], "notes": "  Prefers mornings  ", "updated_at": LATER}
    assert {k: after[k] for k in ("phones", "emails", "addresses", "tags")} == {
        k: before[k] for k in ("phones", "emails", "addresses", "tags")
    }


def test_names_and_title_are_trimmed_and_a_company_alone_is_enough(account, mary):
    update(
        account,
        mary.contact,
        first_name="  ",
        last_name="",
        title="  Owner ",
        warmth="customer",
        status="recruit",
    )
    saved = stored(mary.contact)["contact"]
    assert (saved["first_name"], saved["last_name"], saved["company"], saved["title"]) == (
        "",
        "",
        "Acme Bakery",
        "Owner",
    )
    assert (saved["warmth"], saved["status"]) == ("customer", "recruit")
    update(account, mary.contact, first_name=" Mia ", company="")
    saved = stored(mary.contact)["contact"]
    assert (saved["first_name"], saved["last_name"], saved["company"]) == ("Mia", "", "")


def test_birthday_and_time_zone(account, mary):
    update(account, mary.contact, birthday=(2, 29, None), time_zone=" America/Denver ")
    saved = stored(mary.contact)["contact"]
    assert (saved["birthday_month"], saved["birthday_day"], saved["birthday_year"]) == (2, 29, None)
    assert saved["time_zone"] == "America/Denver"

    update(account, mary.contact, birthday=(7, 1, 1990), clear_birthday=True)  # the birthday given wins
    saved = stored(mary.contact)["contact"]
    assert (saved["birthday_month"], saved["birthday_day"], saved["birthday_year"]) == (7, 1, 1990)

    update(account, mary.contact, clear_birthday=True)
    saved = stored(mary.contact)["contact"]
    assert (saved["birthday_month"], saved["birthday_day"], saved["birthday_year"]) == (None, None, None)
    assert saved["time_zone"] == "America/Denver"


def test_numbers_are_retyped_relabelled_flagged_added_and_removed(account, mary):
    update(
        account,
        mary.contact,
        phones=[
            PhoneChange(mary.mobile, " (312) 555-0199 ", label="home", ok_at_work=True, bad=True),
            PhoneChange(mary.work, "", label="other", remove=True),
            PhoneChange(None, "212-555-0100 ext. 7", label="work", ok_at_work=True, bad=True),
            PhoneChange(None, "  ", label="pager"),  # a blank new row is no number, whatever its label
        ],
    )
    phones = stored(mary.contact)["phones"]
    new = phones[1][0]
    assert phones == [
        (mary.mobile, "+13125550199", "", "home", True, True, True),
        (new, "+12125550100", "7", "work", True, True, True),
    ]

    update(
        account,
        mary.contact,
        phones=[
            PhoneChange(mary.mobile, "", label="mobile"),  # blank: the number is kept
            PhoneChange(new, "+1 212-555-0100", label="work"),  # the same number written otherwise
        ],
    )
    assert stored(mary.contact)["phones"] == [
        (mary.mobile, "+13125550199", "", "mobile", False, True, False),
        (new, "+12125550100", "", "work", False, True, False),
    ]


def test_a_number_kept_as_written_stays_so_until_retyped(account):
    bob = contact_create(
        account=account, first_name="Bob", phones=[PhoneInput("ask at the bakery")], strict_phones=False
    )
    pk = bob.phones.get().pk
    update(account, bob, phones=[PhoneChange(pk, "ask at the bakery", label="work")])
    assert stored(bob)["phones"] == [(pk, "ask at the bakery", "", "work", False, False, False)]
    update(account, bob, phones=[PhoneChange(pk, "(646) 555-0199", label="work")])
    assert stored(bob)["phones"] == [(pk, "+16465550199", "", "work", False, True, False)]


def test_a_number_removed_is_not_checked(account, mary):
    update(
        account,
        mary.contact,
        phones=[
            PhoneChange(mary.mobile, "not a number", remove=True),
            PhoneChange(None, "neither", remove=True),  # a new row removed: nothing is added
        ],
    )
    assert [p[0] for p in stored(mary.contact)["phones"]] == [mary.work]


def test_the_country_and_state_follow_the_first_working_number(account, mary):
    saved = stored(mary.contact)["contact"]
    assert (saved["country"], saved["subdivision"], saved["time_zone"]) == ("US", "IL", "America/Chicago")

    # The numbers are not changed: the country stays, even when it no longer fits them.
    Contact.objects.filter(pk=mary.contact.pk).update(country="CA", subdivision="ON")
    contact = Contact.objects.get(pk=mary.contact.pk)
    update(account, contact, phones=[], first_name="Mary")
    update(account, contact, phones=[PhoneChange(None, "")])
    assert (stored(contact)["contact"]["country"], stored(contact)["contact"]["subdivision"]) == ("CA", "ON")

    # Any change to the numbers, even a new label, places the contact by the first working one.
    update(account, contact, phones=[PhoneChange(mary.work, "", label="home", ok_at_work=True)])
    assert (stored(contact)["contact"]["country"], stored(contact)["contact"]["subdivision"]) == ("US", "IL")

    # The first two flagged wrong: the new London number is the first working one.
    update(
        account,
        contact,
        phones=[
            PhoneChange(mary.mobile, "", bad=True),
            PhoneChange(mary.work, "", label="work", bad=True),
            PhoneChange(None, "+44 20 7946 0958"),
        ],
    )
    saved = stored(contact)["contact"]
    assert (saved["country"], saved["subdivision"], saved["time_zone"]) == ("GB", "", "America/Chicago")

    # No working number left: the country stays as it was.
    london = stored(contact)["phones"][-1][0]
    update(account, contact, phones=[PhoneChange(london, "", remove=True)])
    assert (stored(contact)["contact"]["country"], stored(contact)["contact"]["subdivision"]) == ("GB", "")
    assert len(stored(contact)["phones"]) == 2


def test_email_addresses_are_changed_added_and_removed(account, mary):
    update(
        account,
        mary.contact,
        emails=[
            EmailChange(mary.email, " Maria@Example.COM ", label="work"),
            EmailChange(None, " NEW@example.com ", label="other"),
            EmailChange(None, "  ", label="fax"),  # a blank new row is no address, whatever its label
        ],
    )
    emails = stored(mary.contact)["emails"]
    assert emails == [
        (mary.email, "maria@example.com", "work"),
        (emails[1][0], "new@example.com", "other"),
    ]
    update(account, mary.contact, emails=[EmailChange(mary.email, "not an address", remove=True)])
    assert stored(mary.contact)["emails"] == [(emails[1][0], "new@example.com", "other")]


def test_the_address_and_tags(account, mary):
    update(
        account, mary.contact, address=AddressInput(street=" 1 Main St ", city="Springfield", label="home")
    )
    assert stored(mary.contact)["addresses"] == ["1 Main St, Springfield"]
    update(account, mary.contact, tags=[" glaze club ", "vip", "vip", ""])
    assert stored(mary.contact)["tags"] == ["glaze club", "vip"]
    update(account, mary.contact, first_name="Mary")  # None: both stay
    assert stored(mary.contact)["addresses"] == ["1 Main St, Springfield"]
    assert stored(mary.contact)["tags"] == ["glaze club", "vip"]
    update(account, mary.contact, address=AddressInput(), tags=[])
    assert stored(mary.contact)["addresses"] == [] and stored(mary.contact)["tags"] == []


def test_a_new_row_ticked_remove_is_dropped_not_a_crash(account, mary):
    """A form row added then ticked "remove" before saving: nothing to add, nothing to remove."""
    before = stored(mary.contact)
    update(
        account,
        mary.contact,
        phones=[PhoneChange(None, "(305) 555-0100", remove=True)],
        emails=[EmailChange(None, "maria@example.com", remove=True)],
    )
    after = stored(mary.contact)
    assert after["phones"] == before["phones"] and after["emails"] == before["emails"]
