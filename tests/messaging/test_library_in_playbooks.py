"""Playbooks name library messages: checked when saved, filled in on the agenda, credited on
the touch; an offer fixes its date when the card is mailed and the next call names it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ringback.accounts.models import Account
from ringback.accounts.services import account_create, account_update
from ringback.activities.models import Touch
from ringback.activities.selectors import agenda_for_day
from ringback.activities.services import touch_log
from ringback.contacts.services import AddressInput, PhoneInput, address_set, contact_create
from ringback.core import clock
from ringback.core.errors import PlaybookError
from ringback.messaging.selectors import message_get, message_latest_version
from ringback.messaging.services import message_add, message_update, offer_add
from ringback.playbooks.services import enrollment_start, playbook_add

pytestmark = pytest.mark.django_db
#: Monday 7 December 2026, 10:00 in New York.
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)

PLAYBOOK = """\
name: library-chase
title: Library chase
steps:
  - id: first-call
    channel: call
    wait: 0 days
    script: my-first-call
  - id: the-note
    channel: mail
    wait: 0 days
    template: my-note
    offer: winter-sampler
  - id: second-call
    channel: call
    wait: 3-4 days
    script: my-second-call
finish: stop
"""


@pytest.fixture
def account() -> Account:
    with clock.frozen(NOW):
        account = account_create(
            username="sally",
            password="a-long-password",
            seller_name="Sally Baker",
            seller_phone="312 555 0142",
            business_name="Sweet Home",
            time_zone="America/New_York",
        )
        account_update(account=account, working_days="mon-sun", minutes_per_day=600)
        message_add(
            account=account,
            name="my-first-call",
            kind="voicemail",
            title="First call",
            body="Hi {{ contact.first_name }}, a note is coming your way. Call {{ seller.phone }}.",
        )
        message_add(
            account=account,
            name="my-note",
            kind="card",
            title="The note",
            body="Dear {{ contact.first_name }},\n\n{{ offer.details }}, good until {{ offer.expires }}.",
        )
        message_add(
            account=account,
            name="my-second-call",
            kind="voicemail",
            title="Second call",
            body="Hi {{ contact.first_name }}, did my {{ offer.name }} note arrive? It ends {{ offer.expires }}.",
        )
        offer_add(
            account=account,
            name="winter-sampler",
            title="Winter sampler",
            details="A free sampler",
            valid_days=10,
        )
        playbook_add(account=account, text=PLAYBOOK)
    return account


def _item(account: Account, day: date):
    items = [i for i in agenda_for_day(account=account, day=day).items if i.enrollment_id]
    assert len(items) == 1, items
    return items[0]


def test_the_agenda_fills_in_library_words_and_the_touch_records_their_version(account: Account) -> None:
    with clock.frozen(NOW):
        mary = contact_create(account=account, first_name="Mary", phones=[PhoneInput("212-555-0123")])
        address_set(
            account=account,
            contact=mary,
            address=AddressInput(street="1 Elm St", city="Albany", region="NY", postal_code="12207"),
        )
        enrollment_start(account=account, contact=mary, playbook="library-chase")
        first = _item(account, NOW.date())
        assert first.script == "Hi Mary, a note is coming your way. Call +1 312-555-0142."
        version = message_latest_version(message=message_get(account=account, name="my-first-call"))
        assert first.message_version_id == version.pk
        # The seller edits the words afterwards: the touch keeps the version it used.
        touch = touch_log(account=account, contact=mary, outcome="voicemail")
        message_update(account=account, name="my-first-call", body="Hi {{ contact.first_name }}, new words.")
    assert Touch.objects.get(pk=touch.pk).message_version_id == version.pk


def test_a_mailed_offer_fixes_its_date_and_the_next_call_names_it(account: Account) -> None:
    with clock.frozen(NOW):
        mary = contact_create(account=account, first_name="Mary", phones=[PhoneInput("212-555-0123")])
        address_set(
            account=account,
            contact=mary,
            address=AddressInput(street="1 Elm St", city="Albany", region="NY", postal_code="12207"),
        )
        enrollment_start(account=account, contact=mary, playbook="library-chase")
        touch_log(account=account, contact=mary, outcome="voicemail")
        card = _item(account, NOW.date())
        assert card.script == "Dear Mary,\n\nA free sampler, good until Thursday, December 17."
        assert (card.offer_title, card.offer_expires) == ("Winter sampler", date(2026, 12, 17))
    mailed_at = NOW + timedelta(days=1)
    with clock.frozen(mailed_at):
        touch_log(account=account, contact=mary, outcome="mailed")
    with clock.frozen(mailed_at + timedelta(days=4)):
        call = _item(account, (mailed_at + timedelta(days=4)).date())
    # Mailed on Tuesday the 8th: ten days later is Friday the 18th, on the card and the call.
    assert call.script == "Hi Mary, did my Winter sampler note arrive? It ends Friday, December 18."


@pytest.mark.parametrize(
    ("change", "words", "line_of"),
    [
        (
            ("script: my-first-call", "script: no-such-words"),
            "script 'no-such-words' is neither under templates nor a message in your library",
            "script: no-such-words",
        ),
        (
            ("template: my-note", "template: my-first-call"),
            "'my-first-call' is a voicemail script; a mail step needs a card note",
            "template: my-first-call",
        ),
        (
            ("offer: winter-sampler", "offer: summer-sale"),
            "offer 'summer-sale' is not an offer in your library",
            "- id: the-note",
        ),
        (
            ("script: my-first-call", "script: Not A Name"),
            "neither defined under templates nor a message name",
            "script: Not A Name",
        ),
    ],
)
def test_a_playbook_naming_what_the_library_lacks_is_refused_with_the_line(
    account: Account, change: tuple[str, str], words: str, line_of: str
) -> None:
    text = PLAYBOOK.replace(*change).replace("name: library-chase", "name: other-chase")
    with pytest.raises(PlaybookError) as error:
        playbook_add(account=account, text=text)
    assert words in error.value.message
    assert error.value.line == next(n for n, line in enumerate(text.splitlines(), 1) if line_of in line)
