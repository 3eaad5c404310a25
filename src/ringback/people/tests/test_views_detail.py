"""The contact page: details, timeline, note, promises, enroll with a preview, appointments, DNC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ringback.accounts.models import Account
from ringback.activities.models import Appointment, Touch
from ringback.activities.services import touch_log, touch_note
from ringback.contacts.models import Contact, Phone, Promise
from ringback.contacts.services import PhoneInput, contact_create, promise_add
from ringback.core import clock
from ringback.core.scheduling import zone
from ringback.people.tests.conftest import NOW, make_account, signed_in
from ringback.playbooks.models import Enrollment
from ringback.playbooks.services import enrollment_start

CHICAGO = zone("America/Chicago")

pytestmark = pytest.mark.django_db


@pytest.fixture
def mary(account: Account) -> Contact:
    """Mary lives in Chicago (a 312 number), one hour behind the seller in New York."""
    return contact_create(
        account=account,
        first_name="Mary",
        last_name="Smith",
        company="Acme Bakery",
        phones=[PhoneInput("(312) 555-0123"), PhoneInput("312-555-0188", "work", ok_at_work=True)],
        emails=["mary@example.com"],
        tags=["vip"],
        birthday=(4, 12, 1980),
    )


def url(name: str, contact: Contact, *args: int) -> str:
    return reverse(f"contacts:{name}", args=[contact.pk, *args])


def text(response) -> str:
    return unescape(response.content.decode())


def test_contact_page_shows_details_and_a_zone_labelled_timeline(account, client, mary):
    touch_log(account=account, contact=mary, outcome="voicemail", note="Left the commercial")
    html = text(client.get(url("detail", mary)))
    assert "<h1>Mary Smith</h1>" in html
    assert 'href="tel:+13125550123"' in html and "+1 312-555-0123" in html
    assert 'href="tel:+13125550188"' in html and "OK to call at work" in html
    assert 'href="mailto:mary@example.com"' in html
    assert "April 12, 1980" in html and "vip" in html and "Met once" in html and "Prospect" in html
    assert "Their time now: <strong>Mon 23 Nov, 08:00 CST</strong>" in html and "(America/Chicago)" in html
    assert "yours: 09:00 EST" in html
    # The timeline: seller's zone, and the call in Mary's time too.
    assert "Mon 23 Nov 2026, 09:00 EST" in html and "08:00 CST their time" in html
    assert "Call · Voicemail left" in html and "Left the commercial" in html
    assert "Times in your zone (America/New_York)" in html


def test_timeline_lists_enrollments_appointments_and_touches_newest_first(account, client, mary):
    with clock.frozen(NOW - timedelta(days=3)):
        enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    touch_note(account=account, contact=mary, text="Asked about the stoneware", at=NOW - timedelta(hours=1))
    enrollment_start(account=account, contact=mary, playbook="call-mail-call", replace=True)
    html = text(client.get(url("detail", mary)))
    entries = re.findall(r'<li class="entry entry-(\w+)">', html)
    assert entries == ["enrolled", "ended", "touch", "enrolled"]  # the new one above the one it replaced
    assert "Four calls in two weeks ended: stopped</strong> — replaced by call-mail-call" in html
    assert "Started Call-Mail-Call" in html and "now active, step 1 of 3: first-call (call)" in html
    assert "In <strong>Call-Mail-Call</strong>: step 1 of 3" in html


def test_quick_note_is_added_to_the_timeline_with_htmx(account, client, mary):
    response = client.post(url("note", mary), {"note-text": "Wants the blue set"}, HTTP_HX_REQUEST="true")
    html = text(response)
    assert response.status_code == 200 and "<html" not in html
    assert '<article id="card-note"' in html and "Note added." in html
    assert '<section id="timeline"' in html and 'hx-swap-oob="true"' in html and "Wants the blue set" in html
    assert Touch.objects.get(contact=mary).note == "Wants the blue set"

    empty = client.post(url("note", mary), {"note-text": "   "}, HTTP_HX_REQUEST="true")
    assert 'id="id_note-text_error"' in text(empty) and "Write the note first." in text(empty)
    assert Touch.objects.count() == 1

    # Without JavaScript: back to the page, with the message.
    plain = client.post(url("note", mary), {"note-text": "Second"})
    assert plain.status_code == 302 and plain["Location"] == url("detail", mary) + "#card-note"
    assert "Note added." in text(client.get(plain["Location"])) and Touch.objects.count() == 2


def test_promises_add_keep_and_a_second_keep_changes_nothing(account, client, mary):
    response = client.post(
        url("promise_add", mary),
        {"promise-text": "Send the article on glazes", "promise-due_on": "2026-11-20"},
        HTTP_HX_REQUEST="true",
    )
    html = text(response)
    assert "Promise noted." in html and "Send the article on glazes" in html and "(overdue)" in html
    promise = Promise.objects.get(contact=mary)

    bad = client.post(
        url("promise_add", mary), {"promise-text": "", "promise-due_on": "soon"}, HTTP_HX_REQUEST="true"
    )
    assert "Say what you promised." in text(bad) and "Pick a date, or leave it empty." in text(bad)
    assert Promise.objects.count() == 1

    kept = client.post(url("promise_keep", mary, promise.pk), HTTP_HX_REQUEST="true")
    assert "Kept: “Send the article on glazes”." in text(kept)
    promise.refresh_from_db()
    assert promise.kept_at == NOW
    with clock.frozen(NOW + timedelta(hours=1)):
        again = client.post(url("promise_keep", mary, promise.pk), HTTP_HX_REQUEST="true")
    assert "was already marked kept on Mon 23 Nov at 09:00 EST" in text(again)
    promise.refresh_from_db()
    assert promise.kept_at == NOW


def test_enroll_preview_shows_the_dates_that_starting_plans(account, client, mary):
    response = client.get(
        url("enroll_preview", mary), {"enroll-playbook": "call-mail-call"}, HTTP_HX_REQUEST="true"
    )
    html = text(response)
    assert "What Call-Mail-Call would plan" in html and "(America/Chicago)" in html
    planned = re.findall(r"<strong>(\w{3} \d+ \w{3})</strong>\s*· (\w+(?: day)?)\s*· (\w+)", html)
    assert [p[2] for p in planned] == ["call", "mail", "call"]
    assert Enrollment.objects.count() == 0

    started = client.post(url("enroll", mary), {"enroll-playbook": "call-mail-call"}, HTTP_HX_REQUEST="true")
    enrollment = Enrollment.objects.get(contact=mary)
    assert enrollment.due_start is not None
    first = enrollment.due_start.astimezone(CHICAGO)
    assert planned[0][0] == f"{first:%a} {first.day} {first:%b}"
    assert planned[0][1] == enrollment.state["part"]
    body = text(started)
    assert "Mary Smith is now in Call-Mail-Call." in body and "(their time)" in body
    assert 'id="contact-status"' in body and 'id="timeline"' in body

    # Without JavaScript the preview is the whole page.
    page = client.get(url("enroll_preview", mary), {"enroll-playbook": "stay-in-touch"})
    assert "<html" in text(page) and "What Stay in touch would plan" in text(page)
    unknown = client.get(url("enroll_preview", mary), {"enroll-playbook": "nope"}, HTTP_HX_REQUEST="true")
    assert "Pick one of your playbooks." in text(unknown)


def test_enroll_twice_asks_to_replace_and_replace_switches(account, client, mary):
    enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    again = client.post(url("enroll", mary), {"enroll-playbook": "call-mail-call"}, HTTP_HX_REQUEST="true")
    html = text(again)
    assert "Mary Smith is already in Four calls in two weeks (step 1 of 4: call-1 (call))" in html
    assert 'id="id_enroll-replace_error"' in html
    assert Enrollment.objects.get().version.playbook.name == "four-calls-two-weeks"

    replaced = client.post(
        url("enroll", mary),
        {"enroll-playbook": "call-mail-call", "enroll-replace": "on"},
        HTTP_HX_REQUEST="true",
    )
    assert "Mary Smith is now in Call-Mail-Call." in text(replaced)
    assert Enrollment.objects.get(status="active").version.playbook.name == "call-mail-call"
    assert Enrollment.objects.get(status="stopped").ended_reason == "replaced by call-mail-call"


def test_enroll_a_suppressed_contact_says_why(account, client, mary):
    Contact.objects.filter(pk=mary.pk).update(suppressed_until=NOW + timedelta(days=30))
    response = client.post(url("enroll", mary), {"enroll-playbook": "call-mail-call"})
    assert response.status_code == 400
    assert "Mary Smith said not interested; they rest until 2026-12-23" in text(response)
    assert not Enrollment.objects.exists()


def test_book_an_appointment_in_the_contacts_zone(account, client, mary):
    enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    equiv = client.get(
        url("appointment_preview", mary), {"appt-starts_at": "2026-11-24T10:30"}, HTTP_HX_REQUEST="true"
    )
    assert "Tue 24 Nov, 10:30 CST their time = <strong>Tue 24 Nov, 11:30 EST</strong> your time" in text(
        equiv
    )

    response = client.post(
        url("appointment", mary),
        {"appt-starts_at": "2026-11-24T10:30", "appt-duration": "30", "appt-note": "Talk about the party"},
        HTTP_HX_REQUEST="true",
    )
    html = text(response)
    appointment = Appointment.objects.get(contact=mary)
    assert appointment.starts_at == datetime(2026, 11, 24, 16, 30, tzinfo=UTC)
    assert appointment.duration_minutes == 30 and appointment.note == "Talk about the party"
    assert "Booked: Tue 24 Nov at 10:30 CST their time (11:30 EST your time)." in html
    assert "Next appointment: <strong>Tue 24 Nov, 10:30 CST</strong> their time (11:30 EST your time)" in html
    assert Enrollment.objects.get().status == "engaged"  # booking ends the chase
    assert "Appointment booked" in html  # the timeline, out of band

    dup = client.post(url("appointment", mary), {"appt-starts_at": "2026-11-24T10:30", "appt-duration": "15"})
    assert dup.status_code == 400 and "This appointment is already booked; nothing was changed." in text(dup)
    assert Appointment.objects.count() == 1


def test_appointment_time_errors_are_shown_next_to_the_field(account, client, mary):
    for value, message in [
        ("2026-11-23T07:30", "That time has passed: it is already Mon 23 Nov, 08:00 CST for them."),
        ("", "Pick the date and time."),
        ("tomorrow", "Pick a date and a time"),
        ("2027-03-14T02:30", "02:30 does not exist on Mar 14 in America/Chicago"),
    ]:
        response = client.post(url("appointment", mary), {"appt-starts_at": value, "appt-duration": "15"})
        html = text(response)
        assert response.status_code == 400
        error = re.search(
            r'<small id="id_appt-starts_at_error" class="field-error" role="alert">([^<]*)</small>', html
        )
        assert error and message in error.group(1), value
    assert not Appointment.objects.exists() and not Touch.objects.exists()
    past = client.get(
        url("appointment_preview", mary), {"appt-starts_at": "2026-11-22T10:00"}, HTTP_HX_REQUEST="true"
    )
    assert "That time has passed" in text(past)


def test_do_not_contact_needs_a_confirmation(account, client, mary):
    enrollment_start(account=account, contact=mary, playbook="call-mail-call")
    ask = client.get(url("do_not_contact", mary), HTTP_HX_REQUEST="true")
    assert "Mark Mary Smith do-not-contact?" in text(ask) and "Yes, do not contact" in text(ask)
    assert client.get(url("do_not_contact", mary)).status_code == 200  # the page without JavaScript

    unconfirmed = client.post(url("do_not_contact", mary), {"dnc-note": "asked"}, HTTP_HX_REQUEST="true")
    assert "Tick the box to confirm." in text(unconfirmed)
    mary.refresh_from_db()
    assert not mary.do_not_contact and not Touch.objects.exists()

    done = client.post(
        url("do_not_contact", mary),
        {"dnc-confirm": "on", "dnc-note": "Asked us to stop"},
        HTTP_HX_REQUEST="true",
    )
    html = text(done)
    assert "Mary Smith will not be contacted again; their playbook stopped." in html
    assert "<strong>Do not contact.</strong>" in html  # the status strip, out of band
    mary.refresh_from_db()
    assert mary.do_not_contact
    touch = Touch.objects.get()
    assert (touch.outcome, touch.note) == ("do-not-contact", "Asked us to stop")
    assert Enrollment.objects.get().status == "stopped"

    again = client.post(url("do_not_contact", mary), {"dnc-confirm": "on"})
    assert again.status_code == 400 and "Mary Smith is already marked do-not-contact" in text(again)
    assert Touch.objects.count() == 1
    page = text(client.get(url("detail", mary)))
    assert "no playbook can start" in page and "Book appointment" not in page


def test_edit_saves_everything_or_nothing(account, client, mary):
    work = mary.phones.get(label="work")
    mobile = mary.phones.get(label="mobile")
    email = mary.emails.get()
    form = text(client.get(url("edit", mary)))
    assert 'value="Mary"' in form and 'value="1980-04-12"' in form and 'list="zones"' in form

    data = {
        "first_name": "Maria",
        "last_name": "Smith",
        "company": "Acme Bakery",
        "title": "Owner",
        "status": "customer",
        "warmth": "acquainted",
        "birthday": "04-13",
        "time_zone": "America/Denver",
        "tags": "vip, glaze club",
        "notes": "Prefers mornings",
        "street": "1 Main St",
        "city": "Springfield",
        "region": "IL",
        "postal_code": "62701",
        "country": "US",
        f"phone-{mobile.pk}-number": "+1 312-555-0123",
        f"phone-{mobile.pk}-label": "mobile",
        f"phone-{mobile.pk}-bad": "on",
        f"phone-{work.pk}-number": "312-555-0188",
        f"phone-{work.pk}-label": "work",
        f"phone-{work.pk}-remove": "on",
        "phone-new-number": "(305) 555-0100",
        "phone-new-label": "home",
        f"email-{email.pk}-address": "maria@example.com",
        f"email-{email.pk}-label": "work",
        "email-new-address": "",
        "email-new-label": "home",
    }
    bad = dict(data, **{"phone-new-number": "12345"})
    response = client.post(url("edit", mary), bad)
    html = text(response)
    assert response.status_code == 400 and "Nothing was saved" in html
    assert re.search(r'id="id_phone-new-number_error"[^>]*>[^<]*is not a phone number', html)
    mary.refresh_from_db()
    assert mary.first_name == "Mary" and mary.phones.count() == 2 and not mary.addresses.exists()

    for field, value, message in [
        ("time_zone", "Mars/Olympus", "Unknown time zone 'Mars/Olympus'"),
        ("birthday", "02-30", "Birthday '02-30' is not a date"),
        (f"email-{email.pk}-address", "nope", "'nope' is not an email address"),
        ("first_name", "", "Give a first name"),
    ]:
        broken = dict(data, **{field: value})
        if field == "first_name":
            broken.update(last_name="", company="")
        html = text(client.post(url("edit", mary), broken))
        assert message in html, field
    mary.refresh_from_db()
    assert mary.first_name == "Mary"

    saved = client.post(url("edit", mary), data)
    assert saved.status_code == 302
    mary.refresh_from_db()
    assert (mary.first_name, mary.title, mary.status, mary.warmth) == (
        "Maria",
        "Owner",
        "customer",
        "acquainted",
    )
    assert (mary.birthday_month, mary.birthday_day, mary.birthday_year) == (4, 13, None)
    assert mary.time_zone == "America/Denver" and mary.notes == "Prefers mornings"
    assert sorted(t.name for t in mary.tags.all()) == ["glaze club", "vip"]
    phones = {p.number: p for p in Phone.objects.filter(contact=mary)}
    assert set(phones) == {"+13125550123", "+13055550100"}
    assert phones["+13125550123"].is_bad and phones["+13055550100"].label == "home"
    assert mary.subdivision == "FL"  # calling rules follow the first working number
    assert [(e.address, e.label) for e in mary.emails.all()] == [("maria@example.com", "work")]
    assert str(mary.addresses.get()) == "1 Main St, Springfield, IL, 62701, US"
    page = text(client.get(url("detail", mary)))
    assert "Saved Maria Smith's details." in page and "April 13" in page and "Wrong number" in page


def test_another_account_gets_404_on_every_url_with_an_id(account, mary):
    promise = promise_add(account=account, contact=mary, text="Send the catalogue")
    olga = make_account("olga")
    other = signed_in(olga)
    gets = [
        url("detail", mary),
        url("edit", mary),
        url("timeline", mary),
        url("note", mary),
        url("promise_add", mary),
        url("promise_keep", mary, promise.pk),
        url("enroll", mary),
        url("enroll_preview", mary) + "?enroll-playbook=call-mail-call",
        url("appointment", mary),
        url("appointment_preview", mary) + "?appt-starts_at=2026-11-24T10:00",
        url("do_not_contact", mary),
    ]
    for address in gets:
        assert other.get(address).status_code == 404, address
        assert other.get(address, HTTP_HX_REQUEST="true").status_code == 404, address
    posts = {
        url("edit", mary): {
            "first_name": "Hacked",
            "status": "prospect",
            "warmth": "stranger",
            "time_zone": "UTC",
        },
        url("note", mary): {"note-text": "hi"},
        url("promise_add", mary): {"promise-text": "x"},
        url("promise_keep", mary, promise.pk): {},
        url("enroll", mary): {"enroll-playbook": "call-mail-call"},
        url("appointment", mary): {"appt-starts_at": "2026-11-24T10:00", "appt-duration": "15"},
        url("do_not_contact", mary): {"dnc-confirm": "on"},
    }
    for address, data in posts.items():
        assert other.post(address, data).status_code == 404, address
    # Their own promise id under my contact, and my promise under their contact: 404 too.
    theirs = contact_create(account=olga, first_name="Olga")
    mine = signed_in(account)
    assert mine.post(url("promise_keep", theirs, promise.pk)).status_code == 404
    assert mine.post(reverse("contacts:promise_keep", args=[mary.pk, 999999])).status_code == 404
    mary.refresh_from_db()
    promise.refresh_from_db()
    assert mary.first_name == "Mary" and not mary.do_not_contact and promise.kept_at is None
    assert not Touch.objects.exists() and not Enrollment.objects.exists() and not Appointment.objects.exists()


def test_csrf_is_enforced_on_the_contact_page(account, mary):
    client = signed_in(account, Client(enforce_csrf_checks=True))
    assert client.post(url("note", mary), {"note-text": "hi"}).status_code == 403
    assert client.post(url("note", mary), {"note-text": "hi"}, HTTP_HX_REQUEST="true").status_code == 403
    page = text(client.get(url("detail", mary)))
    found = re.search(r"hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page)
    assert found is not None
    token = found.group(1)
    ok = client.post(url("note", mary), {"note-text": "hi"}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 200 and Touch.objects.count() == 1


def test_a_script_in_a_name_or_note_is_shown_as_text(account, client):
    evil = contact_create(
        account=account, first_name="<script>alert(1)</script>", phones=[PhoneInput("212-555-0100")]
    )
    touch_note(account=account, contact=evil, text="<img src=x onerror=alert(2)>")
    promise_add(account=account, contact=evil, text="<b>bold</b>")
    for page in (url("detail", evil), url("edit", evil), url("do_not_contact", evil)):
        html = client.get(page).content.decode()
        assert "<script>alert(1)</script>" not in html, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, page
    html = client.get(url("detail", evil)).content.decode()
    assert "<img src=x" not in html and "<b>bold</b>" not in html


def _detail_queries(client: Client, contact: Contact) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("detail", contact))
    assert response.status_code == 200
    return len(queries)


def test_contact_page_queries_do_not_grow_with_the_timeline(account, client, mary):
    enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    promise_add(account=account, contact=mary, text="one")
    for n in range(5):
        touch_note(account=account, contact=mary, text=f"note {n}", at=NOW - timedelta(hours=n + 1))
    short = _detail_queries(client, mary)
    for n in range(5, 160):
        touch_note(account=account, contact=mary, text=f"note {n}", at=NOW - timedelta(hours=n + 1))
        if n % 40 == 0:
            promise_add(account=account, contact=mary, text=f"promise {n}")
    long = _detail_queries(client, mary)
    assert short == long <= 16

    html = client.get(url("detail", mary)).content.decode()
    assert html.count('class="entry entry-') == 100 and "Show older" in html
    found = re.search(r'href="(/contacts/\d+/timeline/\?before=[^"]+)"', html)
    assert found is not None
    older = found.group(1)
    rest = client.get(unescape(older), HTTP_HX_REQUEST="true").content.decode()
    first_notes = re.findall(r"note (\d+)", html)
    rest_notes = re.findall(r"note (\d+)", rest)
    assert not set(first_notes) & set(rest_notes)
    assert sorted(map(int, first_notes + rest_notes)) == list(range(160))
    assert "Show older" not in rest and "<html" not in rest
    assert client.get(unescape(older)).status_code == 200  # without JavaScript: a page of its own
