"""Strange input on the web: a folder of the time zone database, dates near year 1 or 9999, a
wait of a hundred billion days, YAML nested thousands deep. Each is answered with the form and a
message next to the field (200 or 400), or a clean page, never a 500; nothing is saved.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from ringback.accounts.forms import settings_fingerprint
from ringback.accounts.models import Account, Vacation
from ringback.accounts.services import account_create
from ringback.activities.models import Appointment, Touch
from ringback.activities.selectors import agenda_for_day
from ringback.contacts.models import Contact, Promise
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
from ringback.core.agenda import ItemKind
from ringback.playbooks.models import PlaybookVersion
from ringback.playbooks.services import enrollment_start, playbook_duplicate

#: Monday 23 November 2026, 08:00 in Chicago (the seller), 09:00 in New York (the contacts).
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
RANGE = "is outside the dates Ringback takes (1900-01-01 to 2200-12-31)"
FAR_DAYS = ["0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31"]
FAR_TIMES = ["0001-01-01T00:00", "1899-12-31T10:00", "2201-01-01T10:00", "9999-12-31T23:59"]
NOT_ZONES = ["America", "America/", "../etc", "Etc", "America//Chicago", "Amérique/Montréal", "A" * 300]
REAL_ZONES = ["UTC", "Etc/GMT+5", "America/Argentina/Buenos_Aires"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with clock.frozen(NOW):
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def account() -> Account:
    return account_create(
        username="sally", password="a-long-password", seller_name="Sally Baker", time_zone="America/Chicago"
    )


@pytest.fixture
def client(account: Account) -> Client:
    browser = Client(raise_request_exception=False)
    browser.force_login(account.memberships.get().user)
    return browser


@pytest.fixture
def mary(account: Account) -> Contact:
    return contact_create(
        account=account, first_name="Mary", last_name="Smith", phones=[PhoneInput("212-555-0123")]
    )


def text(response) -> str:
    return html.unescape(response.content.decode())


def field_error(page: str, field: str) -> str:
    """The message shown next to the field whose input has id ``id_<field>``."""
    found = re.search(rf'<small[^>]*id="id_{re.escape(field)}_error"[^>]*>(.*?)</small>', page, re.S)
    return found.group(1).strip() if found else ""


def card_error(page: str, field: str) -> str:
    """The message under a field of a card's form (ids like ``book-at-call-1-1-error``)."""
    found = re.search(rf'<p class="field-error" id="{re.escape(field)}-[^"]*-error">(.*?)</p>', page, re.S)
    return found.group(1).strip() if found else ""


def shown(response, status: tuple[int, ...] = (200, 400)) -> str:
    assert response.status_code in status, f"{response.status_code}: {text(response)[:2000]}"
    return text(response)


# --- time zones ------------------------------------------------------------------------------


def settings_form(account: Account, **changes: str) -> dict[str, object]:
    data: dict[str, object] = {
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
        "loaded": settings_fingerprint(account),
    }
    data.update(changes)
    return data


def zone_refusal(error: str, typed: str) -> bool:
    """True when ``error`` refuses ``typed`` as a time zone (a name too long for the field is
    refused by the field's length first)."""
    if len(typed) > 64:
        return "at most 64 characters" in error
    return error.lower().startswith(("unknown time zone", "time zone")) and repr(typed) in error


@pytest.mark.parametrize("typed", NOT_ZONES)
def test_settings_refuse_a_name_that_is_no_time_zone_next_to_the_field(
    client: Client, account: Account, typed: str
) -> None:
    page = shown(client.post("/settings/", settings_form(account, time_zone="other", time_zone_other=typed)))
    error = field_error(page, "time_zone_other")
    assert zone_refusal(error, typed), error or page
    account.refresh_from_db()
    assert account.time_zone == "America/Chicago"


@pytest.mark.parametrize("typed", REAL_ZONES)
def test_settings_take_any_real_zone(client: Client, account: Account, typed: str) -> None:
    response = client.post("/settings/", settings_form(account, time_zone="other", time_zone_other=typed))
    assert response.status_code == 302, text(response)
    account.refresh_from_db()
    assert account.time_zone == typed
    assert client.get("/").status_code == 200


def contact_form(contact: Contact, **changes: str) -> dict[str, str]:
    data = {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "status": contact.status,
        "warmth": contact.warmth,
        "time_zone": contact.time_zone,
        "phone-new-label": "mobile",
        "email-new-label": "home",
    }
    for phone in contact.phones.all():
        data[f"phone-{phone.pk}-number"] = phone.number
        data[f"phone-{phone.pk}-label"] = phone.label
    data.update(changes)
    return data


@pytest.mark.parametrize("typed", NOT_ZONES)
def test_a_contacts_time_zone_must_be_a_real_zone(client: Client, mary: Contact, typed: str) -> None:
    page = shown(client.post(f"/contacts/{mary.pk}/edit/", contact_form(mary, time_zone=typed)), (400,))
    assert zone_refusal(field_error(page, "time_zone"), typed), page
    mary.refresh_from_db()
    assert mary.time_zone == "America/New_York"


@pytest.mark.parametrize("typed", REAL_ZONES)
def test_a_contact_takes_any_real_zone(client: Client, mary: Contact, typed: str) -> None:
    response = client.post(f"/contacts/{mary.pk}/edit/", contact_form(mary, time_zone=typed))
    assert response.status_code == 302, text(response)
    mary.refresh_from_db()
    assert mary.time_zone == typed
    assert client.get(f"/contacts/{mary.pk}/").status_code == 200


# --- dates in forms --------------------------------------------------------------------------


@pytest.mark.parametrize("day", FAR_DAYS)
def test_a_vacation_outside_the_range_is_refused(client: Client, day: str) -> None:
    page = shown(client.post("/settings/vacations/", {"first_day": day, "last_day": day}))
    assert RANGE in page, page
    assert not Vacation.objects.exists()


def test_a_vacation_ending_outside_the_range_is_refused_next_to_its_last_day(client: Client) -> None:
    page = shown(client.post("/settings/vacations/", {"first_day": "2026-12-01", "last_day": "9999-12-31"}))
    assert RANGE in field_error(page, "last_day"), page
    assert not Vacation.objects.exists()


@pytest.mark.parametrize("day", ["2201-01-01", "9999-12-31"])
def test_a_promise_due_outside_the_range_is_refused(client: Client, mary: Contact, day: str) -> None:
    page = shown(
        client.post(
            f"/contacts/{mary.pk}/promises/", {"promise-text": "The catalogue", "promise-due_on": day}
        )
    )
    assert RANGE in field_error(page, "promise-due_on"), page
    assert not Promise.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31"])
def test_a_birthday_outside_the_range_is_refused(client: Client, mary: Contact, day: str) -> None:
    page = shown(client.post(f"/contacts/{mary.pk}/edit/", contact_form(mary, birthday=day)), (400,))
    assert field_error(page, "birthday"), page
    mary.refresh_from_db()
    assert mary.birthday_year is None


@pytest.mark.parametrize("when", FAR_TIMES)
def test_an_appointment_outside_the_range_is_refused_and_its_preview_says_so(
    client: Client, mary: Contact, when: str
) -> None:
    page = shown(
        client.post(f"/contacts/{mary.pk}/appointment/", {"appt-starts_at": when, "appt-duration": "60"}),
        (400,),
    )
    assert RANGE in field_error(page, "appt-starts_at"), page
    assert not Appointment.objects.exists()
    preview = shown(
        client.get(
            f"/contacts/{mary.pk}/appointment/preview/", {"appt-starts_at": when}, HTTP_HX_REQUEST="true"
        ),
        (200,),
    )
    assert RANGE in preview, preview


def test_an_appointment_late_on_the_last_day_is_booked(client: Client, mary: Contact) -> None:
    response = client.post(
        f"/contacts/{mary.pk}/appointment/",
        {"appt-starts_at": "2200-12-31T23:30", "appt-duration": "60", "appt-confirm_outside_hours": "on"},
    )
    assert response.status_code in (200, 302), text(response)
    assert Appointment.objects.count() == 1
    for page in ("/", "/appointments/", f"/contacts/{mary.pk}/", f"/contacts/{mary.pk}/timeline/"):
        assert client.get(page).status_code == 200, page


# --- the Today card ---------------------------------------------------------------------------


def card_fields(page: str, key: str) -> dict[str, str]:
    block = re.search(rf'<article[^>]*id="card-{re.escape(key)}".*?</article>', page, re.S)
    assert block, f"no card {key}"
    found = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', block.group(0)))
    return {k: html.unescape(v) for k, v in found.items()}


@pytest.fixture
def card(account: Account, client: Client, mary: Contact) -> dict[str, str]:
    enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    item = next(i for i in agenda_for_day(account=account).items if i.kind is ItemKind.CALL)
    return card_fields(client.get("/").content.decode(), f"call-{mary.pk}-{item.enrollment_id}")


@pytest.mark.parametrize("when", FAR_TIMES)
def test_connected_refuses_an_appointment_outside_the_range(
    client: Client, mary: Contact, card: dict[str, str], when: str
) -> None:
    response = client.post(
        f"/today/{mary.pk}/connected/",
        {**card, "result": "connected", "book_at": when},
        HTTP_HX_REQUEST="true",
    )
    page = shown(response)
    assert RANGE in card_error(page, "book-at"), page
    assert not Appointment.objects.exists() and not Touch.objects.exists()
    hint = shown(client.get(f"/today/{mary.pk}/time/", {"book_at": when}), (200,))
    assert RANGE in hint or hint.strip() == "", hint


@pytest.mark.parametrize("day", ["2201-01-01", "9999-12-31"])
def test_connected_refuses_a_promise_due_outside_the_range(
    client: Client, mary: Contact, card: dict[str, str], day: str
) -> None:
    response = client.post(
        f"/today/{mary.pk}/connected/",
        {**card, "result": "connected", "promise": "Catalogue", "promise_due": day},
        HTTP_HX_REQUEST="true",
    )
    assert RANGE in card_error(shown(response), "promise-due")
    assert not Promise.objects.exists() and not Touch.objects.exists()


@pytest.mark.parametrize(
    "due", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59"]
)
def test_a_card_with_a_forged_due_time_is_out_of_date_not_an_error(
    client: Client, mary: Contact, card: dict[str, str], due: str
) -> None:
    response = client.post(
        f"/today/{mary.pk}/log/", {**card, "due": due, "outcome": "voicemail"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code in (200, 400, 409), text(response)
    assert not Touch.objects.exists()


# --- cursors in URLs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "before",
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:00-12:00",
        "9999-12-31T23:59:59.999999+00:00",
        "2026-11-23T10:00:00+23:59",
        "2026-11-23T10:00:00",
        "not a date",
        "2" * 5000,
    ],
)
def test_a_bad_timeline_cursor_is_a_clean_first_page(
    account: Account, client: Client, mary: Contact, before: str
) -> None:
    appointment = Appointment.objects.create(
        account=account, contact=mary, starts_at=NOW, duration_minutes=15, created_at=NOW
    )
    response = client.get(f"/contacts/{mary.pk}/timeline/", {"before": before})
    assert response.status_code in (200, 400), text(response)
    if response.status_code == 200:
        assert f"/contacts/{mary.pk}/" in text(response) and appointment.starts_at is not None


@pytest.mark.parametrize("pk", [10**30, 2**63, -(2**63) - 1])
def test_a_forged_contact_list_cursor_is_a_clean_page(client: Client, mary: Contact, pk: int) -> None:
    token = base64.urlsafe_b64encode(json.dumps(["Smith", "Mary", pk]).encode()).decode().rstrip("=")
    assert client.get("/contacts/", {"after": token}).status_code == 200


# --- playbooks -------------------------------------------------------------------------------


@pytest.fixture
def own(account: Account) -> str:
    playbook_duplicate(account=account, name="call-mail-call")
    return PlaybookVersion.objects.get(playbook__name="my-call-mail-call").source


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("wait: 3-4 days", "wait: 99999999999 days"), "wait '99999999999 days' is longer than 3650 days"),
        (
            ("offer: special-offer", "offer-expires: 99999 days"),
            "offer-expires 99999 is longer than 3650 days",
        ),
    ],
)
def test_a_playbook_with_a_huge_duration_is_refused_at_the_line(
    client: Client, own: str, change: tuple[str, str], words: str
) -> None:
    assert change[0] in own
    edited = own.replace(*change)
    line = edited[: edited.index(change[1])].count("\n") + 1
    for url in ("/playbooks/my-call-mail-call/edit/", "/playbooks/my-call-mail-call/check/"):
        page = shown(client.post(url, {"source": edited}))
        assert f"Line {line}:</strong> " in page and words in page, page
    assert PlaybookVersion.objects.filter(playbook__name="my-call-mail-call").count() == 1
    assert client.get("/playbooks/my-call-mail-call/").status_code == 200


@pytest.mark.parametrize(
    "nested",
    ["rules: " + "[" * 5000 + "]" * 5000, "rules: " + "{a: " * 5000 + "}" * 5000],
    ids=["sequences", "mappings"],
)
def test_a_playbook_nested_thousands_deep_is_refused_at_the_line(
    client: Client, own: str, nested: str
) -> None:
    edited = own.replace("rules: [R9, R1, R4]", nested)
    page = shown(client.post("/playbooks/my-call-mail-call/edit/", {"source": edited}))
    line = edited[: edited.index("rules:")].count("\n") + 1
    assert f"Line {line}:</strong> " in page and "nested deeper than 20 levels" in page, page
    assert PlaybookVersion.objects.filter(playbook__name="my-call-mail-call").count() == 1


@examples(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.one_of(
        st.text(max_size=40),
        # Naive on purpose: Hypothesis takes naive bounds, and a form field is typed without a zone.
        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(  # noqa: DTZ001
            lambda d: d.isoformat(timespec="minutes")
        ),
    )
)
def test_any_typed_date_time_is_answered_never_a_500(client: Client, mary: Contact, typed: str) -> None:
    preview = client.get(f"/contacts/{mary.pk}/appointment/preview/", {"appt-starts_at": typed})
    assert preview.status_code == 200, typed
    hint = client.get(f"/today/{mary.pk}/time/", {"book_at": typed})
    assert hint.status_code == 200, typed
    timeline = client.get(f"/contacts/{mary.pk}/timeline/", {"before": typed + "+00:00"})
    assert timeline.status_code in (200, 400), typed


def test_a_playbook_longer_than_the_cap_is_refused_by_the_form(client: Client, own: str) -> None:
    edited = own + "# " + "x" * 100_000 + "\n"
    page = shown(client.post("/playbooks/my-call-mail-call/edit/", {"source": edited}))
    assert "That is longer than 100,000 characters" in page
    assert PlaybookVersion.objects.filter(playbook__name="my-call-mail-call").count() == 1


def test_every_page_works_on_the_last_day_of_the_range(
    account: Account, client: Client, mary: Contact
) -> None:
    late = datetime(2200, 12, 31, 15, 0, tzinfo=UTC)  # 09:00 in Chicago, 10:00 in New York
    with clock.frozen(late):
        enrollment_start(account=account, contact=mary, playbook="call-mail-call")
        card = next(i for i in agenda_for_day(account=account).items if i.kind is ItemKind.CALL)
        fields = card_fields(client.get("/").content.decode(), f"call-{mary.pk}-{card.enrollment_id}")
        logged = client.post(
            f"/today/{mary.pk}/log/", {**fields, "outcome": "voicemail"}, HTTP_HX_REQUEST="true"
        )
        assert logged.status_code == 200 and Touch.objects.count() == 1, text(logged)
        booked = client.post(
            f"/contacts/{mary.pk}/appointment/",
            {"appt-starts_at": "2200-12-31T23:00", "appt-duration": "60", "appt-confirm_outside_hours": "on"},
        )
        assert booked.status_code in (200, 302) and Appointment.objects.count() == 1, text(booked)
        away = client.post("/settings/vacations/", {"first_day": "2200-12-31", "last_day": "2200-12-31"})
        assert away.status_code == 302 and Vacation.objects.count() == 1, text(away)
        for page in (
            "/",
            "/appointments/",
            "/settings/",
            f"/contacts/{mary.pk}/",
            f"/contacts/{mary.pk}/timeline/",
            "/playbooks/call-mail-call/",
            f"/playbooks/call-mail-call/preview/?contact={mary.pk}",
        ):
            assert client.get(page).status_code == 200, page


@pytest.mark.parametrize("contact", ["99999999999999999999", "9223372036854775808"])
def test_a_preview_for_a_contact_id_too_large_is_not_found(client: Client, contact: str) -> None:
    assert client.get("/playbooks/call-mail-call/preview/", {"contact": contact}).status_code in (
        200,
        400,
        404,
    )
