"""Texts with consent (issue 12): a text goes only to a mobile that agreed to texts; a STOP (or
any opt-out) logged as their reply stops texts to that number at once, on every playbook, and the
contact page says so; the seller records consent and stops texts by hand, on the web and the
command line; a text step's Text link opens the text already written."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from ringback.activities.models import Touch
from ringback.activities.selectors import agenda_for_day
from ringback.activities.services import touch_log, touch_undo
from ringback.contacts.models import Contact, Phone
from ringback.contacts.services import PhoneInput, contact_create, phone_add
from ringback.core import clock
from ringback.core.agenda import ItemKind
from ringback.core.errors import NotReachable
from ringback.playbooks.models import Enrollment
from ringback.playbooks.services import enrollment_start, playbook_add

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # Monday 09:00 in New York

pytestmark = pytest.mark.django_db

#: A playbook of texts and a call; the text has what a link must encode: & ? # and an accent.
TEXT_CHASE = """
name: text-chase
title: Text chase
templates:
  hello: "Hi {{ contact.first_name }}, it's Sally: the café party & the offer? Details #1. Reply STOP to opt out"
  call: "Hi {{ contact.first_name }}, this is Sally with Sweet Home about your party. Call me back at 312 555 0142."
steps:
  - {id: text-1, channel: sms, wait: 0 days, template: hello}
  - {id: call-1, channel: call, wait: 2 days, script: call}
  - {id: text-2, channel: sms, wait: 2 days, template: hello}
"""
LINK = (
    "sms:+12125550123?body=Hi%20Mary%2C%20it%27s%20Sally%3A%20the%20caf%C3%A9%20party%20%26%20the%20offer%3F"
    "%20Details%20%231.%20Reply%20STOP%20to%20opt%20out"
)


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def chase(account):
    return playbook_add(account=account, text=TEXT_CHASE)


def person(account, first, number="212-555-0123", consent="in-person", **extra):
    return contact_create(
        account=account,
        first_name=first,
        last_name="Smith",
        phones=[PhoneInput(number, label="mobile", text_consent=consent)],
        **extra,
    )


def sms_item(account, contact):
    (item,) = [i for i in agenda_for_day(account=account).items if i.contact_id == contact.pk]
    assert item.kind is ItemKind.SMS
    return item


def card(page: str, contact: Contact) -> str:
    found = re.search(rf'<article[^>]*id="card-sms-{contact.pk}-.*?</article>', page, re.S)
    assert found, f"no text card for {contact.name}"
    return found.group(0)


# --- the Text link --------------------------------------------------------------------------------


def test_a_text_steps_card_opens_the_text_already_written_to_a_number_that_agreed(account, seller, chase):
    mary = person(account, "Mary")
    enrollment_start(account=account, contact=mary, playbook="text-chase")
    item = sms_item(account, mary)
    assert not item.blocked and item.mobile == "+12125550123"
    shown = card(seller.get("/").content.decode(), mary)
    assert f'href="{LINK}"' in shown
    assert "Text <span>+1 212-555-0123</span>" in shown
    # "Texted" records the number the link opens.
    assert '<input type="hidden" name="phone" value="+12125550123">' in unescape(shown).replace("&#x2B;", "+")


def test_no_text_is_planned_or_offered_to_a_mobile_that_never_agreed(account, seller, chase):
    tom = person(account, "Tom", number="212-555-0144", consent="")
    with pytest.raises(NotReachable, match="needs a mobile number that agreed to texts"):
        enrollment_start(account=account, contact=tom, playbook="text-chase")
    enrollment_start(account=account, contact=tom, playbook="text-chase", force=True)
    item = sms_item(account, tom)
    assert item.blocked.startswith("a mobile number that agreed to texts") and item.mobile == ""
    page = seller.get("/").content.decode()
    assert "sms:+12125550144" not in page
    assert "This step needs a mobile number that agreed to texts" in card(page, tom)


# --- a STOP logged as their reply -----------------------------------------------------------------


def test_a_stop_reply_stops_texts_to_that_number_on_every_playbook_at_once(account, seller, chase):
    """Mary and Tom share one mobile (a family phone), each in the text chase: Mary's STOP reply
    takes the text steps from both, and from a playbook started afterwards."""
    mary = person(account, "Mary", emails=["mary@example.com"])
    tom = person(account, "Tom", number="212-555-0144")
    phone_add(account=account, contact=tom, number="212-555-0123")
    Phone.objects.filter(contact=tom).update(text_consent_at=NOW, text_consent_source="in-person")
    for contact in (mary, tom):
        enrollment_start(account=account, contact=contact, playbook="text-chase")
    assert not sms_item(account, mary).blocked

    later = NOW + timedelta(minutes=5)
    with clock.frozen(later):
        response = seller.post(f"/contacts/{mary.pk}/log/", {"log-what": "callback-sms", "log-note": "STOP."})
        assert response.status_code == 302
        mobile = Phone.objects.get(contact=mary)
        assert (mobile.texts_stopped_at, mobile.texts_stopped_how, mobile.texts_stopped_by) == (
            later,
            "reply",
            "STOP.",
        )
        # Tom's row of the shared number stopped too; his own mobile did not.
        assert Phone.objects.get(contact=tom, number="+12125550123").texts_stopped_by == "STOP."
        assert Phone.objects.get(contact=tom, number="+12125550144").may_text

        # Mary's text step can't go out any more: another way is offered, as for a missing number.
        item = sms_item(account, mary)
        assert item.blocked.startswith("a mobile number that agreed to texts")
        assert item.instead == ("email",) and item.mobile == ""
        page = seller.get("/").content.decode()
        assert "sms:+12125550123" not in page
        assert "sms:+12125550144" in page  # Tom's own mobile still may be texted
        # It is no call-back: the chase goes on and nothing asks to call her back.
        assert Enrollment.objects.get(contact=mary).status == "active"
        mary.refresh_from_db()
        assert mary.callback_requested_at is None
        touch = Touch.objects.get(contact=mary)
        assert (touch.channel, touch.direction, touch.outcome, touch.note) == ("sms", "in", "note", "STOP.")

        # The contact page says so, on that number.
        page = unescape(seller.get(f"/contacts/{mary.pk}/").content.decode())
        assert "Texts stopped on Mon 23 Nov 2026 (they replied “STOP.”)" in page

        # A playbook started afterwards doesn't text the number either.
        enrollment_start(account=account, contact=mary, playbook="text-chase", replace=True, force=True)
        assert Enrollment.objects.filter(contact=mary).count() == 2
        assert sms_item(account, mary).blocked


def test_the_page_says_what_was_stopped_when_logging_the_reply(account, seller, chase):
    mary = person(account, "Mary")
    response = seller.post(
        f"/contacts/{mary.pk}/log/",
        {"log-what": "callback-sms", "log-note": "please stop texting me"},
        HTTP_HX_REQUEST="true",
    )
    page = unescape(response.content.decode())
    assert (
        "Logged their text. It asks to stop: texts to +1 212-555-0123 are stopped, on every playbook." in page
    )
    # The number's line on the page changes with it.
    assert 'id="card-details" class="card" hx-swap-oob="outerHTML"' in page
    assert "Texts stopped on Mon 23 Nov 2026 (they replied “please stop texting me”)" in page


def test_a_reply_that_is_not_an_opt_out_is_a_call_back_as_before(account, chase):
    mary = person(account, "Mary")
    enrollment_start(account=account, contact=mary, playbook="text-chase")
    touch_log(
        account=account, contact=mary, outcome="callback", via="text", note="Don't stop, call me Tuesday"
    )
    assert Phone.objects.get(contact=mary).may_text
    assert Enrollment.objects.get(contact=mary).status == "engaged"
    assert Touch.objects.get(contact=mary).outcome == "callback"


def test_undo_takes_the_stop_back(account, chase):
    mary = person(account, "Mary")
    enrollment_start(account=account, contact=mary, playbook="text-chase")
    touch_log(account=account, contact=mary, outcome="callback", via="sms", note="UNSUBSCRIBE")
    assert not Phone.objects.get(contact=mary).may_text
    touch_undo(account=account, contact=mary)
    assert Phone.objects.get(contact=mary).may_text
    assert not sms_item(account, mary).blocked


def test_a_stop_from_one_of_two_mobiles_stops_that_one_when_the_number_is_given(account, chase):
    mary = person(account, "Mary")
    other = phone_add(account=account, contact=mary, number="212-555-0177")
    Phone.objects.filter(pk=other.pk).update(text_consent_at=NOW, text_consent_source="by-text")
    touch_log(account=account, contact=mary, outcome="callback", via="sms", note="stop", phone="212-555-0177")
    assert Phone.objects.get(pk=other.pk).texts_stopped_by == "stop"
    assert Phone.objects.get(contact=mary, number="+12125550123").may_text
    # Not said which: every mobile of theirs stops.
    touch_log(account=account, contact=mary, outcome="callback", via="sms", note="STOP ALL")
    assert not Phone.objects.filter(contact=mary, texts_stopped_at__isnull=True).exists()


def test_the_command_line_logs_a_stop_reply_and_says_what_stopped(account, ringback, chase):
    mary = person(account, "Mary")
    enrollment_start(account=account, contact=mary, playbook="text-chase")
    result = ringback.ok(
        "log", "Mary Smith", "callback", "--via", "text", "--note", "No more texts please", "--user", "sally"
    )
    assert "Logged their text for Mary Smith. It asks to stop: texts to +12125550123 are stopped" in " ".join(
        result.out.split()
    )
    assert not Phone.objects.get(contact=mary).may_text
    shown = ringback.json("contact", "Mary Smith", "--user", "sally")
    (phone,) = shown["phones"]
    assert phone["may_text"] is False and phone["texts_stopped_by"] == "No more texts please"
    assert phone["texts"] == "Texts stopped on Mon 23 Nov 2026 (they replied “No more texts please”)"
    (item,) = [i for i in ringback.agenda("--user", "sally") if i["contact_id"] == mary.pk]
    assert item["kind"] == "sms" and item["text_link"] is None


# --- consent and stop by hand: the contact page ---------------------------------------------------


def test_the_contact_page_records_consent_and_stops_texts_by_hand(account, seller, chase):
    tom = person(account, "Tom", number="212-555-0144", consent="")
    mobile = Phone.objects.get(contact=tom)
    page = unescape(seller.get(f"/contacts/{tom.pk}/").content.decode())
    assert "No consent to texts yet" in page and "Record that they agreed to texts" in page

    response = seller.post(
        f"/contacts/{tom.pk}/texts/consent/",
        {"texts-phone": mobile.pk, "texts-how": "web-form", "texts-note": "signed up at the fair"},
    )
    assert response.status_code == 302
    mobile.refresh_from_db()
    assert (mobile.text_consent_source, mobile.text_consent_note) == ("web-form", "signed up at the fair")
    page = unescape(seller.get(f"/contacts/{tom.pk}/").content.decode())
    assert "Texts OK: on a web form on Mon 23 Nov 2026" in page
    assert "Agreed to texts on +1 212-555-0144: on a web form (signed up at the fair)" in page  # timeline

    response = seller.post(
        f"/contacts/{tom.pk}/texts/stop/", {"stop-phone": mobile.pk}, HTTP_HX_REQUEST="true"
    )
    assert "Texts to +1 212-555-0144 are stopped, on every playbook." in unescape(response.content.decode())
    mobile.refresh_from_db()
    assert (mobile.texts_stopped_how, mobile.texts_stopped_by) == ("by-hand", "")
    again = seller.post(f"/contacts/{tom.pk}/texts/stop/", {"stop-phone": mobile.pk}, HTTP_HX_REQUEST="true")
    assert "Texts to +1 212-555-0144 were already stopped." in unescape(again.content.decode())
    page = unescape(seller.get(f"/contacts/{tom.pk}/").content.decode())
    assert "Texts stopped on Mon 23 Nov 2026 (you stopped them)" in page
    assert "Texts to +1 212-555-0144 stopped by hand" in page  # timeline

    # Consent again is refused by its field unless they opted back in.
    refused = seller.post(
        f"/contacts/{tom.pk}/texts/consent/", {"texts-phone": mobile.pk, "texts-how": "by-text"}
    )
    assert refused.status_code == 400
    assert "Record consent again only if they asked to get texts again" in unescape(refused.content.decode())
    assert Phone.objects.get(pk=mobile.pk).texts_stopped_at is not None
    response = seller.post(
        f"/contacts/{tom.pk}/texts/consent/",
        {"texts-phone": mobile.pk, "texts-how": "by-text", "texts-resume": "on"},
    )
    assert response.status_code == 302 and Phone.objects.get(pk=mobile.pk).may_text


def test_the_contact_page_refuses_a_number_that_is_not_theirs(account, seller):
    tom = person(account, "Tom", number="212-555-0144", consent="")
    ann = person(account, "Ann", number="212-555-0155", consent="")
    annes = Phone.objects.get(contact=ann)
    response = seller.post(
        f"/contacts/{tom.pk}/texts/consent/", {"texts-phone": annes.pk, "texts-how": "in-person"}
    )
    assert response.status_code == 400 and "Pick one of their mobile numbers." in response.content.decode()
    response = seller.post(f"/contacts/{tom.pk}/texts/stop/", {"stop-phone": annes.pk})
    assert response.status_code == 400 and "That number is not one of theirs." in unescape(
        response.content.decode()
    )
    assert not Phone.objects.filter(text_consent_at__isnull=False).exists()
    assert not Phone.objects.filter(texts_stopped_at__isnull=False).exists()


# --- consent and stop by hand: the command line ---------------------------------------------------


def test_the_command_line_records_consent_and_stops_texts(account, ringback):
    tom = person(account, "Tom", number="212-555-0144", consent="")
    result = ringback.ok(
        "contact",
        "Tom",
        "--text-consent",
        "(212) 555-0144",
        "--how",
        "by-text",
        "--consent-note",
        "replied YES",
        "--user",
        "sally",
    )
    text = " ".join(result.out.split())
    assert "Texts may go to +12125550144: by text." in text
    assert "mobile: +12125550144; Texts OK: by text on Mon 23 Nov 2026 (replied YES)" in text
    assert Phone.objects.get(contact=tom).may_text

    result = ringback.ok("contact", "Tom", "--stop-texts", "212 555 0144", "--user", "sally")
    assert "Texts to +12125550144 are stopped, on every playbook." in result.out
    assert "Texts stopped on Mon 23 Nov 2026 (you stopped them)" in " ".join(result.out.split())
    again = ringback.ok("contact", "Tom", "--stop-texts", "212 555 0144", "--user", "sally")
    assert "were already stopped" in again.out

    refused = ringback(
        "contact", "Tom", "--text-consent", "212 555 0144", "--how", "in-person", "--user", "sally"
    )
    assert refused.code != 0 and refused.error_lines[0].startswith("error: +1 212-555-0144: texts stopped on")
    ringback.ok(
        "contact",
        "Tom",
        "--text-consent",
        "212 555 0144",
        "--how",
        "in-person",
        "--resume-texts",
        "--user",
        "sally",
    )
    assert Phone.objects.get(contact=tom).may_text


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--text-consent", "212 555 0144"), "say how they agreed to texts: --how in-person, by-text"),
        (
            ("--text-consent", "212 555 0000", "--how", "in-person"),
            "'212 555 0000' is not one of Tom Smith's numbers",
        ),
        (("--stop-texts", "555"), "'555' is not one of Tom Smith's numbers"),
        (("--how", "in-person"), "--how goes with --text-consent NUMBER"),
        (("--consent-note", "x"), "--consent-note goes with --text-consent NUMBER"),
        (("--resume-texts",), "--resume-texts goes with --text-consent NUMBER"),
        (
            ("--warmth", "customer", "--text-consent", "212 555 0199", "--how", "in-person"),
            "is a home number",
        ),
    ],
)
def test_the_command_line_refuses_bad_text_options_with_one_line_and_changes_nothing(
    account, ringback, args, says
):
    tom = person(account, "Tom", number="212-555-0144", consent="")
    phone_add(account=account, contact=tom, number="212-555-0199", label="home")
    result = ringback("contact", "Tom", *args, "--user", "sally")
    assert result.code != 0
    assert len(result.error_lines) == 1 and says in result.error_lines[0], str(result)
    tom.refresh_from_db()
    assert tom.warmth == "met-once", "nothing half-written: the warmth was not saved either"
    assert not Phone.objects.filter(contact=tom, text_consent_at__isnull=False).exists()
