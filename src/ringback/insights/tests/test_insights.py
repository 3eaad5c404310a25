"""What works: credit, the report, the page, the CSV, the command, and what planning learns."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ringback.accounts.models import Account
from ringback.accounts.services import account_update
from ringback.activities.models import Touch
from ringback.activities.selectors import agenda_for_day
from ringback.activities.services import touch_log
from ringback.contacts.models import Contact
from ringback.contacts.services import PhoneInput, contact_create
from ringback.core import clock
from ringback.core.learning import cell_words
from ringback.core.scheduling import part_of_day
from ringback.insights.models import ResponseCredit
from ringback.insights.selectors import insights_filters, insights_report
from ringback.insights.services import insights_refresh, insights_refresh_due
from ringback.messaging.models import MessageAdvice
from ringback.playbooks.models import Enrollment, Learned
from ringback.playbooks.selectors import context_for
from ringback.playbooks.services import enrollment_start
from ringback.testing.racing import ringback
from ringback.testing.sellers import NOW, make_account, signed_in

pytestmark = pytest.mark.django_db
MOBILE = "+12125550100"


def person(account: Account, n: int, *, phone: str | None = None) -> Contact:
    return contact_create(
        account=account,
        first_name=f"Pat{n}",
        last_name="Doe",
        phones=[PhoneInput(phone or f"+1212555{n:04d}", "mobile")],
        warmth="stranger",
    )


def chase(account: Account, contact: Contact, *, start: datetime, outcomes: list[tuple[float, str]]) -> None:
    """Enroll at ``start`` in four-calls-two-weeks and log each (days after start, outcome)."""
    with clock.frozen(start):
        enrollment_start(account=account, contact=contact, playbook="four-calls-two-weeks")
    for days, outcome in outcomes:
        with clock.frozen(start + timedelta(days=days)):
            phone = contact.phones.first().number if outcome == "callback" else None  # type: ignore[union-attr]
            touch_log(account=account, contact=contact, outcome=outcome, phone=phone)


@pytest.fixture
def account() -> Account:
    with clock.frozen(NOW - timedelta(days=60)):
        return make_account()


@pytest.fixture
def world(account: Account) -> Account:
    """Ten voicemails a month ago (two called back), one last week still pending, one reached cold."""
    month_ago = NOW - timedelta(days=30)
    for n in range(10):
        outcomes = [(0.2, "voicemail")] + ([(2.0, "callback")] if n < 2 else [])
        chase(account, person(account, n), start=month_ago + timedelta(hours=n), outcomes=outcomes)
    chase(account, person(account, 20), start=NOW - timedelta(days=2), outcomes=[(0.2, "voicemail")])
    chase(account, person(account, 21), start=month_ago, outcomes=[(0.2, "connected")])
    with clock.frozen(NOW):
        insights_refresh(account=account)
    return account


def report(account: Account, **filters: object):
    with clock.frozen(NOW):
        chosen = insights_filters(account=account, since=(NOW - timedelta(days=90)).date(), **filters)  # type: ignore[arg-type]
        return insights_report(account=account, filters=chosen)


def test_each_callback_is_credited_to_the_voicemail_left_on_that_number(world: Account) -> None:
    credits = ResponseCredit.objects.filter(account=world).select_related("response", "message")
    credited = [c for c in credits if c.message is not None]
    assert len(credited) == 2
    assert all(c.match == "number" and c.message.outcome == "voicemail" for c in credited)  # type: ignore[union-attr]
    assert all(c.message.phone == c.response.phone != "" for c in credited)  # type: ignore[union-attr]
    assert all(c.message.contact_id == c.response.contact_id for c in credited)  # type: ignore[union-attr]
    # The first call that connected had no message before it: counted, not credited.
    (cold,) = [c for c in credits if c.message is None]
    assert cold.response.outcome == "connected"


def test_rates_count_finished_touches_and_show_the_recent_ones_as_pending(world: Account) -> None:
    shown = report(world)
    (line,) = [r for r in shown.table("step").rows if r.key == "four-calls-two-weeks/call-1"]
    assert (line.touches, line.responses, line.pending) == (10, 2, 1)
    assert line.rate == pytest.approx(0.2)
    assert line.low is not None and line.high is not None and line.low < 0.2 < line.high
    assert (shown.credited, shown.uncredited) == (2, 1)
    assert dict(shown.funnel)["Enrolled"] == 12
    assert dict(shown.funnel)["Reached"] == 3


def test_below_the_minimum_a_rate_says_not_enough_data(world: Account, settings) -> None:
    settings.RINGBACK = {**settings.RINGBACK, "INSIGHTS_MIN_TOUCHES": 11}
    shown = report(world)
    (line,) = [r for r in shown.table("step").rows if r.key == "four-calls-two-weeks/call-1"]
    assert (line.touches, line.responses, line.rate, line.low) == (10, 2, None, None)
    with clock.frozen(NOW):
        html = signed_in(world).get("/insights/").content.decode()
    assert "not enough data" in html


def test_an_empty_account_has_nothing_to_measure(account: Account) -> None:
    assert report(account).empty


def test_a_playbook_filter_and_a_date_range_narrow_the_report(world: Account) -> None:
    assert report(world, playbook="steady-weekly").empty
    assert not report(world, playbook="four-calls-two-weeks").empty


def test_the_report_takes_the_same_few_queries_whatever_the_data(world: Account) -> None:
    with CaptureQueriesContext(connection) as few:
        report(world)
    for n in range(30, 60):
        chase(world, person(world, n), start=NOW - timedelta(days=40), outcomes=[(0.2, "voicemail")])
    with clock.frozen(NOW):
        insights_refresh(account=world)
    with CaptureQueriesContext(connection) as more:
        report(world)
    assert len(more) == len(few) <= 6


def test_a_refresh_is_due_when_a_touch_is_newer(world: Account) -> None:
    with clock.frozen(NOW):
        assert not insights_refresh_due(account=world)
        touch_log(account=world, contact=person(world, 99), outcome="voicemail")
        assert insights_refresh_due(account=world)


def test_planning_learns_when_they_answer(world: Account) -> None:
    rows = Learned.objects.filter(account=world, kind="call-times")
    contact = Contact.objects.get(account=world, first_name="Pat21")
    assert {r.key for r in rows} >= {"account", "warmth:stranger", f"contact:{contact.pk}"}, [
        (r.key, r.data) for r in rows
    ]
    with clock.frozen(NOW):
        context = context_for(account=world, contact=contact)
    assert context.call_times is not None
    # Pat21 answered once: the cell of that call is theirs, and its reason names them.
    answered = Enrollment.objects.get(contact=contact).touches.get()
    local = answered.at.astimezone(ZoneInfo("America/New_York"))
    cell = (local.weekday(), part_of_day(local))
    assert context.call_times.reasons[cell] == f"Pat21 answered once on {cell_words(cell)}"
    assert context.call_times.rates[cell] == max(context.call_times.rates.values())


def test_planning_learns_the_variants_of_a_step(world: Account) -> None:
    row = Learned.objects.get(account=world, kind="variants", key="four-calls-two-weeks/call-1")
    assert set(row.data) == {"made-me-think-of-you", "something-you-will-like"}
    contact = Contact.objects.get(account=world, first_name="Pat0")
    with clock.frozen(NOW):
        context = context_for(account=world, contact=contact)
    arms = context.variants[("four-calls-two-weeks", "call-1")]
    assert {arm.name for arm in arms} == set(row.data)


def test_a_message_credibly_worse_than_usual_is_flagged(account: Account, settings) -> None:
    settings.RINGBACK = {**settings.RINGBACK, "ADVICE_MIN_TOUCHES": 10}
    start = NOW - timedelta(days=40)
    for n in range(60):
        contact = person(account, n)
        chase(account, contact, start=start + timedelta(hours=n), outcomes=[(0.2, "voicemail")])
        left = Touch.objects.get(contact=contact)
        # One voicemail is called back one time in two; the other never.
        if left.template == "something-you-will-like" and n % 2 == 0:
            with clock.frozen(left.at + timedelta(days=1)):
                touch_log(account=account, contact=contact, outcome="callback")
    with clock.frozen(NOW):
        insights_refresh(account=account)
    (flagged,) = MessageAdvice.objects.filter(account=account, flagged=True).select_related("message")
    assert flagged.message.name == "made-me-think-of-you"
    assert flagged.responses == 0 and flagged.touches >= 10
    assert flagged.probability_worse >= 0.9
    shown = report(account)
    assert [a.message.name for a in shown.advice] == ["made-me-think-of-you"]
    with clock.frozen(NOW):
        today = signed_in(account).get("/").content.decode()
        library = signed_in(account).get("/library/made-me-think-of-you/").content.decode()
    assert "Change your message:" in today and "A short commercial" in today
    assert "Change this message:" in library


def test_the_page_shows_the_tables_and_charts(world: Account) -> None:
    client = signed_in(world)
    with clock.frozen(NOW):
        page = client.get("/insights/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "What works" in html and "<svg" in html
    assert "When people answer your calls" in html
    assert "four-calls-two-weeks: call-1" in html


def test_an_empty_account_is_told_what_to_do(account: Account) -> None:
    with clock.frozen(NOW):
        html = signed_in(account).get("/insights/").content.decode()
    assert "Nothing to measure yet" in html


def test_bad_filters_are_named_on_their_field(world: Account) -> None:
    client = signed_in(world)
    with clock.frozen(NOW):
        page = client.get("/insights/", {"since": "2026-11-20", "until": "2026-11-01"})
        assert page.status_code == 400
        assert "is after the end" in page.content.decode().lower()
        page = client.get("/insights/", {"playbook": "nope"})
        assert page.status_code == 400
        assert "no playbook called" in page.content.decode().lower()


def test_every_table_downloads_as_csv(world: Account) -> None:
    with clock.frozen(NOW):
        response = signed_in(world).get("/insights/insights.csv", {"table": "step"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {r["table"] for r in rows} == {"step"}
    (line,) = [r for r in rows if r["key"] == "four-calls-two-weeks/call-1"]
    assert (line["touches"], line["responses"], line["rate"]) == ("10", "2", "0.2")


def test_another_account_sees_none_of_it(world: Account) -> None:
    with clock.frozen(NOW):
        other = make_account("bob")
        html = signed_in(other, Client()).get("/insights/").content.decode()
        rows = signed_in(other, Client()).get("/insights/insights.csv").content.decode().splitlines()
    assert "Nothing to measure yet" in html
    assert len(rows) == 1  # the header only


def test_the_command_prints_json_and_csv(world: Account) -> None:
    with clock.frozen(NOW):
        shown = ringback("insights", "--user", "sally", "--json")
        table = ringback("insights", "--user", "sally", "--csv", "--table", "channel", "--no-refresh")
        bad = ringback("insights", "--user", "sally", "--playbook", "nope")
    assert shown.code == 0, shown.err
    data = json.loads(shown.out)
    (line,) = [r for r in data["tables"]["step"] if r["key"] == "four-calls-two-weeks/call-1"]
    assert (line["touches"], line["responses"], line["pending"]) == (10, 2, 1)
    assert data["responses_uncredited"] == 1
    assert table.out.splitlines()[0].startswith("table,key,label,touches,responses")
    assert {line.split(",")[0] for line in table.out.splitlines()[1:]} == {"channel"}
    assert bad.code == 1 and bad.err.startswith("error: no playbook called 'nope'")


def test_a_call_goes_where_they_answered_and_the_card_says_why(world: Account) -> None:
    account_update(account=world, minutes_per_day=24 * 60)  # every item fits the day
    ann = contact_create(
        account=world, first_name="Ann", last_name="Lee", phones=[PhoneInput("+12125559999")]
    )
    for weeks in (1, 2):  # Monday mornings, 10:00 in New York
        with clock.frozen(NOW - timedelta(weeks=weeks) + timedelta(hours=1)):
            touch_log(account=world, contact=ann, outcome="connected")
    with clock.frozen(NOW):
        insights_refresh(account=world)
        enrollment_start(account=world, contact=ann, playbook="four-calls-two-weeks")
        agenda = agenda_for_day(account=world, now=NOW)
    (card,) = [item for item in agenda.items if item.contact_id == ann.pk]
    assert "Ann answered twice on Monday mornings" in card.reason
    assert (
        card.window_start is not None and card.window_start.astimezone(ZoneInfo("America/New_York")).hour < 12
    )


def test_returning_their_call_says_nothing_of_when_they_answer(account: Account) -> None:
    # They called back after a voicemail; the seller returned the call the next morning and
    # reached them: that call is a conversation going on, not an attempt to reach them.
    contact = person(account, 1)
    start = NOW - timedelta(days=20)
    chase(account, contact, start=start, outcomes=[(0.2, "voicemail"), (1.0, "callback")])
    with clock.frozen(start + timedelta(days=1, hours=20)):
        touch_log(account=account, contact=contact, outcome="connected")
    with clock.frozen(NOW):
        insights_refresh(account=account)
    shown = report(account)
    calls = sum(row.touches for cells in shown.reach for row in cells if row is not None)
    answered = sum(row.responses for cells in shown.reach for row in cells if row is not None)
    assert (calls, answered) == (1, 0)  # the voicemail's call alone
