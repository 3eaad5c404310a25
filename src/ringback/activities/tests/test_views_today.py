"""The Today page: the agenda as cards, outcomes logged in one tap, the “Connected…” follow-up."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from ringback.accounts.services import account_create, account_update
from ringback.activities.models import Appointment, Touch
from ringback.activities.presenters import window_text
from ringback.activities.selectors import agenda_for_day, touches_done_today
from ringback.activities.services import appointment_book, touch_log
from ringback.contacts.models import Contact, Promise
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
from ringback.core.agenda import ItemKind
from ringback.playbooks.choices import EnrollmentStatus
from ringback.playbooks.models import Enrollment
from ringback.playbooks.services import enrollment_start

#: Monday 23 November 2026, 08:00 in Chicago (the seller), 09:00 in New York.
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen(NOW):
        yield


def make_account(username="sally"):
    return account_create(
        username=username,
        password="a-long-password",
        seller_name="Sally Baker",
        seller_phone="+13125550142",
        business_name="Sweet Home",
        time_zone="America/Chicago",
    )


def login(client, username="sally"):
    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.fixture
def account():
    return make_account()


@pytest.fixture
def seller(client, account):
    return login(client)


def person(account, first, last="Smith", phone="212-555-0123", label="mobile", consent="", **extra):
    phones = [PhoneInput(phone, label=label, text_consent=consent)] if phone else []
    return contact_create(account=account, first_name=first, last_name=last, phones=phones, **extra)


@pytest.fixture
def day(account):
    """A small demo-like day: an appointment, a call-back, first and second calls, a birthday."""
    mary = person(account, "Mary", consent="in-person")
    enrollment_start(account=account, contact=mary, playbook="call-mail-call")
    with clock.frozen(NOW - timedelta(days=4)):
        tom = person(account, "Tom", "Jones", phone="312-555-0100", label="home")
        enrollment_start(account=account, contact=tom, playbook="four-calls-two-weeks")
    nancy = person(account, "Nancy", "Wang", phone="847-555-0145")
    enrollment_start(account=account, contact=nancy, playbook="four-calls-two-weeks")
    touch_log(account=account, contact=nancy, outcome="callback", note="Left a message for me")
    with clock.frozen(NOW - timedelta(days=1)):
        niamh = person(account, "Niamh", "Papadopoulos", phone="314-555-0162")
        appointment_book(
            account=account,
            contact=niamh,
            starts_at=NOW + timedelta(hours=5),
            note="Party date and guest list",
        )
    bea = person(account, "Bea", "Day", phone="312-555-0101", birthday=(11, 23, 1980))
    return {"mary": mary, "tom": tom, "nancy": nancy, "niamh": niamh, "bea": bea}


def card_fields(html: str, key: str) -> dict[str, str]:
    """The hidden fields of a card's outcome form, as the browser would send them."""
    block = re.search(rf'<article[^>]*id="card-{re.escape(key)}".*?</article>', html, re.S)
    assert block, f"no card {key}"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', block.group(0)))
    return {k: v.replace("&#x2B;", "+").replace("&amp;", "&") for k, v in fields.items()}


def another_tab(fields: dict[str, str]) -> dict[str, str]:
    """The same card's fields as another tab showing it sends them (its own one-time token)."""
    return {**fields, "submission_token": "another-tab-token-0001"}


def item_for(account, contact, kind=ItemKind.CALL):
    return next(
        i for i in agenda_for_day(account=account).items if i.contact_id == contact.pk and i.kind is kind
    )


def key_of(item):
    return f"{item.kind.value}-{item.contact_id}-{item.enrollment_id or item.appointment_id or ''}"


def post_card(client, contact, fields, htmx=True, url="today_log", **extra):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(f"/today/{contact.pk}/{url.removeprefix('today_')}/", {**fields, **extra}, **headers)


# --- what the page shows ----------------------------------------------------------------------


def test_today_shows_the_agenda_in_order_with_reasons_numbers_and_scripts(seller, account, day):
    html = seller.get("/").content.decode()
    agenda = agenda_for_day(account=account)
    assert [i.kind for i in agenda.items][:2] == [ItemKind.APPOINTMENT, ItemKind.CALLBACK]
    positions = [html.index(f'id="card-{key_of(i)}"') for i in agenda.items]
    assert positions == sorted(positions), "cards are in agenda order"
    for item in agenda.items:
        assert escape(item.reason) in html
        if item.phone:
            assert f'href="tel:{item.phone}"' in html
        if item.script:
            assert escape(item.script) in html
    assert "First call (Call-Mail-Call)" in html
    assert "Hi Mary, this is Sally with Sweet Home" in html
    assert "Party date and guest list" in html
    assert "Birthday today, turning 46" in html
    # Their local time and the zone, labelled.
    assert "09:00 New York time (EST)" in html
    window = window_text(item_for(account, day["mary"]))
    assert window.startswith("Mon 23 Nov ") and window.endswith(" EST") and window in html
    # Texting fits mobile numbers that agreed to texts only (Nancy's mobile did not).
    assert 'href="sms:+12125550123"' in html and "sms:+13125550100" not in html
    assert "sms:+18475550145" not in html
    # The outcome buttons of a call, in order, and the links to the contact.
    found = re.search(rf'id="card-call-{day["mary"].pk}-.*?</article>', html, re.S)
    assert found is not None
    call = found.group(0)
    labels = re.findall(r"data-action[^>]*>([^<]+)<", call)
    assert labels[:6] == ["Voicemail", "No answer", "Busy", "Connected…", "Wrong number", "Not interested"]
    assert f'href="/contacts/{day["mary"].pk}/"' in html
    assert re.search(r"<strong>\d+ of \d+ done</strong>", html)
    assert 'aria-live="polite"' in html and "ringback/today.js" in html and "ringback/today.css" in html


def test_each_kind_of_card_has_its_own_buttons(seller, account, day):
    html = seller.get("/").content.decode()
    for key, buttons in (
        (f"appointment-{day['niamh'].pk}-", ["Connected…", "Log a note", "Mark done"]),
        (f"callback-{day['nancy'].pk}-", ["Connected…", "Log a note", "Mark done"]),
        # A birthday is a greeting, not a sales call: no "Connected…" that would end a chase.
        (f"birthday-{day['bea'].pk}-", ["Greeted"]),
    ):
        found = re.search(rf'id="card-{key}.*?</(article|li)>', html, re.S)
        assert found is not None
        block = found.group(0)
        assert re.findall(r"data-action[^>]*>([^<]+)<", block) == buttons


def test_the_progress_line_counts_todays_work(seller, account, day):
    before = touches_done_today(account=account)
    assert before.callbacks == 1
    touch_log(account=account, contact=day["tom"], outcome="no-answer")
    after = touches_done_today(account=account)
    assert after.done == before.done + 1
    html = seller.get("/").content.decode()
    remaining = html.count("data-card ")
    assert f"<strong>{after.done} of {after.done + remaining} done</strong>" in html
    assert "1 callback today" in html


def test_yesterdays_touches_do_not_count_today(account):
    mary = person(account, "Mary")
    with clock.frozen(NOW - timedelta(hours=9)):  # Sunday 23:00 in Chicago
        touch_log(account=account, contact=mary, outcome="voicemail")
    assert touches_done_today(account=account).done == 0
    with clock.frozen(NOW - timedelta(hours=7)):  # Monday 01:00 in Chicago
        touch_log(account=account, contact=mary, outcome="voicemail")
    assert touches_done_today(account=account).done == 1


def test_empty_states_say_what_to_do_next(seller, account):
    html = seller.get("/").content.decode()
    assert "Import or add contacts" in html and "Nothing due today" not in html
    person(account, "Mary")
    html = seller.get("/").content.decode()
    assert "Nothing due today — start new prospects" in html
    assert 'href="/contacts/"' in html


def test_a_contact_called_script_shows_as_text(seller, account):
    evil = person(account, "<script>alert(1)</script>", "Smith")
    enrollment_start(account=account, contact=evil, playbook="call-mail-call")
    html = seller.get("/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Smith" in html
    assert "Hi &lt;script&gt;alert(1)&lt;/script&gt;," in html
    assert "<script>alert(1)" not in html


def test_today_query_count_does_not_grow_with_items(seller, account):
    account_update(account=account, minutes_per_day=24 * 60)  # every item fits the day

    def queries_for(n: int) -> int:
        for i in range(n):
            birthday = (11, 23, None) if i == 2 else None
            c = person(account, f"P{n}x{i}", "Q", phone=f"212-555-{1000 + n * 10 + i:04d}", birthday=birthday)
            enrollment_start(account=account, contact=c, playbook="call-mail-call")
            if i == 0:
                touch_log(account=account, contact=c, outcome="callback")
            if i == 1:
                touch_log(account=account, contact=c, outcome="voicemail")
        with CaptureQueriesContext(connection) as ctx:
            response = seller.get("/")
        assert response.status_code == 200
        assert response.content.decode().count("data-card ") >= n
        return len(ctx.captured_queries)

    small = queries_for(3)
    large = queries_for(20)
    assert small == large, "the Today page issues the same queries for 3 and 20 items"
    # The outbox's counts for the day; the promises due; the library's messages, offers and open
    # promises; what planning learned (their tags, the learned rows) for the day's next-call
    # days; the last seven days and the messages to change: one query each.
    assert large <= 28


# --- logging an outcome -----------------------------------------------------------------------


def test_logging_voicemail_swaps_in_the_refreshed_list(seller, account, day):
    mary = day["mary"]
    item = item_for(account, mary)
    html = seller.get("/").content.decode()
    fields = card_fields(html, key_of(item))
    response = post_card(seller, mary, fields, outcome="voicemail")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="agenda"'), "a partial, not a whole page"
    assert "<html" not in body
    assert f'id="card-{key_of(item)}"' not in body
    assert 'hx-swap-oob="innerHTML:#today-status"' in body
    assert "Mary Smith: voicemail left, logged. Next: mail a note" in body
    touch = Touch.objects.get(contact=mary)
    assert (touch.outcome, touch.step, touch.phone) == ("voicemail", "first-call", "+12125550123")
    assert Enrollment.objects.get(contact=mary).step_index == 1
    assert "1 of" in body


def test_the_same_card_posted_twice_is_logged_once(seller, account, day):
    mary = day["mary"]
    fields = card_fields(seller.get("/").content.decode(), key_of(item_for(account, mary)))
    post_card(seller, mary, fields, outcome="voicemail")
    again = post_card(seller, mary, fields, outcome="no-answer")
    assert again.status_code == 200
    assert "Already logged" in again.content.decode()
    assert "Nothing was changed" in again.content.decode()
    assert Touch.objects.filter(contact=mary).count() == 1
    assert Enrollment.objects.get(contact=mary).step_index == 1


def test_a_card_whose_enrollment_ended_is_stale(seller, account, day):
    tom = day["tom"]
    fields = card_fields(seller.get("/").content.decode(), key_of(item_for(account, tom)))
    touch_log(account=account, contact=tom, outcome="not-interested")  # in another tab
    response = post_card(seller, tom, fields, outcome="voicemail")
    assert "Already logged" in response.content.decode()
    assert Touch.objects.filter(contact=tom).count() == 1


def test_a_bad_outcome_changes_nothing(seller, account, day):
    mary = day["mary"]
    fields = card_fields(seller.get("/").content.decode(), key_of(item_for(account, mary)))
    for outcome, words in (
        ("exploded", "unknown outcome"),
        ("mailed", "cannot be logged on a call card"),
        ("", ""),
    ):
        response = post_card(seller, mary, fields, outcome=outcome)
        body = response.content.decode()
        assert response.status_code == 200
        assert "Nothing was logged" in body and words in body
        assert "Traceback" not in body
    assert not Touch.objects.filter(contact=mary).exists()
    assert Enrollment.objects.get(contact=mary).step_index == 0


def test_a_tampered_card_changes_nothing(seller, account, day):
    mary, tom = day["mary"], day["tom"]
    fields = card_fields(seller.get("/").content.decode(), key_of(item_for(account, mary)))
    # Tom's enrollment under Mary's id: refused with a message.
    tom_enrollment = Enrollment.objects.get(contact=tom)
    body = post_card(seller, mary, {**fields, "enrollment": tom_enrollment.pk}, outcome="voicemail").content
    assert b"Nothing was logged" in body
    body = post_card(seller, mary, {**fields, "due": "yesterday"}, outcome="voicemail").content
    assert b"out of date" in body
    body = post_card(seller, mary, {**fields, "kind": "call", "enrollment": ""}, outcome="voicemail").content
    assert b"out of date" in body
    assert not Touch.objects.filter(contact__in=[mary, tom]).exists()


def test_without_javascript_the_form_posts_and_redirects_back(seller, account, day):
    mary = day["mary"]
    fields = card_fields(seller.get("/").content.decode(), key_of(item_for(account, mary)))
    response = post_card(seller, mary, fields, htmx=False, outcome="voicemail")
    assert response.status_code == 302 and response["Location"] == "/"
    page = seller.get("/").content.decode()
    assert "Mary Smith: voicemail left, logged." in page
    # The same form sent again (Back, then the same button): the first answer, nothing logged.
    again = post_card(seller, mary, fields, htmx=False, outcome="voicemail")
    assert again.status_code == 302 and again["Location"] == "/"
    assert "Mary Smith: voicemail left, logged." in seller.get("/").content.decode()
    assert Touch.objects.filter(contact=mary).count() == 1
    # The same card shown in another tab: refused as stale.
    stale = post_card(seller, mary, another_tab(fields), htmx=False, outcome="voicemail")
    assert stale.status_code == 302
    assert "Already logged" in seller.get("/").content.decode()
    assert Touch.objects.filter(contact=mary).count() == 1


def test_mark_done_on_call_back_appointment_and_birthday(seller, account, day):
    html = seller.get("/").content.decode()
    for name, kind in (
        ("nancy", ItemKind.CALLBACK),
        ("niamh", ItemKind.APPOINTMENT),
    ):
        contact = day[name]
        key = key_of(item_for(account, contact, kind))
        fields = card_fields(html, key)
        body = post_card(seller, contact, fields, outcome="done").content.decode()
        assert f'id="card-{key}"' not in body, name
        again = post_card(seller, contact, another_tab(fields), outcome="done").content.decode()
        assert "Already logged" in again, name
        assert Touch.objects.filter(contact=contact, outcome="done").count() == 1
    assert Contact.objects.get(pk=day["nancy"].pk).callback_requested_at is None
    assert Appointment.objects.get(contact=day["niamh"]).status == "done"
    # A birthday line's "Greeted" (the day's birthdays share one card and one form).
    bea = day["bea"]
    key = key_of(item_for(account, bea, ItemKind.BIRTHDAY))
    assert f'id="card-{key}"' in html
    body = seller.post(
        "/today/birthdays/greeted/",
        {"contact": str(bea.pk), "submission_token": "token-bea-greeted-1"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert f'id="card-{key}"' not in body
    again = seller.post(
        "/today/birthdays/greeted/",
        {"contact": str(bea.pk), "submission_token": "token-bea-greeted-2"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "already greeted today" in again
    assert Touch.objects.filter(contact=bea, step="birthday").count() == 1


# --- Connected… ---------------------------------------------------------------------------------


def test_connected_books_an_appointment_that_shows_on_that_days_today(seller, account, day):
    mary = day["mary"]
    item = item_for(account, mary)
    fields = card_fields(seller.get("/").content.decode(), key_of(item))
    form = seller.get(f"/today/{mary.pk}/connected/", fields, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in form
    assert "their time, New York time (EST)" in form
    assert (
        "It is Mon 09:00 EST for them and Mon 08:00 CST for you." in form
        and "They are 1 hour ahead of you." in form
    )
    assert 'type="datetime-local"' in form and 'min="2026-11-23T09:00"' in form

    # Without JavaScript the same link opens the form on a page of its own.
    page = seller.get(f"/today/{mary.pk}/connected/", fields).content.decode()
    assert "<html" in page and "Back to Today" in page and 'name="book_at"' in page

    hint = seller.get(f"/today/{mary.pk}/time/", {"book_at": "2026-11-24T10:30"}).content.decode()
    assert "Tue 24 Nov 10:30 EST their time is Tue 24 Nov 09:30 CST your time." in hint

    response = post_card(
        seller,
        mary,
        fields,
        url="today_connected",
        result="connected",
        said="Loves the idea, busy this week",
        book_at="2026-11-24T10:30",
        book_note="Pick a party date",
        promise="Send the catalogue",
        promise_due="2026-11-25",
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<section id="agenda"')
    assert "Phone appointment with Mary Smith booked for 24 Nov, Tue 10:30 EST their time" in body
    assert "(Tue 09:30 CST your time)" in body
    booked = Appointment.objects.get(contact=mary)
    assert booked.starts_at == datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
    assert booked.note == "Pick a party date"
    assert Promise.objects.get(contact=mary).text == "Send the catalogue"
    assert Touch.objects.filter(contact=mary, outcome="note", note="Loves the idea, busy this week").exists()
    assert Enrollment.objects.get(contact=mary).status == EnrollmentStatus.ENGAGED
    assert f'id="card-{key_of(item)}"' not in body

    with clock.frozen(NOW + timedelta(days=1)):
        tomorrow = seller.get("/").content.decode()
        card = re.search(rf'id="card-appointment-{mary.pk}-{booked.pk}".*?</article>', tomorrow, re.S)
        assert card, "the appointment is on tomorrow's Today"
        assert "Tue 24 Nov 10:30–10:45 EST" in card.group(0)
        assert "09:30 CST your time" in card.group(0)
        assert "Pick a party date" in card.group(0)
        appointments = seller.get("/appointments/").content.decode()
        assert "Tuesday 24 November" in appointments and "Mary Smith" in appointments


def test_connected_without_a_booking_logs_the_conversation(seller, account, day):
    mary = day["mary"]
    fields = card_fields(seller.get("/").content.decode(), key_of(item_for(account, mary)))
    post_card(seller, mary, fields, url="today_connected", result="connected", said="Happy to host in March")
    touch = Touch.objects.get(contact=mary)
    assert (touch.outcome, touch.note, touch.phone) == ("connected", "Happy to host in March", "+12125550123")
    again = post_card(seller, mary, fields, url="today_connected", result="connected", said="twice")
    assert "Already logged" in again.content.decode()
    assert Touch.objects.filter(contact=mary).count() == 1


def test_connected_not_interested(seller, account, day):
    tom = day["tom"]
    fields = card_fields(seller.get("/").content.decode(), key_of(item_for(account, tom)))
    body = post_card(
        seller, tom, fields, url="today_connected", result="not-interested", said="Moving away"
    ).content
    assert b"not interested, logged" in body
    assert Enrollment.objects.get(contact=tom).status == EnrollmentStatus.STOPPED
    assert Contact.objects.get(pk=tom.pk).suppressed_until is not None


def test_connected_form_errors_show_next_to_the_field_and_change_nothing(seller, account, day):
    mary = day["mary"]
    fields = card_fields(seller.get("/").content.decode(), key_of(item_for(account, mary)))
    cases = [
        ({"book_at": "2026-11-23T08:30"}, "That time has already passed for them"),
        ({"book_at": "next week"}, "Give a date and a time"),
        ({"book_at": "2026-11-24T10:00", "result": "not-interested"}, "They are not interested"),
        ({"promise_due": "2026-11-30"}, "Say what you promised"),
        ({"promise": "Catalogue", "promise_due": "2026-11-01"}, "That date has passed"),
        ({"promise": "Catalogue", "promise_due": "soon"}, "Give a date like"),
    ]
    for extra, message in cases:
        response = post_card(seller, mary, fields, url="today_connected", **{"result": "connected", **extra})
        body = response.content.decode()
        assert message in body, extra
        assert 'class="field-error"' in body
        assert 'aria-invalid="true"' in body
        assert response["HX-Retarget"] == f"#extra-call-{mary.pk}-{fields['enrollment']}"
        assert response["HX-Reswap"] == "innerHTML"
    assert not Touch.objects.filter(contact=mary).exists()
    assert not Appointment.objects.filter(contact=mary).exists()
    assert not Promise.objects.exists()
    # Without JavaScript the form comes back on a page of its own.
    page = post_card(seller, mary, fields, htmx=False, url="today_connected", book_at="2026-11-23T08:30")
    assert page.status_code == 200 and "That time has already passed" in page.content.decode()
    assert "<html" in page.content.decode()


def test_connected_on_a_call_back_clears_it(seller, account, day):
    nancy = day["nancy"]
    fields = card_fields(
        seller.get("/").content.decode(), key_of(item_for(account, nancy, ItemKind.CALLBACK))
    )
    post_card(seller, nancy, fields, url="today_connected", result="connected", said="Wants a catalogue")
    assert Contact.objects.get(pk=nancy.pk).callback_requested_at is None
    assert f"card-callback-{nancy.pk}-" not in seller.get("/").content.decode()


def test_log_a_note(seller, account, day):
    mary = day["mary"]
    fields = card_fields(seller.get("/").content.decode(), key_of(item_for(account, mary)))
    form = seller.get(f"/today/{mary.pk}/note/", fields, HTTP_HX_REQUEST="true").content.decode()
    assert "Note on Mary Smith's timeline" in form
    empty = post_card(seller, mary, fields, url="today_note", text="  ")
    assert "Write the note first." in empty.content.decode() and empty["HX-Retarget"].startswith("#extra-")
    saved = post_card(seller, mary, fields, url="today_note", text="Has two kids, likes baking")
    assert "Note saved on Mary Smith" in saved.content.decode()
    assert Touch.objects.get(contact=mary).note == "Has two kids, likes baking"
    # A note is not a step: the call card stays.
    assert f'id="card-{key_of(item_for(account, mary))}"' in saved.content.decode()


# --- security -----------------------------------------------------------------------------------


def test_another_account_gets_404_on_every_url_with_an_id(client, account, day):
    mary = day["mary"]
    item = item_for(account, mary)
    appointment = Appointment.objects.get(contact=day["niamh"])
    other = make_account("other")
    login(client, "other")
    fields = {
        "kind": "call",
        "enrollment": item.enrollment_id,
        "step": item.step,
        "due": item.due.isoformat(),
        "outcome": "voicemail",
    }
    assert client.post(f"/today/{mary.pk}/log/", fields).status_code == 404
    assert client.get(f"/today/{mary.pk}/connected/", fields).status_code == 404
    assert client.post(f"/today/{mary.pk}/connected/", fields).status_code == 404
    assert client.get(f"/today/{mary.pk}/note/", fields).status_code == 404
    assert client.post(f"/today/{mary.pk}/note/", {**fields, "text": "x"}).status_code == 404
    assert client.get(f"/today/{mary.pk}/time/", {"book_at": "2026-11-24T10:00"}).status_code == 404
    # Their own contact, but the first account's enrollment or appointment: 404 too.
    own = person(other, "Own")
    assert client.post(f"/today/{own.pk}/log/", fields).status_code == 404
    appointment_fields = {"kind": "appointment", "appointment": appointment.pk, "outcome": "done"}
    assert client.post(f"/today/{own.pk}/log/", appointment_fields).status_code == 404
    assert "Mary" not in client.get("/").content.decode()
    assert not Touch.objects.filter(contact=mary).exists()
    assert Appointment.objects.get(pk=appointment.pk).status == "scheduled"


def test_csrf_is_enforced(account, day):
    browser = login(Client(enforce_csrf_checks=True))
    mary = day["mary"]
    html = browser.get("/").content.decode()
    fields = card_fields(html, key_of(item_for(account, mary)))
    token = fields.pop("csrfmiddlewaretoken", None)
    if not token:
        found = re.search(r'"X-CSRFToken": "([^"]+)"', html)
        assert found is not None
        token = found.group(1)
    assert browser.post(f"/today/{mary.pk}/log/", {**fields, "outcome": "voicemail"}).status_code == 403
    assert not Touch.objects.filter(contact=mary).exists()
    ok = browser.post(
        f"/today/{mary.pk}/log/",
        {**fields, "outcome": "voicemail"},
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN=token,
    )
    assert ok.status_code == 200
    assert Touch.objects.filter(contact=mary).count() == 1


def test_signed_out_visitors_go_to_the_login_page(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.post("/today/1/log/", {"outcome": "voicemail"}).status_code == 302
