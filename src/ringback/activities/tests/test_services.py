"""Touch logging, the engine rules it drives, scoping, and the agenda's query count."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ringback.accounts.services import account_create, account_update
from ringback.activities.models import AppendOnlyError, Touch
from ringback.activities.selectors import agenda_for_day
from ringback.activities.services import (
    AlreadyLogged,
    CardRef,
    agenda_card_check,
    agenda_card_log,
    appointment_book,
    touch_log,
)
from ringback.contacts.models import Contact
from ringback.contacts.selectors import contact_find
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
from ringback.core.agenda import ItemKind
from ringback.core.errors import (
    AlreadyEnrolled,
    ContactAmbiguous,
    ContactNotFound,
    InvalidDate,
    InvalidInput,
    NotFound,
    OutcomeNotAllowed,
    Suppressed,
)
from ringback.playbooks.choices import EnrollmentStatus
from ringback.playbooks.models import Enrollment
from ringback.playbooks.services import enrollment_start

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def account():
    return account_create(
        username="sally",
        password="a-long-password",
        seller_name="Sally Baker",
        seller_phone="+13125550142",
        business_name="Sweet Home",
        time_zone="America/New_York",
    )


def make_contact(account, first="Mary", last="Smith", phone="(212) 555-0123", **extra):
    phones = [PhoneInput(phone)] if isinstance(phone, str) else phone
    return contact_create(account=account, first_name=first, last_name=last, phones=phones, **extra)


def test_contact_gets_zone_and_state_from_its_number(account):
    mary = make_contact(account, phone="305-555-0123")
    assert mary.phones.get().number == "+13055550123"
    assert (mary.time_zone, mary.country, mary.subdivision) == ("America/New_York", "US", "FL")
    ana = make_contact(account, first="Ana", phone="405 555 0100")
    assert (ana.time_zone, ana.subdivision) == ("America/Chicago", "OK")


def test_voicemail_advances_and_callback_stops_the_chase_and_tops_the_agenda(account):
    mary = make_contact(account)
    tom = make_contact(account, first="Tom", last="Jones", phone="212-555-0100")
    enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    enrollment_start(account=account, contact=tom, playbook="four-calls-two-weeks")
    touch = touch_log(account=account, contact=mary, outcome="voicemail")
    assert (touch.step, touch.attempt, touch.phone, touch.channel) == ("call-1", 1, "+12125550123", "call")
    enrollment = Enrollment.objects.get(contact=mary)
    assert enrollment.step_index == 1
    assert enrollment.due_start is not None and enrollment.due_start > NOW + timedelta(days=2)

    touch_log(account=account, contact=mary, outcome="callback", note="Called back, busy now")
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ENGAGED and enrollment.due_start is None
    items = agenda_for_day(account=account, now=NOW).items
    assert items[0].kind is ItemKind.CALLBACK and items[0].contact_name == "Mary Smith"
    assert "call back now" in items[0].reason
    assert [i.contact_name for i in items if i.kind is ItemKind.CALL] == ["Tom Jones"]

    touch_log(account=account, contact=mary, outcome="connected")
    assert not any(i.kind is ItemKind.CALLBACK for i in agenda_for_day(account=account, now=NOW).items)


def test_not_interested_suppresses_for_180_days_and_do_not_contact_for_good(account):
    mary = make_contact(account)
    enrollment_start(account=account, contact=mary, playbook="call-mail-call")
    touch_log(account=account, contact=mary, outcome="not-interested")
    assert Enrollment.objects.get(contact=mary).status == EnrollmentStatus.STOPPED
    with pytest.raises(Suppressed, match="not interested"):
        enrollment_start(account=account, contact=mary, playbook="call-mail-call")
    mary.refresh_from_db()
    assert mary.suppressed_until == NOW + timedelta(days=180)
    later = NOW + timedelta(days=181)
    with clock.frozen(later):
        enrollment_start(account=account, contact=mary, playbook="call-mail-call", at=later)

    tom = make_contact(account, first="Tom", phone="212-555-0100")
    touch_log(account=account, contact=tom, outcome="do-not-contact")
    with pytest.raises(Suppressed, match="asked not to be contacted"):
        enrollment_start(
            account=account, contact=tom, playbook="call-mail-call", at=NOW + timedelta(days=3650)
        )


def test_one_running_playbook_per_contact(account):
    mary = make_contact(account)
    enrollment_start(account=account, contact=mary, playbook="call-mail-call")
    with pytest.raises(AlreadyEnrolled, match=r"already in call-mail-call.*--replace"):
        enrollment_start(account=account, contact=mary, playbook="steady-weekly")
    assert Enrollment.objects.filter(contact=mary).count() == 1
    enrollment_start(account=account, contact=mary, playbook="steady-weekly", replace=True)
    statuses = dict(Enrollment.objects.filter(contact=mary).values_list("version__playbook__name", "status"))
    assert statuses == {"call-mail-call": "stopped", "steady-weekly": "active"}


def test_the_database_constraint_says_already_enrolled_too(account, monkeypatch):
    """A writer that didn't see the running enrollment (it did not lock the contact first) is
    stopped by the one-running-enrollment constraint, and told so as an AlreadyEnrolled."""
    from ringback.playbooks import services as playbook_services

    mary = make_contact(account)
    enrollment_start(account=account, contact=mary, playbook="call-mail-call")
    monkeypatch.setattr(playbook_services, "enrollment_lock_running", lambda *, contact: None)
    with pytest.raises(AlreadyEnrolled, match=r"already in call-mail-call \(step 1 of 3\)"):
        enrollment_start(account=account, contact=mary, playbook="steady-weekly")
    assert Enrollment.objects.filter(contact=mary).count() == 1


def test_wrong_number_retries_on_the_other_number_then_stops(account):
    mary = make_contact(
        account, phone=[PhoneInput("212-555-0123", "mobile"), PhoneInput("212-555-0199", "home")]
    )
    enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    first = touch_log(account=account, contact=mary, outcome="wrong-number")
    assert first.phone == "+12125550123"
    enrollment = Enrollment.objects.get(contact=mary)
    assert enrollment.step_index == 0 and enrollment.status == EnrollmentStatus.ACTIVE
    item = next(i for i in agenda_for_day(account=account, now=NOW).items if i.contact_name == "Mary Smith")
    assert item.phone == "+12125550199"
    second = touch_log(account=account, contact=mary, outcome="wrong-number")
    assert second.phone == "+12125550199"
    enrollment.refresh_from_db()
    assert (
        enrollment.status == EnrollmentStatus.STOPPED and enrollment.ended_reason == "no working number left"
    )


def test_outcome_that_does_not_fit_the_step_changes_nothing(account):
    mary = make_contact(account)
    enrollment_start(account=account, contact=mary, playbook="call-mail-call")
    with pytest.raises(OutcomeNotAllowed, match="next step is a call"):
        touch_log(account=account, contact=mary, outcome="mailed")
    assert Touch.objects.count() == 0
    with pytest.raises(InvalidDate, match="in the future"):
        touch_log(account=account, contact=mary, outcome="voicemail", at=NOW + timedelta(hours=2))


def test_appointment_ends_the_chase_and_comes_first_on_its_day(account):
    mary = make_contact(account)
    tom = make_contact(account, first="Tom", last="Jones", phone="212-555-0100")
    enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    enrollment_start(account=account, contact=tom, playbook="four-calls-two-weeks")
    appointment_book(account=account, contact=tom, starts_at=NOW + timedelta(hours=6), note="Party dates")
    assert Enrollment.objects.get(contact=tom).status == EnrollmentStatus.ENGAGED
    items = agenda_for_day(account=account, now=NOW).items
    assert [(i.kind, i.contact_name) for i in items] == [
        (ItemKind.APPOINTMENT, "Tom Jones"),
        (ItemKind.CALL, "Mary Smith"),
    ]
    with pytest.raises(InvalidDate, match="in the past"):
        appointment_book(account=account, contact=mary, starts_at=NOW - timedelta(hours=1))


def test_touches_are_append_only(account):
    mary = make_contact(account)
    touch = touch_log(account=account, contact=mary, outcome="voicemail")
    touch.note = "changed"
    with pytest.raises(AppendOnlyError):
        touch.save()
    with pytest.raises(AppendOnlyError):
        touch.delete()


def test_contact_references(account):
    mary = make_contact(account, emails=["Mary@Example.com"])
    make_contact(account, first="Marylin", last="Monroe", phone="212-555-0177")
    assert contact_find(account=account, reference=str(mary.pk)) == mary
    assert contact_find(account=account, reference="mary@example.com") == mary
    assert contact_find(account=account, reference="+1 212 555 0123") == mary
    assert contact_find(account=account, reference="Mary Smith") == mary
    with pytest.raises(ContactAmbiguous, match="matches 2 contacts") as raised:
        contact_find(account=account, reference="mary")
    assert "Mary Smith" in str(raised.value) and "Marylin Monroe" in str(raised.value)
    with pytest.raises(ContactNotFound):
        contact_find(account=account, reference="nobody")


def test_one_account_never_sees_another(account):
    mary = make_contact(account)
    enrollment_start(account=account, contact=mary, playbook="call-mail-call")
    other = account_create(username="bob", password="another-password")
    with pytest.raises(ContactNotFound):
        contact_find(account=other, reference=str(mary.pk))
    with pytest.raises(ContactNotFound):
        contact_find(account=other, reference="Mary")
    assert agenda_for_day(account=other, now=NOW).items == ()
    # Another account's contact is "no such contact", as one that does not exist (issue 10).
    with pytest.raises(NotFound, match=r"^no such contact$"):
        touch_log(account=other, contact=mary, outcome="voicemail")
    with pytest.raises(NotFound, match=r"^no such contact$"):
        enrollment_start(account=other, contact=mary, playbook="call-mail-call")


def test_agenda_query_count_does_not_grow_with_items(account):
    account_update(account=account, minutes_per_day=24 * 60)  # every item fits the day

    def queries_for(n: int) -> int:
        for i in range(n):
            c = make_contact(account, first=f"P{n}x{i}", last="Q", phone=f"212-555-{1000 + n * 10 + i:04d}")
            enrollment_start(account=account, contact=c, playbook="four-calls-two-weeks")
            touch_log(account=account, contact=c, outcome="callback") if i == 0 else None
        with CaptureQueriesContext(connection) as ctx:
            agenda = agenda_for_day(account=account, now=NOW)
        assert len(agenda.items) >= n
        return len(ctx.captured_queries)

    small = queries_for(2)
    large = queries_for(12)
    assert small == large
    # 12 for the day (the promises due among them), then the library's words for the items that
    # made it: the newest version of each message named, and the open promises (offers too, when
    # a step names one), and what the results say for planning them (their tags, what was
    # learned) since a voicemail names the day of the next call.
    assert large <= 16


def test_birthdays_show_on_the_day_with_age_when_known(account):
    make_contact(account, first="Ann", birthday=(11, 23, 1980))
    make_contact(account, first="Bea", phone="212-555-0111", birthday=(11, 23, None))
    make_contact(account, first="Cy", phone="212-555-0112", birthday=(11, 24, None))
    items = [i for i in agenda_for_day(account=account, now=NOW).items if i.kind is ItemKind.BIRTHDAY]
    assert [(i.contact_name, "turning 46" in i.reason) for i in items] == [
        ("Ann Smith", True),
        ("Bea Smith", False),
    ]
    assert Contact.objects.count() == 3


def test_a_callback_is_credited_to_the_message_that_was_left(account):
    mary = make_contact(account)
    enrollment_start(account=account, contact=mary, playbook="call-mail-call")
    touch_log(account=account, contact=mary, outcome="voicemail")
    with clock.frozen(NOW + timedelta(days=1)):
        touch_log(account=account, contact=mary, outcome="mailed")
        response = touch_log(account=account, contact=mary, outcome="callback")
    assert (response.direction, response.step, response.template) == ("in", "the-note", "note-with-offer")


def test_a_callback_keeps_the_number_they_called_from(account):
    # Credit goes to the message left on the number they call back from: it must be kept.
    mary = make_contact(account)
    enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    left = touch_log(account=account, contact=mary, outcome="voicemail")
    response = touch_log(account=account, contact=mary, outcome="callback", phone="212.555.0123")
    assert response.phone == left.phone == "+12125550123"
    emailed_back = touch_log(
        account=account, contact=mary, outcome="callback", via="email", phone="212-555-0123"
    )
    assert emailed_back.phone == ""


def test_a_foreign_number_without_one_zone_gets_its_countrys_zone_not_the_sellers(account):
    bruce = make_contact(account, first="Bruce", phone="+61 491 570 156")
    assert bruce.country == "AU" and bruce.time_zone.startswith("Australia/")
    seattle = make_contact(account, first="Sam", phone="+1 206 555 0123")
    assert (seattle.time_zone, seattle.subdivision) == ("America/Los_Angeles", "WA")


def test_do_not_contact_without_a_call_leaves_the_contact_never_called(account):
    mary = make_contact(account)
    touch_log(account=account, contact=mary, outcome="do-not-contact")
    mary.refresh_from_db()
    assert mary.do_not_contact and mary.last_called_at is None
    tom = make_contact(account, first="Tom", phone="212-555-0100")
    touch_log(account=account, contact=tom, outcome="voicemail")
    tom.refresh_from_db()
    assert tom.last_called_at == NOW


def test_one_scheduled_appointment_per_contact_and_time(account):
    from django.db import IntegrityError, transaction

    from ringback.activities.models import Appointment
    from ringback.core.errors import AlreadyBooked

    mary = make_contact(account)
    at = NOW + timedelta(days=1)
    booked = appointment_book(account=account, contact=mary, starts_at=at)
    with pytest.raises(AlreadyBooked, match="Mary Smith already has an appointment at Tue 24 Nov 09:00 EST"):
        appointment_book(account=account, contact=mary, starts_at=at)
    # The database keeps it to one too, for any writer.
    same = {"account": account, "contact": mary, "starts_at": at, "created_at": NOW}
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(**same)
    Appointment.objects.create(**same, status="cancelled")  # a cancelled one is no double
    Appointment.objects.filter(pk=booked.pk).update(status="done")
    appointment_book(account=account, contact=mary, starts_at=at)  # done: the time is free again
    assert Touch.objects.filter(contact=mary, outcome="appointment").count() == 2


# --- agenda cards: logging against a card checks that it still shows what is due -------------


def _stale_message(name: str, what: str) -> str:
    return (
        f"^Already logged: {name}'s {re.escape(what)} was dealt with in another tab, "
        r"or the plan has moved on\. Nothing was changed\.$"
    )


def _step_card(contact: Contact, enrollment: Enrollment, **changes: Any) -> CardRef:
    ref = CardRef(
        kind=ItemKind.CALL,
        contact_id=contact.pk,
        enrollment_id=enrollment.pk,
        step="call-1",
        due=enrollment.due_start,
    )
    return replace(ref, **changes)


def test_a_card_of_another_contact_is_refused(account):
    mary = make_contact(account)
    tom = make_contact(account, first="Tom", last="Jones", phone="212-555-0100")
    card = CardRef(kind=ItemKind.CALLBACK, contact_id=tom.pk)
    with pytest.raises(InvalidInput, match=r"^that card belongs to another contact$") as raised:
        agenda_card_check(account=account, contact=mary, ref=card)
    assert raised.value.field is None


def test_a_card_of_another_accounts_contact_is_no_such_contact(account):
    """As in every service, another account's contact is one that does not exist (issue 10)."""
    mary = make_contact(account)
    other = account_create(username="bob", password="another-password")
    card = CardRef(kind=ItemKind.CALLBACK, contact_id=mary.pk)
    with pytest.raises(NotFound, match=r"^no such contact$") as raised:
        agenda_card_check(account=other, contact=mary, ref=card)
    assert raised.value.field is None
    with pytest.raises(NotFound, match=r"^no such contact$"):
        agenda_card_log(account=other, contact=mary, ref=card, outcome="done")
    assert not Touch.objects.exists()


def test_a_step_card_holds_while_its_step_is_due(account):
    mary = make_contact(account)
    enrollment = enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    assert agenda_card_check(account=account, contact=mary, ref=_step_card(mary, enrollment)) is None


def test_a_step_card_must_name_the_contacts_playbook(account):
    mary = make_contact(account)
    tom = make_contact(account, first="Tom", last="Jones", phone="212-555-0100")
    enrollment = enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    toms = enrollment_start(account=account, contact=tom, playbook="four-calls-two-weeks")
    with pytest.raises(InvalidInput, match=r"^that card names no playbook step$"):
        agenda_card_check(account=account, contact=mary, ref=_step_card(mary, enrollment, enrollment_id=None))
    with pytest.raises(InvalidInput, match=r"^that card is not about Mary Smith's playbook$"):
        agenda_card_check(account=account, contact=mary, ref=_step_card(mary, toms))


@pytest.mark.parametrize(
    "changes",
    [{"step": "call-2"}, {"due": NOW + timedelta(days=30)}, {"kind": ItemKind.TASK, "step": ""}],
    ids=["another-step", "another-due-time", "no-step-named"],
)
def test_a_step_card_is_stale_once_the_plan_moved(account, changes):
    mary = make_contact(account)
    enrollment = enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    card = _step_card(mary, enrollment, **changes)
    what = f"{card.kind.value} ({card.step or 'step'})"
    with pytest.raises(AlreadyLogged, match=_stale_message("Mary Smith", what)) as raised:
        agenda_card_check(account=account, contact=mary, ref=card)
    assert raised.value.field is None


def test_a_step_card_is_stale_once_the_playbook_stopped(account):
    mary = make_contact(account)
    enrollment = enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    card = _step_card(mary, enrollment)
    touch_log(account=account, contact=mary, outcome="not-interested")
    with pytest.raises(AlreadyLogged, match=_stale_message("Mary Smith", "call (call-1)")):
        agenda_card_check(account=account, contact=mary, ref=card)


def test_an_appointment_card_holds_while_it_is_scheduled(account):
    mary = make_contact(account)
    tom = make_contact(account, first="Tom", last="Jones", phone="212-555-0100")
    booked = appointment_book(account=account, contact=mary, starts_at=NOW + timedelta(hours=6))
    toms = appointment_book(account=account, contact=tom, starts_at=NOW + timedelta(hours=6))
    card = CardRef(kind=ItemKind.APPOINTMENT, contact_id=mary.pk, appointment_id=booked.pk)
    assert agenda_card_check(account=account, contact=mary, ref=card) == booked
    with pytest.raises(InvalidInput, match=r"^that card names no appointment$"):
        agenda_card_check(account=account, contact=mary, ref=replace(card, appointment_id=None))
    with pytest.raises(InvalidInput, match=r"^that appointment is not Mary Smith's$"):
        agenda_card_check(account=account, contact=mary, ref=replace(card, appointment_id=toms.pk))
    agenda_card_log(account=account, contact=mary, ref=card, outcome="done")
    with pytest.raises(AlreadyLogged, match=_stale_message("Mary Smith", "appointment")):
        agenda_card_check(account=account, contact=mary, ref=card)


def test_a_call_back_card_holds_while_they_wait_for_the_call(account):
    mary = make_contact(account)
    card = CardRef(kind=ItemKind.CALLBACK, contact_id=mary.pk)
    with pytest.raises(AlreadyLogged, match=_stale_message("Mary Smith", "call back")):
        agenda_card_check(account=account, contact=mary, ref=card)
    touch_log(account=account, contact=mary, outcome="callback")
    mary.refresh_from_db()
    assert agenda_card_check(account=account, contact=mary, ref=card) is None


def test_a_birthday_card_holds_until_they_are_greeted_that_day(account):
    ann = make_contact(account, first="Ann", birthday=(11, 23, 1980))
    card = CardRef(kind=ItemKind.BIRTHDAY, contact_id=ann.pk)
    assert agenda_card_check(account=account, contact=ann, ref=card) is None
    agenda_card_log(account=account, contact=ann, ref=card, outcome="done")
    with pytest.raises(AlreadyLogged, match=_stale_message("Ann Smith", "birthday greeting")):
        agenda_card_check(account=account, contact=ann, ref=card)
    assert Touch.objects.filter(contact=ann).count() == 1
