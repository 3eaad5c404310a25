"""Consent to texts and stopping them, per number (issue 12, texts with consent): the contacts
services, what they refuse, and what the database itself refuses."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from ringback.contacts.models import Phone
from ringback.contacts.selectors import contact_phone_choices, phone_find, phone_text_status
from ringback.contacts.services import (
    PhoneChange,
    PhoneInput,
    contact_create,
    contact_update,
    phone_add,
    phone_text_consent,
    phone_texts_restore,
    phone_texts_stop,
)
from ringback.core import clock
from ringback.core.errors import InvalidDate, InvalidInput, NotFound, TextsStopped
from ringback.core.phones import can_be_texted

from .conftest import NOW, make_account

pytestmark = pytest.mark.django_db


def mary(account, **extra):
    return contact_create(
        account=account,
        first_name="Mary",
        last_name="Smith",
        phones=[
            PhoneInput("212-555-0123", label="mobile", **extra),
            PhoneInput("212-555-0199", label="home"),
        ],
    )


def mobile_of(contact) -> Phone:
    return Phone.objects.get(contact=contact, label="mobile")


def test_a_mobile_with_no_consent_gets_no_texts_until_consent_is_recorded(account):
    m = mary(account)
    phone = mobile_of(m)
    assert not phone.may_text and not can_be_texted(contact_phone_choices(contact=m))
    assert phone_text_status(phone=phone, zone_name=account.time_zone) == "No consent to texts yet"

    saved = phone_text_consent(
        account=account, contact=m, phone=phone, how="in-person", note=" at  the fair "
    )
    phone.refresh_from_db()
    assert (phone.text_consent_at, phone.text_consent_source, phone.text_consent_note) == (
        NOW,
        "in-person",
        "at the fair",
    )
    assert saved.may_text and phone.may_text and can_be_texted(contact_phone_choices(contact=m))
    assert phone_text_status(phone=phone, zone_name=account.time_zone) == (
        "Texts OK: told me in person on Mon 23 Nov 2026"
    )


def test_consent_given_when_the_contact_is_added(account):
    m = mary(account, text_consent="web-form")
    phone = mobile_of(m)
    assert (phone.text_consent_at, phone.text_consent_source) == (NOW, "web-form") and phone.may_text
    with pytest.raises(InvalidInput, match="texts go to mobile numbers only") as refused:
        contact_create(
            account=account,
            first_name="Tom",
            phones=[PhoneInput("212-555-0144", "home", text_consent="by-text")],
        )
    assert refused.value.field == "phone"
    with pytest.raises(InvalidInput, match="how they agreed to texts 'shouted'"):
        contact_create(
            account=account, first_name="Tom", phones=[PhoneInput("212-555-0144", text_consent="shouted")]
        )


def test_consent_is_refused_with_the_reason_and_changes_nothing(account):
    m = mary(account)
    mobile, home = mobile_of(m), Phone.objects.get(contact=m, label="home")
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        (
            dict(phone=home, how="in-person"),
            InvalidInput,
            "is a home number: texts go to mobile numbers only",
        ),
        (dict(phone=mobile, how="smoke-signal"), InvalidInput, "how they agreed to texts 'smoke-signal'"),
        (dict(phone=mobile, how="in-person", note="x" * 501), InvalidInput, "longer than 500 characters"),
        (dict(phone=mobile, how="in-person", at=NOW + timedelta(days=1)), InvalidDate, "in the future"),
    ]
    for arguments, error, message in cases:
        with pytest.raises(error, match=message):
            phone_text_consent(account=account, contact=m, **arguments)
    assert not Phone.objects.filter(contact=m, text_consent_at__isnull=False).exists()
    other = make_account("bob")
    with pytest.raises(NotFound):
        phone_text_consent(account=other, contact=m, phone=mobile, how="in-person")
    tom = contact_create(account=account, first_name="Tom", phones=[PhoneInput("212-555-0144")])
    with pytest.raises(NotFound, match="no such number"):
        phone_text_consent(account=account, contact=tom, phone=mobile, how="in-person")


def test_a_stop_keeps_texts_away_until_they_opt_back_in(account):
    m = mary(account, text_consent="in-person")
    phone = mobile_of(m)
    later = NOW + timedelta(hours=2)
    stopped = phone_texts_stop(
        account=account, contact=m, phones=[phone], how="reply", words="STOP", at=later
    )
    assert stopped == [phone.pk]
    phone.refresh_from_db()
    assert (phone.texts_stopped_at, phone.texts_stopped_how, phone.texts_stopped_by) == (
        later,
        "reply",
        "STOP",
    )
    assert not phone.may_text and not can_be_texted(contact_phone_choices(contact=m))
    assert phone_text_status(phone=phone, zone_name=account.time_zone) == (
        "Texts stopped on Mon 23 Nov 2026 (they replied “STOP”)"
    )

    # A second stop keeps the first one's date and words.
    assert phone_texts_stop(account=account, contact=m, phones=[phone], how="by-hand", words="again") == []
    phone.refresh_from_db()
    assert (phone.texts_stopped_at, phone.texts_stopped_by) == (later, "STOP")

    # Consent recorded again is refused, saying why, unless they opted back in.
    with pytest.raises(
        TextsStopped, match="texts stopped on Mon 23 Nov 2026 \\(they replied “STOP”\\)"
    ) as refused:
        phone_text_consent(account=account, contact=m, phone=phone, how="by-text")
    assert refused.value.field == "resume"
    phone.refresh_from_db()
    assert phone.texts_stopped_at == later and phone.text_consent_source == "in-person"
    with clock.frozen(NOW + timedelta(days=3)):
        phone_text_consent(
            account=account, contact=m, phone=phone, how="by-text", note="texted START", resume=True
        )
    phone.refresh_from_db()
    assert phone.texts_stopped_at is None and phone.texts_stopped_by == "" and phone.may_text
    assert (phone.text_consent_source, phone.text_consent_note) == ("by-text", "texted START")


def test_a_stop_by_hand_says_so_and_an_undo_takes_a_stop_back(account):
    m = mary(account, text_consent="in-person")
    phone = mobile_of(m)
    stopped = phone_texts_stop(
        account=account, contact=m, phones=[phone], how="by-hand", words="number changed hands"
    )
    phone.refresh_from_db()
    assert phone_text_status(phone=phone, zone_name=account.time_zone) == (
        "Texts stopped on Mon 23 Nov 2026 (you stopped them: number changed hands)"
    )
    with pytest.raises(InvalidInput, match="longer than 200"):
        phone_texts_stop(account=account, contact=m, phones=[phone], how="by-hand", words="x" * 201)
    with pytest.raises(InvalidInput, match="how texts stopped 'maybe'"):
        phone_texts_stop(account=account, contact=m, phones=[phone], how="maybe")
    phone_texts_restore(account=account, ids=stopped)
    phone.refresh_from_db()
    assert phone.texts_stopped_at is None and phone.may_text


def test_consent_and_stop_belong_to_the_number_on_every_contact_that_has_it(account):
    """The same mobile on two contacts (a couple's shared phone): a STOP from it stops both."""
    m = mary(account, text_consent="in-person")
    tom = contact_create(account=account, first_name="Tom", phones=[PhoneInput("212-555-0144")])
    shared = phone_add(account=account, contact=tom, number="(212) 555-0123")
    phone_texts_stop(account=account, contact=m, phones=[mobile_of(m)], how="reply", words="STOP")
    shared.refresh_from_db()
    assert shared.texts_stopped_by == "STOP" and not shared.may_text
    phone_text_consent(account=account, contact=tom, phone=shared, how="by-text", resume=True)
    assert mobile_of(m).may_text  # Mary's row of the number agreed again too


def test_a_retyped_number_forgets_the_old_numbers_consent_and_stop(account):
    m = mary(account, text_consent="in-person")
    phone = mobile_of(m)
    phone_texts_stop(account=account, contact=m, phones=[phone], how="reply", words="STOP")
    contact_update(account=account, contact=m, phones=[PhoneChange(phone.pk, "212 555 0123", label="mobile")])
    phone.refresh_from_db()
    assert phone.texts_stopped_by == "STOP", "the same number, typed another way, keeps its stop"
    contact_update(account=account, contact=m, phones=[PhoneChange(phone.pk, "212-555-0177", label="mobile")])
    phone.refresh_from_db()
    assert phone.number == "+12125550177"
    assert (phone.text_consent_at, phone.texts_stopped_at, phone.texts_stopped_by) == (None, None, "")
    assert not phone.may_text


def test_phone_find_reads_the_number_as_typed_and_names_theirs_when_not_found(account):
    m = mary(account)
    assert phone_find(account=account, contact=m, number="(212) 555-0123") == mobile_of(m)
    with pytest.raises(InvalidInput, match="'212 555 0000' is not one of Mary Smith's numbers") as refused:
        phone_find(account=account, contact=m, number="212 555 0000", field="stop_texts")
    assert refused.value.field == "stop_texts"


@pytest.mark.parametrize(
    "fields",
    [
        {"text_consent_at": NOW},  # a when without a how
        {"text_consent_source": "in-person"},  # a how without a when
        {"texts_stopped_at": NOW},  # a stop without what stopped it
        {"texts_stopped_how": "reply"},
        {"texts_stopped_by": "STOP"},
    ],
)
def test_the_database_refuses_half_a_consent_or_half_a_stop(account, fields):
    phone = mobile_of(mary(account))
    with pytest.raises(IntegrityError), transaction.atomic():
        Phone.objects.filter(pk=phone.pk).update(**fields)
