"""``ringback contacts add``: the web form's rules on the command line (one contact per number)."""

from __future__ import annotations

from typing import Any

from ringback.contacts.models import Contact


def test_add_a_contact_then_the_same_number_again_is_refused_naming_who_has_it(ringback: Any) -> None:
    added = ringback.ok("contacts", "add", "Dana Smith", "--phone", "312 555 0142", "--tag", "host")
    dana = Contact.objects.get()
    assert added.out.strip() == f"Added Dana Smith (id {dana.pk})."
    assert (dana.first_name, dana.last_name, dana.time_zone) == ("Dana", "Smith", "America/Chicago")
    assert [t.name for t in dana.tags.all()] == ["host"]

    again = ringback("contacts", "add", "Dan Smith", "--phone", "(312) 555-0142")
    assert again.code == 1 and again.out == ""
    assert again.error_lines == ["error: Dana Smith already has the number +13125550142"]
    email = ringback("contacts", "add", "Mary Ann Jones", "--email", "DANA@example.com")
    assert email.ok
    twin = ringback("contacts", "add", "Dee", "--email", "dana@example.com")
    assert twin.error_lines == ["error: Mary Ann Jones already has the address dana@example.com"]
    assert Contact.objects.count() == 2
    assert Contact.objects.get(last_name="Jones").first_name == "Mary Ann"


def test_add_as_json_and_what_add_and_list_refuse(ringback: Any) -> None:
    data = ringback.json("contacts", "add", "Lee", "--company", "Acme", "--phone", "213-555-0147")
    assert (data["name"], data["phones"], data["time_zone"]) == (
        "Lee",
        ["+12135550147"],
        "America/Los_Angeles",
    )
    nameless = ringback("contacts", "add")
    assert nameless.error_lines == ["error: contacts add needs a name (or --company)"]
    bad = ringback("contacts", "add", "Kim", "--phone", "12")
    assert bad.code == 1 and "is not a number" in bad.err
    listed = ringback("contacts", "Lee")
    assert listed.code != 0
    named = ringback("contacts", "list", "Lee")
    assert named.error_lines == ["error: contacts list takes no name; to find 'Lee' use --search"]
    assert Contact.objects.count() == 1
