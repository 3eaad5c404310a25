"""Message linting (the checks of core/checks.py, R1–R4 and R8) on the built-in playbooks and on
scripts that break them, as each step sends its template."""

from __future__ import annotations

from ringback.core.checks import Severity
from ringback.core.lint import lint_playbook, spoken_seconds
from ringback.core.messages import KINDS_FOR_CHANNEL, builtin_library_texts, builtin_messages, with_library
from ringback.core.playbook import builtin_playbooks, builtin_text, parse_playbook


def test_builtin_scripts_follow_the_seeds():
    library = builtin_messages()
    for name, playbook in builtin_playbooks().items():
        assert playbook.templates == {}, f"{name}: the built-ins' words live in the library"
        for step in playbook.steps:
            for used in step.templates:
                assert library[used].kind in KINDS_FOR_CHANNEL[step.channel.value], (name, step.id, used)
        assert lint_playbook(with_library(playbook, builtin_library_texts())) == [], name


def _inline(text: str) -> str:
    """The four-calls playbook with its commercial written under ``templates`` as ``text``."""
    body = "\n".join(f"    {line}" for line in text.strip().splitlines())
    return (
        builtin_text("four-calls-two-weeks")
        .replace("steps:\n", f"templates:\n  commercial: |\n{body}\nsteps:\n", 1)
        .replace("scripts: [something-you-will-like, made-me-think-of-you]", "script: commercial")
    )


def test_a_self_centred_short_script_without_a_number_gets_advice():
    text = _inline(
        builtin_messages()["something-you-will-like"]
        .body.replace(
            "I promised I'd get back to you about the idea we talked about",
            "I am calling to introduce myself",
        )
        .replace("{{ seller.phone }}", "555")
        .replace("If I don't hear from you, I'll try you again on {{ next_call_day }}.", "")
        .replace(" Thanks so much, {{ contact.first_name }}!", "")
    )
    warnings = lint_playbook(with_library(parse_playbook(text), builtin_library_texts()))
    advice = {(w.template, w.rule) for w in warnings}
    assert {("commercial", "R3"), ("commercial", "R2"), ("commercial", "R1"), ("commercial", "R4")} <= advice
    assert ("yes-or-no", "R4") not in advice  # the last call need not announce another
    shown = [str(w) for w in warnings if w.template == "commercial"]
    assert (
        "commercial: Say when you will call again, for example “I'll try you again on Thursday” (R4)" in shown
    )
    # Too short a voicemail is a warning; the rest of R2, R3 and R4 fail.
    assert all(
        w.severity is (Severity.ADVICE if w.code == "too_short" else Severity.FAIL)
        for w in warnings
        if w.rule in ("R2", "R3", "R4")
    )


def test_spoken_seconds_at_150_words_a_minute():
    assert spoken_seconds(50) == 20 and spoken_seconds(100) == 40


def test_yaml_aliases_are_refused_before_they_can_expand():
    import pytest

    from ringback.core.errors import PlaybookError

    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
    # Refused at the first anchor (line 1), as the web and `ringback playbooks add` always did.
    with pytest.raises(PlaybookError, match="line 1: YAML anchors and aliases"):
        parse_playbook(bomb, source="bomb.yaml")


BOOK = """name: mine
templates:
  first: |
    Hi {{ contact.first_name }}, it's {{ seller.first_name }} with {{ seller.business }}. I have an
    idea that could save you an hour a week, and I'd love to share it with you; it only takes five
    minutes. You can reach me at {{ seller.phone }}, and if we miss each other I'll try you again
    on {{ next_call_day }}. Thanks so much!
  last: |
    Hi {{ contact.first_name }}, it's {{ seller.first_name }} with {{ seller.business }}. I don't
    want to be a pest, so this is my last call for now. I have an idea that could save you an hour
    a week. If you'd like to hear it, call me at {{ seller.phone }}. Thank you, and all the best!
  note: |
    Dear {{ contact.first_name }}, I'm just checking in. Warmly, {{ seller.first_name }}
  birthday: |
    Happy birthday, {{ contact.first_name }}! {{ seller.first_name }}
  tip: |
    Hi {{ contact.first_name }}, here is the tip you asked about. {{ seller.first_name }}
  text: |
    Hi {{ contact.first_name }}, your catalogue is ready!
  todo: |
    Just checking in on the order for {{ contact.first_name }}.
steps:
  - {id: call-1, channel: call, wait: 0 days, script: first}
  - {id: card, channel: mail, wait: 1 days, template: note}
  - {id: greet, channel: mail, anchor: birthday, template: birthday}
  - {id: tip, channel: email, wait: 2 days, template: tip}
  - {id: text, channel: sms, wait: 1 days, template: text}
  - {id: todo, channel: task, wait: 1 days, template: todo}
  - {id: call-2, channel: call, wait: 3 days, script: last}
finish: stop
"""


def test_each_template_is_checked_as_its_step_sends_it():
    warnings = {(w.template, w.code): w for w in lint_playbook(parse_playbook(BOOK))}
    # The last call of a playbook that ends there is a last message: a yes or no, no call-again.
    assert ("last", "no_yes_or_no") in warnings and ("last", "no_call_again") not in warnings
    assert warnings["last", "no_yes_or_no"].rule == "R8"
    assert not [code for template, code in warnings if template == "first"]
    # A card: R3 and advice to add the number; a birthday card is a greeting and needs none (R11).
    assert warnings["note", "self_centred_phrase"].severity is Severity.FAIL
    assert warnings["note", "no_number"].severity is Severity.ADVICE
    assert not [code for template, code in warnings if template == "birthday"]
    # A playbook's email is a body: its subject and footer are not written in it.
    assert not [code for template, code in warnings if template == "tip"]
    # A text says who writes and how to stop (TCPA); a task's text is for the seller.
    assert {code for template, code in warnings if template == "text"} == {"no_sender", "no_stop"}
    assert str(warnings["text", "no_stop"]) == (
        "text: Tell them how to stop your texts, for example “Reply STOP to opt out” (TCPA)"
    )
    assert not [code for template, code in warnings if template == "todo"]


def test_a_playbook_that_hands_over_to_another_has_not_left_its_last_message():
    handed_over = BOOK.replace(
        "finish: stop", "finish:\n  recontact-after: 30 days\n  playbook: stay-in-touch"
    )
    codes = {(w.template, w.code) for w in lint_playbook(parse_playbook(handed_over))}
    assert ("last", "no_yes_or_no") not in codes and ("last", "no_call_again") in codes
