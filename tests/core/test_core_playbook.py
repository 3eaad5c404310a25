"""Playbooks: the built-in ones encode the seeds, and a broken playbook says where it is broken."""

from __future__ import annotations

import pytest
from jinja2.sandbox import SandboxedEnvironment

from ringback.core.errors import ErrorCode, PlaybookError, UnknownOutcome
from ringback.core.messages import builtin_library_texts, builtin_offers, with_library
from ringback.core.playbook import (
    BUILTIN_NAMES,
    STEP_OUTCOMES,
    Action,
    Anchor,
    Branch,
    Channel,
    Outcome,
    PartOfDay,
    Wait,
    builtin_playbooks,
    builtin_text,
    parse_outcome,
    parse_playbook,
    parse_wait,
)

#: The built-ins as shipped, with the library messages their steps name written in (to read them).
PARSED = builtin_playbooks()
BUILTINS = {name: with_library(p, builtin_library_texts()) for name, p in PARSED.items()}

SAMPLE = {
    "contact": {"first_name": "Dana"},
    "seller": {"first_name": "Sam", "business": "Bright Kitchens", "phone": "555-201-0100"},
    "offer_expires": "June 14",
    "offer": {"name": "Spring sampler", "details": "a free sampler", "expires": "June 14"},
    "promise": {"text": "the spring guide", "due": "June 1"},
    "mailed_on": "May 31",
    "next_call_day": "Thursday",
}


def spoken_seconds(text: str) -> float:
    """Speaking time at 150 words a minute; a phone number is read digit by digit."""
    words = 0
    for word in text.split():
        digits = sum(ch.isdigit() for ch in word)
        words += digits if digits >= 3 else 1
    return words / 150 * 60


def render(body: str) -> str:
    return SandboxedEnvironment().from_string(body).render(**SAMPLE)


# --------------------------------------------------------------------------- built-ins


def test_every_builtin_playbook_parses_and_is_named_after_its_file() -> None:
    assert set(BUILTINS) == set(BUILTIN_NAMES)
    for name, playbook in BUILTINS.items():
        assert playbook.name == name
        assert playbook.source == f"{name}.yaml"
        assert playbook.version >= 1
        assert playbook.title
        assert playbook.description
        assert playbook.steps
        # Parsing the text again gives the same playbook (the parser is deterministic).
        assert parse_playbook(builtin_text(name), source=f"{name}.yaml") == PARSED[name]


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_builtin_steps_reference_templates_that_render(name: str) -> None:
    playbook = BUILTINS[name]
    for step in playbook.steps:
        assert step.templates, f"{name}: step {step.id} has no script or template"
        for template in step.templates:
            text = render(playbook.templates[template])
            assert "{{" not in text
            assert "Dana" in text


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_builtin_voicemail_scripts_are_twenty_to_forty_seconds_long(name: str) -> None:
    """R2: a voicemail is 20-40 s spoken (about 50-100 words at 150 words a minute)."""
    playbook = BUILTINS[name]
    for step in playbook.steps:
        if step.channel is Channel.CALL:
            for template in step.templates:
                seconds = spoken_seconds(render(playbook.templates[template]))
                assert 20 <= seconds <= 40, f"{name}: {template} takes {seconds:.0f} s"


def test_call_mail_call_is_call_then_note_with_offer_then_call_then_stop() -> None:
    playbook = BUILTINS["call-mail-call"]
    shape = [(s.channel, s.wait) for s in playbook.steps]
    assert shape == [
        (Channel.CALL, Wait(0, 0)),
        (Channel.MAIL, Wait(0, 1)),
        (Channel.CALL, Wait(3, 4)),
    ]
    note = playbook.steps[1]
    assert builtin_offers()[note.offer or ""].valid_days == 14  # R9: the offer ends within two weeks
    assert "offer.expires" in playbook.templates[note.templates[0]]
    assert "offer.expires" in playbook.templates[playbook.steps[2].templates[0]]
    assert "mailed_on" in playbook.templates[playbook.steps[2].templates[0]]
    # Then leave them alone: no recontact, no limits that would add calls.
    assert playbook.finish.recontact_after_days is None
    assert playbook.finish.recontact_playbook is None
    assert playbook.call_count == 2


def test_four_calls_two_weeks_caps_the_chase_and_asks_for_yes_or_no() -> None:
    playbook = BUILTINS["four-calls-two-weeks"]
    assert playbook.limits.max_calls == 4
    assert playbook.limits.within_days == 14
    assert [s.channel for s in playbook.steps] == [Channel.CALL] * 4
    assert playbook.steps[0].wait == Wait(0, 0)
    # The fourth call leaves the gracious yes-or-no message (R8), the others do not.
    assert playbook.steps[3].templates == ("yes-or-no",)
    assert all("yes-or-no" not in s.templates for s in playbook.steps[:3])
    message = render(playbook.templates["yes-or-no"]).lower()
    assert "yes" in message and "no" in message
    # Several scripts on a step are A/B variants.
    assert len(playbook.steps[0].templates) >= 2
    # Then call back next quarter (R7).
    assert playbook.finish.recontact_after_days == 90
    # The planned rhythm fits into the 14 days.
    assert sum(s.wait.max_days for s in playbook.steps) <= 14


def test_steady_weekly_calls_every_seven_to_ten_days_then_last_chance() -> None:
    playbook = BUILTINS["steady-weekly"]
    assert [s.channel for s in playbook.steps] == [Channel.CALL] * 5
    assert playbook.steps[0].wait == Wait(0, 0)
    assert all(s.wait == Wait(7, 10) for s in playbook.steps[1:])
    assert playbook.steps[4].templates == ("last-chance",)
    assert all("last-chance" not in s.templates for s in playbook.steps[:4])
    message = render(playbook.templates["last-chance"]).lower()
    assert "yes" in message and "no" in message
    assert playbook.finish.recontact_after_days is None
    assert playbook.limits.max_calls is None


def test_stranger_series_mixes_mail_email_and_calls_over_about_three_weeks() -> None:
    playbook = BUILTINS["stranger-series"]
    channels = [s.channel for s in playbook.steps]
    assert {Channel.MAIL, Channel.EMAIL, Channel.CALL} <= set(channels)
    assert channels[0] is not Channel.CALL  # strangers get something before the first call
    shortest = sum(s.wait.min_days for s in playbook.steps)
    longest = sum(s.wait.max_days for s in playbook.steps)
    assert 14 <= shortest <= longest <= 28


def test_stay_in_touch_has_birthday_and_quarterly_tip_a_month_apart() -> None:
    playbook = BUILTINS["stay-in-touch"]
    birthday, tip = playbook.steps
    assert birthday.anchor is Anchor.BIRTHDAY
    assert birthday.channel is not Channel.CALL
    assert tip.channel is not Channel.CALL
    assert tip.anchor is None
    assert 30 <= tip.wait.min_days <= tip.wait.max_days <= 92
    assert playbook.limits.min_gap_days == 30
    assert playbook.finish.recontact_after_days is not None
    assert playbook.call_count == 0
    # No sales message in the birthday card (R11).
    card = render(playbook.templates[birthday.templates[0]]).lower()
    assert "offer" not in card and "call me" not in card


# --------------------------------------------------------------------------- small parsers


@pytest.mark.parametrize(
    ("text", "wait"),
    [
        ("0 days", Wait(0, 0)),
        ("1 day", Wait(1, 1)),
        ("3-4 days", Wait(3, 4)),
        (" 3 - 4 days ", Wait(3, 4)),
        ("7-10 DAYS", Wait(7, 10)),
        ("2-3 business days", Wait(2, 3, business=True)),
    ],
)
def test_parse_wait_accepts_duration_ranges(text: str, wait: Wait) -> None:
    assert parse_wait(text) == wait


@pytest.mark.parametrize("text", ["3-x days", "4-3 days", "3", "days", "-1 days", "3 weeks", ""])
def test_parse_wait_rejects_anything_else(text: str) -> None:
    with pytest.raises(ValueError):
        parse_wait(text)


def test_wait_reads_back_as_written() -> None:
    assert str(Wait(3, 4)) == "3-4 days"
    assert str(Wait(1, 1)) == "1 day"
    assert str(Wait(2, 3, business=True)) == "2-3 business days"


def test_parse_outcome_is_forgiving_about_case_and_underscores() -> None:
    assert parse_outcome("No_Answer") is Outcome.NO_ANSWER
    assert parse_outcome(" voicemail ") is Outcome.VOICEMAIL
    with pytest.raises(UnknownOutcome) as info:
        parse_outcome("hung up")
    assert "voicemail" in str(info.value) and "no-answer" in str(info.value)


# --------------------------------------------------------------------------- invalid playbooks

GOOD = """\
name: my-book
title: My book
version: 2
templates:
  hello: |
    Hi {{ contact.first_name }}, it's {{ seller.first_name }}.
  note: |
    Dear {{ contact.first_name }}, a note for you.
steps:
  - id: first
    channel: call
    wait: 0 days
    script: hello
  - id: card
    channel: mail
    wait: 1-2 days
    template: note
  - id: again
    channel: call
    wait: 3-4 days
    script: hello
    on:
      wrong-number: {goto: card}
      voicemail: next
finish:
  recontact-after: 30 days
"""


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the only line containing ``needle``."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(found) == 1, (needle, found)
    return found[0]


def fail(text: str, source: str = "mine.yaml") -> PlaybookError:
    with pytest.raises(PlaybookError) as info:
        parse_playbook(text, source=source)
    error = info.value
    assert error.code is ErrorCode.INVALID_PLAYBOOK
    assert str(error).startswith(f"{source}")
    if error.line is not None:
        assert str(error).startswith(f"{source}, line {error.line}: ")
    return error


def test_the_reference_playbook_is_valid() -> None:
    playbook = parse_playbook(GOOD, source="mine.yaml")
    assert playbook.version == 2
    assert [s.id for s in playbook.steps] == ["first", "card", "again"]
    assert playbook.steps[2].on[Outcome.WRONG_NUMBER].action is Action.GOTO
    assert playbook.steps[2].on[Outcome.WRONG_NUMBER].target == "card"
    assert playbook.steps[2].on[Outcome.VOICEMAIL].action is Action.NEXT
    assert playbook.finish.recontact_after_days == 30
    assert playbook.steps[0].line == line_of(GOOD, "- id: first")


def test_bad_wait_names_source_line_step_and_value() -> None:
    text = GOOD.replace("    wait: 3-4 days\n", "    wait: 3-x days\n")
    error = fail(text)
    expected = line_of(text, "3-x days")
    assert error.line == expected
    assert f"mine.yaml, line {expected}: " in str(error)
    assert "step 3: wait '3-x days' is not a duration range" in str(error)


def test_bad_wait_in_a_builtin_names_its_file() -> None:
    text = builtin_text("call-mail-call").replace("wait: 3-4 days", "wait: 3-x days")
    error = fail(text, source="call-mail-call.yaml")
    expected = line_of(text, "3-x days")
    assert str(error).startswith(
        f"call-mail-call.yaml, line {expected}: step 3: wait '3-x days' is not a duration range"
    )


@pytest.mark.parametrize(
    "broken",
    [
        "name: [unclosed\nsteps: []\n",
        "name: x\nsteps:\n  - channel: call\n   wait: 0 days\n",
        "name: x\n\tsteps: oops\n",
    ],
)
def test_malformed_yaml(broken: str) -> None:
    error = fail(broken)
    assert "not valid YAML" in str(error)
    assert error.line is not None
    assert 1 <= error.line <= broken.count("\n") + 1


def test_empty_playbook() -> None:
    assert "empty" in str(fail(""))


def test_a_playbook_must_be_a_mapping() -> None:
    assert "mapping" in str(fail("- just\n- a list\n"))


@pytest.mark.parametrize("key", ["name", "steps"])
def test_missing_required_field(key: str) -> None:
    lines = GOOD.splitlines(keepends=True)
    if key == "name":
        text = "".join(line for line in lines if not line.startswith("name:"))
    else:
        text = GOOD.split("steps:\n")[0]
    error = fail(text)
    assert f"the field {key!r} is missing" in str(error)


def test_empty_steps() -> None:
    text = GOOD.split("steps:\n")[0] + "steps: []\n"
    error = fail(text)
    assert error.line == line_of(text, "steps: []")
    assert "steps must be a non-empty list" in str(error)


def test_bad_name() -> None:
    error = fail(GOOD.replace("name: my-book", "name: My Book"))
    assert error.line == 1
    assert "name 'My Book'" in str(error)


def test_unknown_channel() -> None:
    text = GOOD.replace("channel: mail", "channel: fax")
    error = fail(text)
    assert error.line == line_of(text, "channel: fax")
    assert "step 2: channel 'fax' is not one of call, mail, email, sms, task" in str(error)


def test_missing_channel() -> None:
    text = GOOD.replace("    channel: mail\n", "")
    error = fail(text)
    assert error.line == line_of(text, "- id: card")
    assert "step 2: the field 'channel' is missing" in str(error)


def test_unknown_field_in_a_step() -> None:
    text = GOOD.replace("    wait: 1-2 days\n", "    wiat: 1-2 days\n")
    error = fail(text)
    assert error.line == line_of(text, "wiat")
    assert "step 2: unknown field 'wiat'" in str(error)
    assert "wait" in str(error)  # the known fields are listed


def test_unknown_field_at_the_top() -> None:
    text = GOOD.replace("title: My book", "titel: My book")
    error = fail(text)
    assert error.line == line_of(text, "titel")
    assert "playbook: unknown field 'titel'" in str(error)


def test_unknown_field_in_finish_and_limits() -> None:
    text = GOOD.replace("  recontact-after: 30 days", "  recontact-afterwards: 30 days")
    error = fail(text)
    assert error.line == line_of(text, "recontact-afterwards")
    assert "finish: unknown field 'recontact-afterwards'" in str(error)
    text = GOOD + "limits:\n  max-calls: 4\n  within-days: 14\n"
    error = fail(text)
    assert error.line == line_of(text, "within-days")
    assert "limits: unknown field 'within-days'" in str(error)


def test_goto_an_unknown_step() -> None:
    text = GOOD.replace("{goto: card}", "{goto: nowhere}")
    error = fail(text)
    assert "step 3: on wrong-number: goto 'nowhere' names no step" in str(error)
    # The line points into step 3, at or before the goto.
    assert error.line is not None
    assert line_of(text, "- id: again") <= error.line <= line_of(text, "nowhere")


def test_branch_on_an_outcome_the_channel_cannot_have() -> None:
    text = GOOD.replace("    template: note\n", "    template: note\n    on:\n      voicemail: end\n")
    error = fail(text)
    assert error.line == line_of(text, "voicemail: end")
    message = str(error)
    assert "step 2: a mail step cannot branch on 'voicemail'" in message
    assert "mailed" in message


def test_branch_on_connected_is_refused_because_it_always_engages() -> None:
    text = GOOD.replace("      voicemail: next\n", "      connected: next\n")
    error = fail(text)
    assert error.line == line_of(text, "connected: next")
    message = str(error)
    assert "step 3: a call step cannot branch on 'connected'" in message
    for outcome in sorted(STEP_OUTCOMES[Channel.CALL]):
        assert outcome.value in message


def test_branch_on_something_that_is_no_outcome() -> None:
    text = GOOD.replace("      voicemail: next\n", "      hung-up: next\n")
    error = fail(text)
    assert error.line == line_of(text, "hung-up")
    assert "step 3: on 'hung-up' is not an outcome" in str(error)


def test_branch_with_an_unknown_action() -> None:
    text = GOOD.replace("      voicemail: next\n", "      voicemail: give-up\n")
    error = fail(text)
    assert error.line == line_of(text, "give-up")
    assert "'give-up' is not an action" in str(error)


def test_a_name_not_under_templates_is_a_library_message_with_its_line() -> None:
    text = GOOD.replace("    template: note\n", "    template: thank-you\n")
    playbook = parse_playbook(text)
    assert playbook.library_refs == {"thank-you": line_of(text, "thank-you")}
    assert playbook.steps[1].templates == ("thank-you",)


def test_one_of_several_scripts_from_the_library() -> None:
    text = GOOD.replace("    script: hello\n", "    scripts: [hello, hello-b]\n", 1)
    assert parse_playbook(text).library_refs == {"hello-b": line_of(text, "hello-b")}


def test_a_name_that_can_be_no_message_is_refused_with_its_line() -> None:
    text = GOOD.replace("    template: note\n", "    template: Thank You\n")
    error = fail(text)
    assert error.line == line_of(text, "Thank You")
    assert "step 2: template 'Thank You' is neither defined under templates nor a message name" in str(error)


def test_jinja_syntax_error_in_a_block_template() -> None:
    text = GOOD.replace("Dear {{ contact.first_name }}, a", "Dear {{ contact.first_name }, a")
    error = fail(text)
    assert error.line == line_of(text, "Dear {{")
    assert "template 'note':" in str(error)


def test_jinja_syntax_error_on_a_later_line_of_a_template() -> None:
    text = GOOD.replace(
        "  note: |\n    Dear {{ contact.first_name }}, a note for you.\n",
        "  note: |\n    Dear friend,\n    a note for you.\n    {% if offer %}An offer!\n",
    )
    error = fail(text)
    # Jinja reports an unclosed block at the end of the template.
    assert error.line in (line_of(text, "{% if offer %}"), line_of(text, "{% if offer %}") + 1)
    assert "template 'note':" in str(error)


def test_jinja_syntax_error_in_an_inline_template() -> None:
    text = GOOD.replace("  note: |\n    Dear {{ contact.first_name }}, a note for you.\n", "")
    text = text.replace("templates:\n", 'templates:\n  short: "Hi {{ contact.first_name"\n')
    error = fail(text)
    assert "template 'short':" in str(error)
    assert error.line == line_of(text, "short:")


@pytest.mark.parametrize("version", ["two", "0", "-1", "1.5", "true"])
def test_bad_version(version: str) -> None:
    text = GOOD.replace("version: 2", f"version: {version}")
    error = fail(text)
    assert error.line == line_of(text, "version:")
    assert "version" in str(error) and "must be a whole number from 1" in str(error)


def test_version_defaults_to_one() -> None:
    assert parse_playbook(GOOD.replace("version: 2\n", "")).version == 1


def test_bad_finish() -> None:
    text = GOOD.replace("finish:\n  recontact-after: 30 days\n", "finish: later\n")
    error = fail(text)
    assert error.line == line_of(text, "finish: later")
    assert "finish must be 'stop' or 'recontact-after: N days'" in str(error)
    text = GOOD.replace("recontact-after: 30 days", "recontact-after: soon")
    error = fail(text)
    assert error.line == line_of(text, "soon")
    assert "is not a number of days" in str(error)


def test_bad_part_of_day() -> None:
    text = GOOD.replace("    script: hello\n", "    script: hello\n    at: [morning, night]\n", 1)
    error = fail(text)
    assert error.line == line_of(text, "night")
    assert "step 1: at must list morning, afternoon and/or evening" in str(error)


def test_duplicate_step_ids() -> None:
    text = GOOD.replace("- id: again", "- id: first")
    error = fail(text)
    assert "step id 'first' is used twice" in str(error)
    assert error.line in [n for n, line in enumerate(text.splitlines(), 1) if "- id: first" in line]


def test_bad_max_calls() -> None:
    text = GOOD + "limits:\n  max-calls: 0\n"
    error = fail(text)
    assert error.line == line_of(text, "max-calls")
    assert "max-calls 0 must be a whole number from 1" in str(error)


def test_error_without_a_line_still_names_the_source() -> None:
    error = PlaybookError("something", source="x.yaml")
    assert str(error) == "x.yaml: something"
    assert error.detail == "something"


@pytest.mark.parametrize("field", ["max-calls: true", "within: yes", "min-gap: no"])
def test_limits_reject_yes_and_no(field: str) -> None:
    text = GOOD + f"limits:\n  {field}\n"
    error = fail(text)
    assert error.line == line_of(text, field)


# --------------------------------------------------------------------------- every field, word for word


def refused(text: str) -> tuple[int | None, str]:
    """The line and the whole message of the refusal of ``text`` (read as mine.yaml)."""
    error = fail(text)
    return error.line, str(error)


def test_text_that_is_no_yaml_character_or_no_unicode_is_refused() -> None:
    text = GOOD.replace("title: My book", "title: My\x07book")
    assert refused(text) == (2, "mine.yaml, line 2: not valid YAML: the character #x0007 is not allowed")
    text = GOOD.replace("title: My book", "title: My \ud800 book")
    assert refused(text) == (None, "mine.yaml: not valid YAML: the text is not valid Unicode")


def test_optional_top_fields_are_read_and_default() -> None:
    playbook = parse_playbook(GOOD.replace("title: My book\n", ""))
    assert (playbook.title, playbook.description, playbook.rules) == ("My book", "", ())
    playbook = parse_playbook(GOOD + "description: |\n  Calls, then a card.\nrules: no-sundays\n")
    assert (playbook.description, playbook.rules) == ("Calls, then a card.", ("no-sundays",))
    playbook = parse_playbook(GOOD + "rules: [no-sundays, mornings]\nlimits:\n  max-calls: 3\n")
    assert playbook.rules == ("no-sundays", "mornings")
    assert (playbook.limits.max_calls, playbook.limits.within_days, playbook.limits.min_gap_days) == (
        3,
        None,
        None,
    )
    playbook = parse_playbook(
        GOOD.replace("  recontact-after: 30 days\n", "  recontact-after: 30 days\n  playbook: other\n")
    )
    assert (playbook.finish.recontact_after_days, playbook.finish.recontact_playbook) == (30, "other")
    playbook = parse_playbook(GOOD.replace("finish:\n  recontact-after: 30 days\n", "finish: stop\n"))
    assert playbook.finish.recontact_after_days is None


def test_templates_are_read_with_the_line_their_text_starts_on() -> None:
    text = GOOD.replace("templates:\n", 'templates:\n  short: "Hi {{ contact.first_name }}"\n')
    playbook = parse_playbook(text)
    assert playbook.templates["short"] == "Hi {{ contact.first_name }}"
    assert playbook.template_lines == {
        "short": line_of(text, "short:"),
        "hello": line_of(text, "Hi {{ contact.first_name }}, it's"),
        "note": line_of(text, "Dear {{"),
    }
    assert parse_playbook(GOOD.split("templates:\n")[0] + "steps:\n  - channel: task\n").templates == {}


@pytest.mark.parametrize(
    ("old", "new", "at", "message"),
    [
        (
            GOOD[GOOD.index("templates:\n") : GOOD.index("steps:\n")],
            "templates: [hello]\n",
            "templates: [hello]",
            "templates must be a mapping of keys to values",
        ),
        ("  note: |\n", "  note: [a, b]\n  x: |\n", "note: [a, b]", "template 'note' must be text"),
        (
            GOOD[GOOD.index("steps:\n") : GOOD.index("finish:\n")],
            "steps: first\n",
            "steps: first",
            "steps must be a non-empty list",
        ),
        (
            "  - id: card\n",
            "  - [card]\n  - id: card\n",
            "- [card]",
            "step 2 must be a mapping of keys to values",
        ),
        ("    channel: mail\n", "    channel: [mail]\n", "[mail]", "step 2: channel must be text"),
        (
            "    wait: 1-2 days\n",
            "    wait: 4000 days\n",
            "4000 days",
            "step 2: wait '4000 days' is longer than 3650 days (ten years)",
        ),
        (
            "    wait: 1-2 days\n",
            "    wait: 2-1 days\n",
            "2-1 days",
            "step 2: wait '2-1 days' is not a duration range (e.g. '3-4 days')",
        ),
        (
            "    template: note\n",
            "    template: note\n    at: night\n",
            "at: night",
            "step 2: at must list morning, afternoon and/or evening",
        ),
        (
            "    template: note\n",
            "    template: note\n    on: next\n",
            "on: next",
            "step 2: on must be a mapping of keys to values",
        ),
        (
            "    template: note\n",
            "    template: note\n    anchor: christmas\n",
            "christmas",
            "step 2: anchor 'christmas' is not 'birthday'",
        ),
        (
            "    template: note\n",
            "    template: note\n    skip-beyond: soon\n",
            "soon",
            "step 2: skip-beyond 'soon' is not a number of days (e.g. '90 days')",
        ),
        (
            "    template: note\n",
            "    template: note\n    offer-expires: -1\n",
            "-1",
            "step 2: offer-expires '-1' is not a number of days (e.g. '90 days')",
        ),
        (
            "    template: note\n",
            "    template: note\n    purpose: [a]\n",
            "purpose: [a]",
            "step 2: purpose must be text",
        ),
        (
            "      voicemail: next\n",
            "      voicemail: {goto: card, switch: x}\n",
            "voicemail:",
            "step 3: on voicemail: give one action (goto, switch)",
        ),
        (
            "      voicemail: next\n",
            "      voicemail: {jump: card}\n",
            "voicemail:",
            "step 3: on voicemail: 'jump' is not an action (next, retry, end, goto, switch)",
        ),
        (
            "      voicemail: next\n",
            "      voicemail: give-up\n",
            "give-up",
            "step 3: on voicemail: 'give-up' is not an action (next, retry, end, goto: STEP, switch: PLAYBOOK)",
        ),
        (
            "  recontact-after: 30 days\n",
            "  playbook: other\n",
            "finish:",
            "finish: the field 'recontact-after' is missing",
        ),
        (
            "finish:\n  recontact-after: 30 days\n",
            "limits: [3]\n",
            "limits:",
            "limits must be a mapping of keys to values",
        ),
    ],
)
def test_each_refusal_names_its_line_and_says_what_is_wrong(
    old: str, new: str, at: str, message: str
) -> None:
    text = GOOD.replace(old, new, 1)
    line = line_of(text, at)
    assert refused(text) == (line, f"mine.yaml, line {line}: {message}")


def test_a_step_has_defaults_for_what_it_does_not_say() -> None:
    text = GOOD.replace(
        "  - id: first\n    channel: call\n    wait: 0 days\n    script: hello\n", "  - channel: task\n"
    )
    step = parse_playbook(text).steps[0]
    assert (step.id, step.channel, step.wait, step.templates, step.on) == (
        "step-1",
        Channel.TASK,
        Wait(0, 0),
        (),
        {},
    )
    assert (step.anchor, step.skip_beyond_days, step.offer_days, step.purpose) == (None, None, None, "")
    assert step.line == line_of(text, "- channel: task")


def test_a_step_reads_every_field() -> None:
    text = GOOD.replace(
        "    template: note\n",
        "    templates: [note]\n    script: hello\n    at: [evening, morning]\n    anchor: birthday\n"
        "    skip-beyond: 10 days\n    offer-expires: 14\n    purpose: A card\n    on:\n      mailed: {switch: other}\n",
    )
    step = parse_playbook(text).steps[1]
    assert step.templates == ("hello", "note")
    assert step.parts == (PartOfDay.EVENING, PartOfDay.MORNING)
    assert (step.anchor, step.skip_beyond_days, step.offer_days, step.purpose) == (
        Anchor.BIRTHDAY,
        10,
        14,
        "A card",
    )
    assert step.on == {Outcome.MAILED: Branch(Action.SWITCH, "other")}
    assert parse_playbook(text.replace("[evening, morning]", "afternoon")).steps[1].parts == (
        PartOfDay.AFTERNOON,
    )
    assert parse_playbook(text.replace("    script: hello\n", "    scripts: hello\n")).steps[1].templates == (
        "hello",
        "note",
    )
