"""Errors carry the field they are about; forms place them by that field, never by their wording."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from django import forms

from ringback.accounts.services import account_create, account_update, vacation_add
from ringback.activities.services import appointment_book
from ringback.contacts.services import PhoneInput, contact_create, promise_add
from ringback.core import clock
from ringback.core.errors import InvalidDate, InvalidInput, InvalidPhone, InvalidTimeZone, RingbackError
from ringback.interface.forms import add_service_error

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


class TwoFields(forms.Form):
    region = forms.CharField(required=False)
    phone = forms.CharField(required=False)


def test_an_error_goes_next_to_its_field_whatever_its_message_says():
    form = TwoFields({})
    assert form.is_valid()
    add_service_error(form, InvalidInput("the phone region is odd", field="region"))
    assert form.errors == {"region": ["The phone region is odd"]}


def test_an_unknown_or_missing_field_goes_to_the_default_or_above_the_form():
    form = TwoFields({})
    assert form.is_valid()
    add_service_error(form, InvalidInput("about something else", field="nowhere"), default="phone")
    add_service_error(form, InvalidInput("about the whole form"))
    assert form.errors == {"phone": ["About something else"], "__all__": ["About the whole form"]}


def test_a_form_can_rename_a_services_field():
    form = TwoFields({})
    assert form.is_valid()
    add_service_error(form, InvalidPhone("bad", field="seller_phone"), fields={"seller_phone": "phone"})
    assert form.errors == {"phone": ["Bad"]}


@pytest.fixture
def account():
    with clock.frozen(NOW):
        return account_create(username="sally", password="a-long-password")


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"default_region": "XYZ"}, InvalidInput, "default_region"),
        ({"seller_phone": "12"}, InvalidPhone, "seller_phone"),
        ({"time_zone": "America"}, InvalidTimeZone, "time_zone"),
        ({"calling_start": time(21), "calling_end": time(8)}, InvalidInput, "calling_end"),
        ({"daily_call_capacity": 100_000}, InvalidInput, "daily_call_capacity"),
        ({"new_per_callback": 99}, InvalidInput, "new_per_callback"),
        ({"business_name": "x" * 500}, InvalidInput, "business_name"),
    ],
)
def test_account_settings_errors_name_their_field(account, changes, error, field):
    with pytest.raises(error) as caught:
        account_update(account=account, **changes)
    assert caught.value.field == field


def test_other_services_name_their_field(account):
    with clock.frozen(NOW):
        mary = contact_create(account=account, first_name="Mary", phones=[PhoneInput("212-555-0123")])
        cases: list[tuple[RingbackError, str]] = []
        for call, field in (
            (
                lambda: appointment_book(
                    account=account, contact=mary, starts_at=datetime(2020, 1, 1, tzinfo=UTC)
                ),
                "starts_at",
            ),
            (lambda: promise_add(account=account, contact=mary, text="  "), "text"),
            (lambda: promise_add(account=account, contact=mary, text="x", due_on=date(2300, 1, 1)), "due_on"),
            (
                lambda: vacation_add(
                    account=account, first_day=date(2026, 12, 9), last_day=date(2026, 12, 1)
                ),
                "last_day",
            ),
            (lambda: contact_create(account=account, first_name=" "), "first_name"),
            (lambda: contact_create(account=account, first_name="Al", time_zone="Europe"), "time_zone"),
        ):
            with pytest.raises(RingbackError) as caught:
                call()
            cases.append((caught.value, field))
    assert [(type(e).__name__, e.field) for e, _ in cases] == [(type(e).__name__, f) for e, f in cases]
    assert isinstance(cases[0][0], InvalidDate)
