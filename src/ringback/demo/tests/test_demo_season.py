"""The demo's past season: Insights shows real differences at once, Today is as it was.

A seller who opens the demo sees on the Insights page which messages, steps and calling times
bring responses: a past season of people chased 3 to 16 weeks ago, played through the services
like every other story, with odds that differ the way a seller would believe.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from ringback.accounts.models import Account
from ringback.activities.models import Appointment, Touch
from ringback.activities.selectors import agenda_for_day
from ringback.contacts.models import Contact
from ringback.core import clock
from ringback.core.errors import InvalidInput
from ringback.core.playbook import ALL_PARTS, PartOfDay
from ringback.demo.builder import DemoResult, demo_load, demo_past
from ringback.insights.choices import Dimension
from ringback.insights.selectors import RateRow, Report, insights_filters, insights_report
from ringback.messaging.models import Message
from ringback.playbooks.models import Enrollment

CHICAGO = ZoneInfo("America/Chicago")
#: Tuesday 9 June 2026, 10:15 in Chicago (as in test_demo.py).
NOW = datetime(2026, 6, 9, 10, 15, tzinfo=CHICAGO).astimezone(UTC)
#: How far back the seller looks: the whole season.
SINCE = (NOW - timedelta(weeks=16)).astimezone(CHICAGO).date()


def report_of(result: DemoResult) -> Report:
    account = Account.objects.get(pk=result.account_id)
    with clock.frozen(NOW):
        return insights_report(account=account, filters=insights_filters(account=account, since=SINCE))


def messages(report: Report, account_id: int) -> dict[str, RateRow]:
    """The Messages table by message name."""
    names = {
        f"m{pk}": name for pk, name in Message.objects.filter(account_id=account_id).values_list("pk", "name")
    }
    return {names[row.key]: row for row in report.table(Dimension.MESSAGE).rows if row.key in names}


def reach_by_part(report: Report) -> dict[PartOfDay, tuple[int, int]]:
    """Calls answered and made in each part of the day (their time), all weekdays together."""
    found = {part: (0, 0) for part in ALL_PARTS}
    for weekday in report.reach:
        for part, cell in zip(ALL_PARTS, weekday, strict=True):
            if cell is not None:
                answered, made = found[part]
                found[part] = (answered + cell.responses, made + cell.touches)
    return found


def season_of(result: DemoResult, contacts: int) -> list[int]:
    """The past season's people: everyone added after the demo's own ``contacts``."""
    ids = Contact.objects.filter(account_id=result.account_id).order_by("pk").values_list("pk", flat=True)
    return list(ids[contacts:])


@pytest.mark.django_db
def test_insights_show_real_differences_on_the_demo() -> None:
    with clock.frozen(NOW):
        result = demo_load()
    report = report_of(result)
    rows = messages(report, result.account_id)

    assert result.contacts == 200 + demo_past(200) == 450
    assert result.stories["past-season"] == 250
    # Counted at once: the page is full when the seller first opens it.
    assert report.refreshed_at == NOW
    rated = [name for name, row in rows.items() if row.rate is not None]
    assert len(rated) >= 6, rated
    # The A/B voicemails of four-calls-two-weeks: one clearly better than the other.
    better, worse = rows["something-you-will-like"], rows["made-me-think-of-you"]
    assert better.rate is not None and worse.rate is not None
    assert better.rate > worse.rate
    assert better.responses > worse.responses
    # The weekly idea is credibly worse than the usual voicemail: change it.
    flagged = {advice.message.name: advice for advice in report.advice}
    assert "weekly-idea" in flagged
    assert flagged["weekly-idea"].touches >= 30
    # The note with its offer is followed by second calls that connect: better than usual.
    note, overall = rows["note-with-offer"], report.table(Dimension.MESSAGE).overall
    assert note.rate is not None and overall is not None and overall.rate is not None
    assert note.rate > overall.rate
    # People answer in the evening more than in the morning (in their own time).
    parts = reach_by_part(report)
    (morning, mornings), (evening, evenings) = parts[PartOfDay.MORNING], parts[PartOfDay.EVENING]
    assert mornings >= 100 and evenings >= 100
    assert evening / evenings > morning / mornings
    # Responses with no message before them (a first call that connects, a call weeks later).
    assert report.credited > 0 and report.uncredited > 0


@pytest.mark.django_db
def test_the_past_season_is_over_and_stays_off_today() -> None:
    with clock.frozen(NOW):
        result = demo_load(contacts=60)
    season = season_of(result, 60)
    account = Account.objects.get(pk=result.account_id)

    assert len(season) == demo_past(60)
    started: dict[int, Enrollment] = {}
    for enrollment in Enrollment.objects.filter(contact_id__in=season).order_by("pk"):
        started.setdefault(enrollment.contact_id, enrollment)
    assert set(started) == set(season)
    for enrollment in started.values():
        # Enrolled 3 to 16 weeks ago, and done with.
        assert timedelta(weeks=3, days=-1) <= NOW - enrollment.started_at <= timedelta(weeks=16, days=5)
        assert enrollment.status in ("engaged", "exhausted", "stopped")
    # What is still planned for them (next quarter's recontact) is well ahead.
    assert not Enrollment.objects.filter(
        contact_id__in=season, status="active", due_start__lt=NOW + timedelta(days=7)
    ).exists()
    touches = Touch.objects.filter(contact_id__in=season)
    assert touches.count() >= 2 * len(season)
    assert not touches.filter(at__gte=datetime(2026, 6, 9, tzinfo=CHICAGO)).exists()  # none today
    assert {"voicemail", "mailed", "emailed", "callback", "connected", "not-interested"} <= set(
        touches.values_list("outcome", flat=True)
    )
    # Nobody waits for a call back, has an appointment or a birthday on the agenda.
    contacts = Contact.objects.filter(pk__in=season)
    assert not contacts.filter(callback_requested_at__isnull=False).exists()
    assert not Appointment.objects.filter(contact_id__in=season).exists()
    agenda = agenda_for_day(account=account, day=result.agenda_day, now=NOW)
    assert not {item.contact_id for item in agenda.items} & set(season)


def today(result: DemoResult) -> list[tuple[str, str, str, datetime]]:
    """Today's agenda as the seller reads it."""
    account = Account.objects.get(pk=result.account_id)
    agenda = agenda_for_day(account=account, day=result.agenda_day, now=NOW)
    return [(item.kind.value, item.contact_name, item.reason, item.due) for item in agenda.items]


def summary(result: DemoResult) -> dict[str, object]:
    """What the seller sees of the demo, in figures."""
    touches = Touch.objects.filter(account_id=result.account_id)
    rows = messages(report_of(result), result.account_id)
    return {
        "contacts": result.contacts,
        "touches": sorted(touches.values_list("outcome", "at")),
        "enrollments": result.enrollments,
        "today": today(result),
        "messages": {name: (row.responses, row.touches) for name, row in rows.items()},
    }


def build_afresh(**kwargs: int) -> DemoResult:
    """The demo built in an empty database with the id sequences reset: the history depends on
    the ids the database hands out (each enrollment's seed is made from them)."""
    call_command("flush", interactive=False, verbosity=0)
    with clock.frozen(NOW):
        return demo_load(**kwargs)  # type: ignore[arg-type]


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_the_season_is_the_same_for_the_same_now_and_leaves_today_as_it_was() -> None:
    without = today(build_afresh(contacts=40, past=0))
    first = build_afresh(contacts=40)
    before = summary(first)
    again = build_afresh(contacts=40)

    assert first.contacts == 40 + demo_past(40)
    assert summary(again) == before
    assert again.stories == first.stories
    assert before["today"] == without


@pytest.mark.django_db
def test_the_past_season_can_be_sized_or_left_out() -> None:
    with clock.frozen(NOW):
        call_command("demo", "--contacts", "30", "--past", "0", "--json", stdout=StringIO())
        assert Contact.objects.count() == 30
        with pytest.raises(InvalidInput):
            demo_load(contacts=30, past=-1, reset=True)
        result = demo_load(contacts=30, past=12, reset=True)

    assert result.contacts == 42
    assert result.stories["past-season"] == 12
