"""The settings page: what the seller sees, what is saved, and what a mistake changes (nothing)."""

from __future__ import annotations

import re
from datetime import time
from typing import Any

import pytest
from django.test import Client

from ringback.accounts.forms import SETTINGS_FIELDS, settings_fingerprint
from ringback.accounts.models import Account
from ringback.accounts.services import account_update

pytestmark = pytest.mark.django_db
URL = "/settings/"


def snapshot(account: Account) -> dict[str, Any]:
    account.refresh_from_db()
    return {key: getattr(account, key) for key in SETTINGS_FIELDS}


def form_data(account: Account, **changes: Any) -> dict[str, Any]:
    """What the page's form posts when the seller changes ``changes``."""
    data: dict[str, Any] = {
        "seller_name": account.seller_name,
        "seller_phone": account.seller_phone,
        "business_name": account.business_name,
        "postal_address": account.postal_address,
        "time_zone": account.time_zone,
        "time_zone_other": "",
        "default_region": account.default_region,
        "calling_start": account.calling_start.strftime("%H:%M"),
        "calling_end": account.calling_end.strftime("%H:%M"),
        "daily_call_capacity": account.daily_call_capacity,
        "new_per_callback": account.new_per_callback,
        "suppress_days": account.suppress_days,
        "working_days": account.working_days.split(","),
        "minutes_per_day": account.minutes_per_day,
        "mail_lead_days": account.mail_lead_days,
        "email_daily_cap": account.email_daily_cap,
        "email_from": account.email_from,
        **{f"cost_{name}": minutes for name, minutes in account.item_minutes.items()},
        "loaded": settings_fingerprint(account),
    }
    data.update(changes)
    return data


def field_error(html: str, field: str) -> str:
    """The message shown next to ``field`` (empty when there is none)."""
    found = re.search(rf'<small class="field-error" id="id_{field}_error"[^>]*>(.*?)</small>', html, re.S)
    return found.group(1).strip() if found else ""


def test_page_shows_every_setting_with_labels(seller: Client, account: Account) -> None:
    page = seller.get(URL)
    html = page.content.decode()
    assert page.status_code == 200
    for label in (
        "Your name",
        "Your phone number",
        "Business name",
        "Postal address",
        "Your time zone",
        "Country of your phone numbers",
        "Calls from",
        "Calls until",
        "Calls a day",
        "New prospects per follow-up",
        "Rest after “not interested” (days)",
    ):
        assert f">{label}</label>" in html, label
    assert 'value="Sally Carter"' in html
    assert 'name="calling_start" value="08:00"' in html and 'type="time"' in html
    assert '<option value="America/New_York" selected>' in html
    assert 'aria-current="page"' in html and "Settings</a>" in html
    assert "No vacation planned" in html
    assert "You sign in as <strong>sally</strong>" in html
    assert "ringback/accounts.css" in html


def test_page_queries_are_few(seller: Client, account: Account, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(6):
        assert seller.get(URL).status_code == 200


def test_signed_out_visitor_is_sent_to_sign_in(client: Client, account: Account) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/settings/")


def test_saving_changes_every_field(seller: Client, account: Account) -> None:
    response = seller.post(
        URL,
        form_data(
            account,
            seller_name="Sally Ann Carter",
            seller_phone="(312) 555-0142",
            business_name="Carter & Daughters",
            postal_address="1 Main St\nSpringfield, IL 62701",
            time_zone="America/Chicago",
            default_region="us",
            calling_start="09:30",
            calling_end="19:45",
            daily_call_capacity="40",
            new_per_callback="0.5",
            suppress_days="90",
            working_days=["mon", "tue", "thu"],
            minutes_per_day="45",
            mail_lead_days="6",
            email_daily_cap="50",
            email_from="sally@sweet-home.example",
            cost_card="8",
            cost_call="4",
        ),
    )
    assert response.status_code == 302 and response["Location"] == "/settings/"
    assert snapshot(account) == {
        "seller_name": "Sally Ann Carter",
        "seller_phone": "+13125550142",
        "business_name": "Carter & Daughters",
        "postal_address": "1 Main St\nSpringfield, IL 62701",
        "time_zone": "America/Chicago",
        "default_region": "US",
        "calling_start": time(9, 30),
        "calling_end": time(19, 45),
        "daily_call_capacity": 40,
        "new_per_callback": 0.5,
        "suppress_days": 90,
        "working_days": "mon,tue,thu",
        "minutes_per_day": 45,
        "item_minutes": {"card": 8.0},
        "mail_lead_days": 6,
        "email_daily_cap": 50,
        "email_from": "sally@sweet-home.example",
    }
    page = seller.get(URL).content.decode()
    assert "Settings saved." in page
    assert "Carter &amp; Daughters" in page


def test_another_time_zone_can_be_typed(seller: Client, account: Account) -> None:
    response = seller.post(URL, form_data(account, time_zone="other", time_zone_other="Europe/Rome"))
    assert response.status_code == 302
    assert snapshot(account)["time_zone"] == "Europe/Rome"
    html = seller.get(URL).content.decode()
    assert '<option value="Europe/Rome" selected>' in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"seller_phone": "12"}, "seller_phone", "&#x27;12&#x27; is not a phone number"),
        (
            {"calling_start": "18:00", "calling_end": "09:00"},
            "calling_end",
            "the end must come after the start",
        ),
        ({"time_zone": "other", "time_zone_other": "Mars/Olympus"}, "time_zone_other", "unknown time zone"),
        ({"time_zone": "other", "time_zone_other": ""}, "time_zone_other", "Type the name of your time zone"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice"),
        ({"default_region": "12"}, "default_region", "is not a two-letter country code"),
        ({"default_region": "ZZ"}, "default_region", "ZZ is not a country code"),
        ({"daily_call_capacity": "lots"}, "daily_call_capacity", "Enter a whole number"),
        ({"daily_call_capacity": "-1"}, "daily_call_capacity", "greater than or equal to 0"),
        ({"new_per_callback": "11"}, "new_per_callback", "less than or equal to 10"),
        ({"suppress_days": ""}, "suppress_days", "This field is required"),
        ({"calling_start": "25:00"}, "calling_start", "Enter a valid time"),
    ],
)
def test_a_mistake_is_shown_next_to_its_field_and_nothing_is_saved(
    seller: Client, account: Account, changes: dict[str, str], field: str, message: str
) -> None:
    before = snapshot(account)
    # Good changes to other fields ride along: they must not be saved either.
    data = form_data(account, seller_name="Someone Else", business_name="Elsewhere Inc", **changes)
    response = seller.post(URL, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in field_error(html, field), html
    assert f'id="id_{field}"' in html and 'aria-invalid="true"' in html
    assert snapshot(account) == before
    # What the seller typed is kept so they only fix the mistake.
    assert 'value="Someone Else"' in html


def test_a_stale_form_changes_nothing_and_shows_the_current_settings(
    seller: Client, account: Account
) -> None:
    stale = form_data(account, seller_name="Sally From Tab One")
    account_update(account=account, business_name="Changed In Tab Two")
    response = seller.post(URL, stale)
    html = response.content.decode()
    assert response.status_code == 409
    assert "changed somewhere else" in html
    assert 'value="Changed In Tab Two"' in html
    assert snapshot(account)["seller_name"] == "Sally Carter"


def test_sending_the_same_form_twice_is_harmless(seller: Client, account: Account) -> None:
    data = form_data(account, seller_name="Sally Twice", seller_phone="212-555-0123")
    assert seller.post(URL, data).status_code == 302
    assert seller.post(URL, data).status_code == 302
    assert snapshot(account)["seller_name"] == "Sally Twice"
    assert snapshot(account)["seller_phone"] == "+12125550123"


def test_names_are_shown_as_text(seller: Client, account: Account) -> None:
    account_update(account=account, seller_name="<script>alert(1)</script>")
    html = seller.get(URL).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html


def test_post_without_csrf_token_is_refused(account: Account) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(account.memberships.get().user)
    before = snapshot(account)
    response = client.post(URL, form_data(account, seller_name="Forged"))
    assert response.status_code == 403
    assert snapshot(account) == before


def test_each_account_sees_and_changes_only_its_own_settings(
    seller: Client, account: Account, other: Client, other_account: Account
) -> None:
    assert "Bob Other" not in seller.get(URL).content.decode()
    assert 'value="Bob Other"' in other.get(URL).content.decode()
    other.post(URL, form_data(other_account, seller_name="Bob Changed"))
    assert snapshot(account)["seller_name"] == "Sally Carter"
    assert snapshot(other_account)["seller_name"] == "Bob Changed"
