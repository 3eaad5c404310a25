"""Warmth (R12, issue 11 #21): set by a command, in bulk on the web, and it suggests a playbook.

Stranger: stranger-series; met once: call-mail-call; acquainted: four-calls-two-weeks;
customer: customer-care, a sixth built-in with check-in calls and no pitch.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.management import call_command

from ringback.accounts.services import account_create
from ringback.contacts.models import Contact
from ringback.contacts.services import (
    AddressInput,
    PhoneInput,
    address_set,
    contact_create,
    contacts_set_warmth,
)
from ringback.core import clock
from ringback.core.errors import InvalidInput, NotFound
from ringback.core.playbook import (
    BUILTIN_NAMES,
    PLAYBOOK_FOR_WARMTH,
    Channel,
    builtin_playbooks,
    builtin_text,
)
from ringback.playbooks.models import Enrollment, Playbook, PlaybookVersion
from ringback.playbooks.services import (
    enrollment_start,
    enrollments_start_many,
    playbook_add,
    playbooks_install_builtins,
)

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York

pytestmark = pytest.mark.django_db

EXPECTED = {
    "stranger": "stranger-series",
    "met-once": "call-mail-call",
    "acquainted": "four-calls-two-weeks",
    "customer": "customer-care",
}


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen(NOW):
        yield


def person(
    account, first: str, warmth: str = "met-once", number: str = "212-555-0123", **extra: Any
) -> Contact:
    """A contact with a mobile, an email address and a postal address: every step can reach them."""
    contact = contact_create(
        account=account,
        first_name=first,
        last_name="Smith",
        warmth=warmth,
        phones=[PhoneInput(number)],
        emails=[f"{first.lower()}@example.com"],
        **extra,
    )
    address_set(account=account, contact=contact, address=AddressInput(street="1 Main St", city="New York"))
    return contact


def test_the_mapping_names_built_in_playbooks_for_every_warmth():
    assert dict(PLAYBOOK_FOR_WARMTH) == EXPECTED
    assert set(EXPECTED.values()) <= set(BUILTIN_NAMES)


def test_the_customer_playbook_phones_them_and_never_pitches():
    care = builtin_playbooks()["customer-care"]
    channels = [step.channel for step in care.steps]
    assert channels.count(Channel.CALL) == 2 and Channel.MAIL in channels and Channel.EMAIL in channels
    assert care.finish.recontact_playbook == "stay-in-touch"
    words = " ".join(care.templates.values()).lower()
    for pitch in ("offer", "special", "discount", "buy now", "sale"):
        assert pitch not in words


def test_a_new_account_has_six_built_ins_with_customer_care(account):
    names = set(Playbook.objects.filter(account=account, is_builtin=True).values_list("name", flat=True))
    assert names == set(BUILTIN_NAMES) and len(names) == 6


@pytest.mark.parametrize(("warmth", "playbook"), list(EXPECTED.items()))
def test_enrolling_without_a_playbook_uses_the_one_the_warmth_suggests(account, warmth, playbook):
    contact = person(account, "Mary", warmth)
    enrollment = enrollment_start(account=account, contact=contact)
    assert enrollment.version.playbook.name == playbook


def test_a_customer_is_phoned(account):
    kim = person(account, "Kim", "customer")
    enrollment_start(account=account, contact=kim)
    spec = builtin_playbooks()["customer-care"]
    enrollment = Enrollment.objects.get(contact=kim)
    assert enrollment.version.playbook.name == "customer-care"
    assert any(step.channel is Channel.CALL for step in spec.steps)


def test_bulk_enrolling_without_a_playbook_picks_one_each(account):
    people = [
        person(account, "Ann", "stranger", "212-555-0101"),
        person(account, "Bob", "acquainted", "212-555-0102"),
        person(account, "Cy", "customer", "212-555-0103"),
    ]
    made, skipped = enrollments_start_many(account=account, contacts=people)
    assert skipped == []
    assert {e.contact.first_name: e.version.playbook.name for e in made} == {
        "Ann": "stranger-series",
        "Bob": "four-calls-two-weeks",
        "Cy": "customer-care",
    }


def test_setting_the_warmth_in_bulk_checks_the_value_and_the_account(account):
    ann, bob = (
        person(account, "Ann", "stranger", "212-555-0101"),
        person(account, "Bob", "customer", "212-555-0102"),
    )
    changed = contacts_set_warmth(account=account, contacts=[ann, bob], warmth="customer")
    assert changed == [ann]
    assert set(Contact.objects.values_list("warmth", flat=True)) == {"customer"}
    with pytest.raises(InvalidInput) as caught:
        contacts_set_warmth(account=account, contacts=[ann], warmth="hot")
    assert caught.value.field == "warmth" and "'hot' is not one of stranger" in caught.value.message
    other = account_create(username="other", password="another-long-password")
    with pytest.raises(NotFound):
        contacts_set_warmth(account=other, contacts=[ann], warmth="stranger")
    ann.refresh_from_db()
    assert ann.warmth == "customer"


# --- built-ins follow the shipped YAML ----------------------------------------------------------


def test_an_existing_account_gets_a_new_built_in_and_changed_ones_on_migrate(account):
    # As an account made before customer-care shipped, with four-calls-two-weeks' first version.
    Playbook.objects.filter(account=account, name="customer-care").delete()
    four = Playbook.objects.get(account=account, name="four-calls-two-weeks")
    latest = four.versions.get()
    PlaybookVersion.objects.filter(pk=latest.pk).update(source=latest.source.replace("2-4 days", "3-4 days"))
    call_command("migrate", verbosity=0, interactive=False)
    assert Playbook.objects.filter(account=account, name="customer-care", is_builtin=True).exists()
    versions = list(four.versions.order_by("number").values_list("source", flat=True))
    assert len(versions) == 2 and "3-4 days" in versions[0] and "2-4 days" in versions[1]
    call_command("migrate", verbosity=0, interactive=False)
    assert four.versions.count() == 2  # nothing changed: no new version


def test_a_sellers_own_playbook_with_a_built_in_name_is_left_alone(account):
    Playbook.objects.filter(account=account, name="customer-care").delete()
    text = builtin_text("steady-weekly").replace("name: steady-weekly", "name: customer-care")
    playbook_add(account=account, text=text)
    assert playbooks_install_builtins(account=account) == ["customer-care"]
    mine = Playbook.objects.get(account=account, name="customer-care")
    assert not mine.is_builtin and mine.versions.count() == 1


# --- the command ------------------------------------------------------------------------------


def test_the_contact_command_shows_and_sets_the_warmth(ringback):
    ringback.ok("contacts", "add", "Mary Smith", "--phone", "212-555-0123")
    shown = ringback.json("contact", "Mary")
    assert shown["warmth"] == "met-once" and shown["suggested_playbook"] == "call-mail-call"
    result = ringback.ok("contact", "Mary", "--warmth", "customer", "--status", "customer")
    assert "Saved Mary Smith." in result.out and "suggested playbook customer-care" in result.out
    assert Contact.objects.get().warmth == "customer"
    refused = ringback("contact", "Mary", "--warmth", "hot")
    assert refused.code != 0 and "invalid choice: 'hot'" in refused.err
    bad_day = ringback("contact", "Mary", "--birthday", "1988-02-30")
    assert bad_day.code != 0 and "1988-02-30" in bad_day.err
    assert Contact.objects.get().birthday_month is None


def test_the_contacts_command_sets_warmth_by_tag_and_lists_by_warmth(ringback):
    ringback.ok("contacts", "add", "Ann Lee", "--phone", "212-555-0101", "--tag", "party")
    ringback.ok("contacts", "add", "Bob Ray", "--phone", "212-555-0102", "--tag", "party")
    ringback.ok("contacts", "add", "Cy Doe", "--phone", "212-555-0103")
    result = ringback.ok("contacts", "warmth", "acquainted", "--tag", "party")
    assert "2 contacts now acquainted." in result.out
    listed = ringback.json("contacts", "--warmth", "acquainted")
    assert sorted(c["name"] for c in listed) == ["Ann Lee", "Bob Ray"]
    everyone = ringback("contacts", "warmth", "customer")
    assert everyone.code != 0 and "needs --tag or --search" in everyone.err
    enrolled = ringback.json("enroll", "--tag", "party")
    assert {e["playbook"] for e in enrolled["enrolled"]} == {"four-calls-two-weeks"}


# --- the web ----------------------------------------------------------------------------------


def test_the_contact_page_preselects_the_suggested_playbook(account, seller):
    kim = person(account, "Kim", "customer")
    page = seller.get(f"/contacts/{kim.pk}/").content.decode()
    assert '<option value="customer-care" selected>Customer care</option>' in page
    assert "Suggested for a customer: Customer care." in page


def test_bulk_warmth_and_bulk_enrolment_by_warmth_on_the_web(account, seller):
    ann = person(account, "Ann", "stranger", "212-555-0101")
    bob = person(account, "Bob", "stranger", "212-555-0102")
    response = seller.post(
        "/contacts/bulk/",
        {
            "bulk-action": "warmth",
            "bulk-ids": [ann.pk, bob.pk],
            "bulk-warmth": "customer",
            "submission_token": "token-warmth-00001",
        },
    )
    text = response.content.decode()
    assert response.status_code == 200, text
    assert "2 contacts now “Customer”" in text
    assert set(Contact.objects.values_list("warmth", flat=True)) == {"customer"}
    missing = seller.post(
        "/contacts/bulk/",
        {"bulk-action": "warmth", "bulk-ids": [ann.pk], "submission_token": "token-warmth-00002"},
    )
    assert "Choose the warmth to give them." in missing.content.decode()
    response = seller.post(
        "/contacts/bulk/",
        {
            "bulk-action": "enroll",
            "bulk-ids": [ann.pk, bob.pk],
            "bulk-playbook": "",
            "submission_token": "token-enroll-00003",
        },
    )
    text = response.content.decode()
    assert "Enrolled 2 in the playbook their warmth suggests" in text
    assert "Ann Smith (Customer care)" in text
    assert set(Enrollment.objects.values_list("version__playbook__name", flat=True)) == {"customer-care"}
