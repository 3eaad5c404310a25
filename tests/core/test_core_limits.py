"""Input limits in the core: real time zones only, dates in 1900..2200, playbook YAML of a sane
size, depth and length of waits. Whatever is typed, the answer is the value or a RingbackError
that names the problem, never another exception (a 500 on the web, a traceback on the command).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ringback.core import clock
from ringback.core.clock import EARLIEST_DAY, LATEST_DAY, MAX_DAYS, check_day, check_instant, parse_instant
from ringback.core.engine import Context, enrollment_simulate
from ringback.core.errors import ErrorCode, InvalidDate, InvalidTimeZone, PlaybookError, RingbackError
from ringback.core.interchange import Birthday
from ringback.core.interchange.values import parse_birthday
from ringback.core.playbook import (
    MAX_DEPTH,
    MAX_SOURCE_CHARS,
    MAX_STEPS,
    MAX_TEMPLATES,
    MAX_VERSION,
    builtin_text,
    parse_playbook,
)
from ringback.core.scheduling import Recipient, check_zone, read_local_datetime, vacation_from_dates, zone


@pytest.fixture(autouse=True)
def running_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("RINGBACK_NOW", raising=False)
    clock.set_now(None)
    yield
    clock.set_now(None)


# --- time zones ------------------------------------------------------------------------------

REAL_ZONES = [
    "UTC",
    "Etc/GMT+5",
    "America/Chicago",
    "America/Argentina/Buenos_Aires",
    "Europe/Rome",
    "Asia/Kolkata",
    "Pacific/Kiritimati",
]


@pytest.mark.parametrize("name", REAL_ZONES)
def test_real_zones_are_accepted(name: str) -> None:
    assert check_zone(name) == name
    assert check_zone(f"  {name} ") == name
    assert zone(name) == ZoneInfo(name)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("America", "'America' is a region of the time zone database, not a time zone"),
        ("Etc", "'Etc' is a region of the time zone database, not a time zone"),
        ("America/Argentina", "is a region of the time zone database"),
        ("America/", "unknown time zone 'America/'"),
        ("../etc", "unknown time zone '../etc'"),
        ("/etc/localtime", "unknown time zone '/etc/localtime'"),
        ("America//Chicago", "unknown time zone 'America//Chicago'"),
        ("", "the time zone is empty"),
        ("   ", "the time zone is empty"),
        ("Amérique/Montréal", "unknown time zone 'Amérique/Montréal'"),
        ("America/Chicago\x00", "unknown time zone"),
        ("localtime", "unknown time zone 'localtime'"),
        ("zone.tab", "unknown time zone 'zone.tab'"),
        ("america/chicago", "did you mean America/Chicago?"),
        ("A" * 300, "is longer than 64 characters"),
    ],
)
def test_names_that_are_no_zone_are_refused_with_the_field(text: str, words: str) -> None:
    with pytest.raises(InvalidTimeZone) as raised:
        check_zone(text)
    assert words in raised.value.message
    assert raised.value.code is ErrorCode.INVALID_TIME_ZONE
    assert raised.value.message.startswith(("unknown time zone", "the time zone", "time zone"))
    with pytest.raises(InvalidTimeZone):
        zone(text)


def test_the_field_is_named_as_the_caller_says() -> None:
    with pytest.raises(InvalidTimeZone, match=r"^unknown --time-zone 'Mars/Base'"):
        check_zone("Mars/Base", what="--time-zone")


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=80),
        st.from_regex(r"[A-Za-z_./+-]{0,12}(/[A-Za-z_./+-]{0,12}){0,3}", fullmatch=True),
        st.sampled_from(["America", "Etc", "Europe", "posix", "right", "US", "Etc/", "tzdata.zi"]),
    )
)
def test_any_text_is_a_loadable_zone_or_a_time_zone_error(text: str) -> None:
    try:
        name = check_zone(text)
    except InvalidTimeZone:
        return
    assert ZoneInfo(name).key == name


# --- dates -----------------------------------------------------------------------------------


def test_the_range_is_1900_to_2200() -> None:
    assert (date(1900, 1, 1), date(2200, 12, 31)) == (EARLIEST_DAY, LATEST_DAY)
    assert check_day(EARLIEST_DAY) == EARLIEST_DAY and check_day(LATEST_DAY) == LATEST_DAY


@pytest.mark.parametrize("day", [date(1, 1, 1), date(1899, 12, 31), date(2201, 1, 1), date(9999, 12, 31)])
def test_days_outside_the_range_are_refused_naming_what_and_the_range(day: date) -> None:
    with pytest.raises(InvalidDate) as raised:
        check_day(day, what="--from")
    assert raised.value.message == (
        f"--from {day.isoformat()} is outside the dates Ringback takes (1900-01-01 to 2200-12-31)"
    )


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00:00+05:00",
        "0001-01-01T00:00:00+00:00",
        "9999-12-31T23:59:59-12:00",
        "9999-12-31T23:59:59.999999+00:00",
        "1899-12-31T23:59+00:00",
        "2201-01-01T00:00+00:00",
    ],
)
def test_instants_outside_the_range_are_refused_before_any_arithmetic(text: str) -> None:
    with pytest.raises(
        InvalidDate, match=r"is outside the dates Ringback takes \(1900-01-01 to 2200-12-31\)"
    ):
        parse_instant(text, what="due")


def test_instants_at_the_ends_of_the_range_are_taken() -> None:
    assert parse_instant("1900-01-01T00:00+14:00") == datetime(1899, 12, 31, 10, tzinfo=UTC)
    assert parse_instant("2200-12-31T23:59-12:00") == datetime(2201, 1, 1, 11, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "ok"),
    [
        ("9999-12-31T23:59+00:00", False),
        ("0001-01-01T00:00+05:00", False),
        ("1899-06-01T12:00+00:00", False),
        ("2200-12-31T23:00+00:00", True),
        ("1900-01-01T10:00+00:00", True),
    ],
)
def test_ringback_now_outside_the_range_names_the_variable_and_the_range(
    monkeypatch: pytest.MonkeyPatch, moment: str, ok: bool
) -> None:
    monkeypatch.setenv("RINGBACK_NOW", moment)
    if ok:
        assert clock.now() == datetime.fromisoformat(moment)
        return
    with pytest.raises(InvalidDate) as raised:
        clock.now()
    assert raised.value.message == (
        f"RINGBACK_NOW {moment!r} is outside the dates Ringback takes (1900-01-01 to 2200-12-31)"
    )


def test_the_clock_cannot_be_set_outside_the_range() -> None:
    with pytest.raises(InvalidDate, match="the clock"):
        clock.set_now(datetime(9999, 12, 31, tzinfo=UTC))


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00", "9999-12-31T23:59", "2201-01-01 10:00", "1899-12-31T10:00"]
)
def test_a_local_date_time_typed_outside_the_range_is_refused(text: str) -> None:
    with pytest.raises(InvalidDate, match="is outside the dates Ringback takes"):
        read_local_datetime(text, ZoneInfo("Pacific/Kiritimati"))


def test_a_vacation_at_the_end_of_the_range_does_not_overflow() -> None:
    start, end = vacation_from_dates(LATEST_DAY, LATEST_DAY, "Pacific/Kiritimati")
    assert end - start == timedelta(days=1)


# Hypothesis takes naive bounds (a zone, if any, is drawn apart): hence no tzinfo below.
_naive = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30))  # noqa: DTZ001
_offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@settings(max_examples=400, deadline=None)
@given(_naive, _offsets)
def test_any_date_time_string_is_taken_in_the_range_and_refused_outside(
    naive: datetime, offset: timezone
) -> None:
    text = naive.replace(tzinfo=offset).isoformat()
    inside = EARLIEST_DAY <= naive.date() <= LATEST_DAY
    try:
        value = parse_instant(text)
    except InvalidDate as exc:
        assert not inside, exc.message
        assert "1900-01-01 to 2200-12-31" in exc.message
    else:
        assert inside
        assert value == naive.replace(tzinfo=offset)
        assert check_instant(value) == value


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_is_an_instant_or_a_date_error(text: str) -> None:
    with contextlib.suppress(InvalidDate):
        assert parse_instant(text).tzinfo is UTC


# --- playbooks -------------------------------------------------------------------------------

BASE = """\
name: limits
templates:
  hello: Hi {{ contact.first_name }}, call me back at {{ seller.phone }}.
steps:
  - id: one
    channel: call
    wait: 0 days
    script: hello
"""


def refusal(text: str) -> PlaybookError:
    with pytest.raises(PlaybookError) as raised:
        parse_playbook(text, source="limits.yaml")
    return raised.value


@pytest.mark.parametrize(
    ("extra", "line", "words"),
    [
        ("    wait: 99999999999 days\n", 9, "step 1: wait '99999999999 days' is longer than 3650 days"),
        ("    wait: 3-3651 days\n", 9, "step 1: wait '3-3651 days' is longer than 3650 days"),
        ("    wait: 4000 business days\n", 9, "step 1: wait '4000 business days' is longer than 3650 days"),
        ("    wait: " + "9" * 5000 + " days\n", 9, "step 1: wait"),
        (
            "    offer-expires: 99999999999 days\n",
            9,
            "step 1: offer-expires 99999999999 is longer than 3650 days",
        ),
        ("    offer-expires: 3651\n", 9, "step 1: offer-expires 3651 is longer than 3650 days"),
        (
            "    offer-expires: 400 days\n",
            9,
            "step 1: offer-expires: an offer runs from 1 to 90 days after the card is sent, not 400",
        ),
        (
            "    offer-expires: 0 days\n",
            9,
            "step 1: offer-expires: an offer runs from 1 to 90 days after the card is sent, not 0",
        ),
        ("    skip-beyond: 5000 days\n", 9, "step 1: skip-beyond 5000 is longer than 3650 days"),
        (
            "finish:\n  recontact-after: 99999 days\n",
            10,
            "finish: recontact-after 99999 is longer than 3650 days",
        ),
        ("limits:\n  within: 3651 days\n", 10, "limits: within 3651 is longer than 3650 days"),
        ("limits:\n  min-gap: 10000 days\n", 10, "limits: min-gap 10000 is longer than 3650 days"),
    ],
)
def test_durations_are_capped_with_file_line_and_field(extra: str, line: int, words: str) -> None:
    error = refusal(BASE + extra)
    assert error.line == line, error.message
    assert error.message.startswith(f"limits.yaml, line {line}: {words}"), error.message


def test_the_longest_durations_are_taken_and_plan_without_overflow_at_the_end_of_the_range() -> None:
    text = (
        BASE
        + "    offer-expires: 90 days\n"
        + "  - channel: call\n    wait: 3650 days\n    script: hello\n"
        + "  - channel: call\n    wait: 3650 business days\n    script: hello\n"
        + "finish:\n  recontact-after: 3650 days\n"
        + "limits:\n  min-gap: 3650 days\n"
    )
    playbook = parse_playbook(text, source="limits.yaml")
    start = datetime.combine(LATEST_DAY, datetime.min.time(), UTC) + timedelta(hours=15)
    touches, state = enrollment_simulate(
        playbook, seed=1, start=start, context=Context(recipient=Recipient(zone="Pacific/Kiritimati"))
    )
    assert len(touches) == 3 and state.recontact_at is not None
    assert state.recontact_at.year < 2260
    within = parse_playbook(
        text.replace("  min-gap: 3650 days\n", "  within: 3650 days\n"), source="limits.yaml"
    )
    touches, state = enrollment_simulate(
        within, seed=1, start=start, context=Context(recipient=Recipient(zone="Etc/GMT+12"))
    )
    assert touches and state.ended and state.recontact_at is not None


def test_version_is_capped() -> None:
    error = refusal(BASE.replace("name: limits\n", "name: limits\nversion: 99999999999999999999\n"))
    assert (
        error.line == 2
        and f"version 99999999999999999999 must be a whole number from 1 to {MAX_VERSION:,}"
        in (error.message)
    )


def test_too_many_steps_and_templates_are_refused() -> None:
    step = "  - channel: task\n    wait: 1 day\n"
    assert len(parse_playbook(BASE + step * (MAX_STEPS - 1), source="limits.yaml").steps) == MAX_STEPS
    error = refusal(BASE + step * MAX_STEPS)
    assert error.line == 4 and f"at most {MAX_STEPS} steps" in error.message, error.message
    templates = "".join(f"  t{n}: text {n}\n" for n in range(MAX_TEMPLATES))
    error = refusal(BASE.replace("templates:\n", "templates:\n" + templates))
    assert error.line == 2 and f"at most {MAX_TEMPLATES} templates" in error.message, error.message


def test_a_document_longer_than_the_cap_is_refused_before_parsing() -> None:
    text = BASE + "description: |\n" + ("  " + "x" * 98 + "\n") * (MAX_SOURCE_CHARS // 100)
    error = refusal(text)
    assert error.line is None
    assert f"the playbook is longer than {MAX_SOURCE_CHARS:,} characters" in error.message


def _nested_block(depth: int) -> str:
    return "name: deep\nsteps:\n" + "".join("  " * level + "- a:\n" for level in range(1, depth))


@pytest.mark.parametrize(
    "text",
    [
        "name: deep\nsteps: " + "[" * 5000 + "]" * 5000 + "\n",
        "name: deep\nsteps: " + "{a: " * 5000 + "}" * 5000 + "\n",
        _nested_block(200),
    ],
    ids=["flow-sequences", "flow-mappings", "block"],
)
def test_deep_nesting_is_refused_at_the_line_where_it_goes_too_deep(text: str) -> None:
    error = refusal(text)
    assert f"nested deeper than {MAX_DEPTH} levels" in error.message
    assert error.line is not None and error.line <= MAX_DEPTH + 2


def test_deep_nesting_is_refused_before_the_rest_is_read() -> None:
    # Past the limit the text is not even YAML: refusing it for depth proves the parser stopped.
    text = "name: deep\nsteps: " + "[" * (MAX_DEPTH + 5) + '\n] ] : : {{{ "unclosed\n' + "x" * 50_000
    error = refusal(text)
    assert f"nested deeper than {MAX_DEPTH} levels" in error.message


def test_nesting_at_the_limit_is_parsed() -> None:
    # The playbook itself is one level, steps a second, a step a third: 17 more inside a rule.
    rules = "rules: " + "[" * (MAX_DEPTH - 1) + "R1" + "]" * (MAX_DEPTH - 1) + "\n"
    error = refusal(BASE + rules)
    assert "rules must be text" in error.message  # past the depth check, refused for its shape


@pytest.mark.parametrize(
    ("snippet", "words"),
    [
        ("title: 2026-13-45", "line 2: title '2026-13-45' is not a value YAML can read"),
        ('title: !!int "abc"', "line 2: title 'abc' is not a value YAML can read"),
        ('title: !!float "abc"', "not a value YAML can read"),
        ('title: !!bool "maybe"', "not a value YAML can read"),
        ('title: !!timestamp "abc"', "not a value YAML can read"),
        ('title: !!python/object:os.system "x"', "not a value YAML can read"),
        ("version: " + "9" * 5000, "not a value YAML can read"),
        ("? [a]\n: 1", "line 2: a key must be text"),
    ],
)
def test_values_yaml_cannot_construct_are_refused_at_their_line(snippet: str, words: str) -> None:
    error = refusal("name: x\n" + snippet + "\nsteps:\n  - channel: call\n")
    assert words in error.message, error.message


def test_anchors_are_refused_where_they_are_defined() -> None:
    error = refusal(BASE.replace("  - id: one\n", "  - &first\n    id: one\n"))
    assert error.line == 5 and "YAML anchors and aliases (&name, *name) are not allowed" in error.message


@pytest.mark.parametrize(
    "name", ["call-mail-call", "four-calls-two-weeks", "steady-weekly", "stranger-series", "stay-in-touch"]
)
def test_the_built_in_playbooks_are_within_every_limit(name: str) -> None:
    parse_playbook(builtin_text(name), source=f"{name}.yaml")


_scalar = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**12),
    st.text(alphabet="abc -:[]{}&*!%@#", max_size=8),
    st.sampled_from(["call", "3-4 days", "99999999999 days", "2026-13-45", "!!int x", "~", "yes"]),
)


def _yaml_like(depth: int) -> st.SearchStrategy[str]:
    leaf = _scalar.map(str)
    if depth == 0:
        return leaf
    inner = _yaml_like(depth - 1)
    return st.one_of(
        leaf,
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(
            st.tuples(st.sampled_from(["name", "steps", "wait", "channel", "a"]), inner), max_size=3
        ).map(lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=60), _yaml_like(3), st.sampled_from(["[", "{a: ", "- "]))
def test_any_nesting_is_parsed_or_refused_never_crashes(depth: int, body: str, opener: str) -> None:
    if opener == "- ":
        nested = "".join("  " * level + "- " for level in range(depth)) + body
        text = "name: fuzz\nsteps:\n" + nested + "\n"
    else:
        closer = "]" if opener == "[" else "}"
        text = "name: fuzz\nsteps: " + opener * depth + body + closer * depth + "\n"
    try:
        parse_playbook(text, source="fuzz.yaml")
    except RingbackError as exc:
        assert re.match(r"^fuzz\.yaml(, line \d+)?: ", exc.message), exc.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1985-04-12", Birthday(4, 12, 1985)),
        ("9999-04-12", Birthday(4, 12)),
        ("2201-04-12", Birthday(4, 12)),
        ("1850-04-12", Birthday(4, 12)),
        ("0001-04-12", Birthday(4, 12)),
    ],
)
def test_an_imported_birthday_keeps_a_year_only_in_the_range(text: str, expected: Birthday) -> None:
    clock.set_now(datetime(2026, 11, 23, tzinfo=UTC))
    assert parse_birthday(text) == expected


def test_the_pure_python_yaml_reader_refuses_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without libyaml (PyYAML built without it) the same limits hold, only slower."""
    import yaml

    from ringback.core import playbook

    monkeypatch.setattr(playbook, "_LOADER", yaml.SafeLoader)
    deep = refusal("name: deep\nsteps: " + "[" * 5000 + "]" * 5000 + "\n")
    assert deep.line == 2 and f"nested deeper than {MAX_DEPTH} levels" in deep.message
    anchored = refusal(BASE.replace("  - id: one\n", "  - &first\n    id: one\n"))
    assert anchored.line == 5 and "anchors and aliases" in anchored.message
    assert refusal(BASE + "    wait: 9999 days\n").line == 9
    assert (
        parse_playbook(builtin_text("call-mail-call"), source="call-mail-call.yaml").name == "call-mail-call"
    )


_ZONES = st.sampled_from(["Pacific/Kiritimati", "Etc/GMT+12", "America/Chicago", "UTC", "Asia/Kolkata"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.datetimes(
        # Hypothesis takes naive bounds and puts the zone on what it draws (timezones=...).
        min_value=datetime(1900, 1, 1),  # noqa: DTZ001
        max_value=datetime(2200, 12, 31, 23, 59),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    st.lists(
        st.tuples(st.integers(0, MAX_DAYS), st.integers(0, MAX_DAYS), st.booleans()), min_size=1, max_size=4
    ),
    _ZONES,
    st.sampled_from([None, "US", "IL"]),
)
def test_any_start_in_the_range_with_any_allowed_waits_plans_without_overflow(
    start: datetime, waits: list[tuple[int, int, bool]], zone_name: str, country: str | None
) -> None:
    steps = "".join(
        f"  - channel: call\n    wait: {min(a, b)}-{max(a, b)} {'business ' if business else ''}days\n"
        for a, b, business in waits
    )
    text = f"name: far\nsteps:\n{steps}finish:\n  recontact-after: {MAX_DAYS} days\n"
    playbook = parse_playbook(text, source="far.yaml")
    context = Context(recipient=Recipient(zone=zone_name, country=country))
    touches, state = enrollment_simulate(playbook, seed=7, start=start, context=context)
    assert state.ended
    assert all(touch.window.start >= start for touch in touches)
