"""What a card shows before the seller dials: their notes, the message they left, and a birthday
line with a number, buttons and words (issue 11: #9, #22)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ringback.accounts.services import account_create
from ringback.activities.services import touch_log
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
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
        time_zone="America/New_York",
    )


def card(page: str, name: str) -> str:
    start = page.index(f">{name}</a></h2>")
    start = page.rindex("<article", 0, start)
    return page[start : page.index("</article>", start)]


def test_a_call_card_shows_the_notes_and_a_callback_card_the_message(seller, account):
    mary = contact_create(
        account=account,
        first_name="Mary",
        last_name="Smith",
        phones=[PhoneInput("212-555-0123")],
        notes="Hosts in spring; two kids <b>soccer</b>",
    )
    enrollment_start(account=account, contact=mary, playbook="four-calls-two-weeks")
    tom = contact_create(
        account=account, first_name="Tom", last_name="Jones", phones=[PhoneInput("212-555-0124")]
    )
    touch_log(account=account, contact=tom, outcome="callback", note="Call me after 5, about the catalogue")
    page = seller.get("/").content.decode()
    assert "Hosts in spring; two kids &lt;b&gt;soccer&lt;/b&gt;" in card(page, "Mary Smith")
    tom_card = card(page, "Tom Jones")
    assert "Their message" in tom_card
    assert "Call me after 5, about the catalogue" in tom_card


def test_the_agenda_command_shows_them_too(account, ringback):
    tom = contact_create(
        account=account,
        first_name="Tom",
        last_name="Jones",
        phones=[PhoneInput("212-555-0124")],
        notes="Met at the fair",
    )
    touch_log(account=account, contact=tom, outcome="callback", note="About the catalogue")
    (item,) = ringback.agenda("--user", "sally", now=NOW)
    assert (item["message"], item["notes"]) == ("About the catalogue", "Met at the fair")
    text = " ".join(ringback.ok("agenda", "--scripts", "--user", "sally", now=NOW).out.split())
    assert "Their message: “About the catalogue”" in text
    assert "Your notes: Met at the fair" in text


def birthday_line(page: str, contact_id: int) -> str:
    start = page.index(f'id="card-birthday-{contact_id}-"')
    return page[start : page.index("</li>", start)]


def test_a_birthday_line_has_the_number_buttons_and_words(seller, account):
    bea = contact_create(
        account=account,
        first_name="Bea",
        last_name="Day",
        phones=[PhoneInput("212-555-0101", label="mobile", text_consent="in-person")],
        birthday=(11, 23, 1980),
    )
    page = seller.get("/").content.decode()
    assert "A birthday today" in page
    line = birthday_line(page, bea.pk)
    assert ">Bea Day</a>" in line and "Birthday today, turning 46" in line
    assert 'href="tel:+12125550101"' in line
    assert 'href="sms:+12125550101?body=Happy%20birthday%2C%20Bea' in line
    assert "Happy birthday, Bea! Hi, it&#x27;s Sally" in line
    assert f'name="contact" value="{bea.pk}" data-action>Greeted</button>' in line
    assert "Voicemail" not in line and "Connected" not in line


def test_the_days_birthdays_make_one_card_and_greeted_ticks_one_off(seller, account):
    people = [
        contact_create(
            account=account,
            first_name=name,
            last_name="Day",
            phones=[PhoneInput(f"212-555-01{n:02d}", label="mobile")],
            birthday=(11, 23, None),
        )
        for n, name in enumerate(["Ann", "Bea", "Cy"])
    ]
    page = seller.get("/").content.decode()
    assert page.count('id="card-birthdays"') == 1 and "3 birthdays today" in page
    assert all(f'id="card-birthday-{p.pk}-"' in page for p in people)
    response = seller.post(
        "/today/birthdays/greeted/",
        {"contact": str(people[1].pk), "submission_token": "token-greeted-0001"},
        HTTP_HX_REQUEST="true",
    )
    text = response.content.decode()
    assert "Bea Day: birthday greeting logged." in text
    assert f'id="card-birthday-{people[1].pk}-"' not in text and "2 birthdays today" in text
    again = seller.post(
        "/today/birthdays/greeted/",
        {"contact": str(people[1].pk), "submission_token": "token-greeted-0002"},
        HTTP_HX_REQUEST="true",
    )
    assert "already greeted today" in again.content.decode()
    nobody = seller.post(
        "/today/birthdays/greeted/", {"contact": "x", "submission_token": "token-greeted-0003"}
    )
    assert nobody.status_code == 302
    other = account_create(username="other", password="another-long-password")
    stranger = contact_create(account=other, first_name="Zed", phones=[PhoneInput("212-555-0199")])
    refused = seller.post(
        "/today/birthdays/greeted/", {"contact": str(stranger.pk), "submission_token": "token-greeted-0004"}
    )
    assert refused.status_code == 404


def test_a_birthday_greeting_is_logged_whatever_playbook_runs(account, ringback):
    bea = contact_create(
        account=account,
        first_name="Bea",
        last_name="Day",
        phones=[PhoneInput("212-555-0101")],
        birthday=(11, 23, None),
    )
    enrollment_start(account=account, contact=bea, playbook="four-calls-two-weeks")
    refused = ringback("log", "Bea", "done", "--user", "sally", now=NOW)
    assert refused.code == 1  # "done" does not fit the call step
    greeted = ringback.json("log", "Bea", "birthday", "--user", "sally", now=NOW)
    assert greeted["outcome"] == "birthday" and greeted["step"] == "birthday"
    assert [i["kind"] for i in ringback.agenda("--user", "sally", now=NOW)] == ["call"]
    again = ringback("log", "Bea", "birthday", "--user", "sally", now=NOW)
    assert again.code == 1 and "already greeted today" in again.err
    bea.refresh_from_db()
    assert bea.enrollments.get().step_index == 0  # the playbook did not move
