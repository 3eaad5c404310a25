"""Message linting (R1–R4) on the built-in playbooks and on a self-centred script."""

from __future__ import annotations

from ringback.core.lint import lint_playbook, spoken_seconds
from ringback.core.playbook import builtin_playbooks, builtin_text, parse_playbook


def test_builtin_scripts_follow_the_seeds():
    for name, playbook in builtin_playbooks().items():
        assert lint_playbook(playbook) == [], name


def test_a_self_centred_short_script_without_a_number_gets_advice():
    text = (
        builtin_text("four-calls-two-weeks")
        .replace(
            "I promised I'd get back to you about the idea we talked about",
            "I am calling to introduce myself",
        )
        .replace("{{ seller.phone }}", "555")
        .replace("If I don't hear from you, I'll try you\n    again on {{ next_call_day }}.", "")
    )
    advice = {(w.template, w.rule) for w in lint_playbook(parse_playbook(text))}
    assert {("commercial", "R3"), ("commercial", "R2"), ("commercial", "R1"), ("commercial", "R4")} <= advice
    assert ("yes-or-no", "R4") not in advice  # the last call need not announce another


def test_spoken_seconds_at_150_words_a_minute():
    assert spoken_seconds(50) == 20 and spoken_seconds(100) == 40


def test_yaml_aliases_are_refused_before_they_can_expand():
    import pytest

    from ringback.core.errors import PlaybookError

    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
    # Refused at the first anchor (line 1), as the web and `ringback playbooks add` always did.
    with pytest.raises(PlaybookError, match="line 1: YAML anchors and aliases"):
        parse_playbook(bomb, source="bomb.yaml")
