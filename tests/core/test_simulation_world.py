"""The what-if world: its defaults, a user's overrides, and every refusal naming the file and the
field (an unknown field, a probability of 1.4, a negative count, a value of the wrong type)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringback.core.errors import WorldError
from ringback.core.playbook import PartOfDay
from ringback.core.simulation import default_world, population, world_load
from ringback.core.simulation.defaults import DEFAULT_WORLD_YAML
from ringback.core.simulation.world import Warmth


def refused(text: str) -> WorldError:
    with pytest.raises(WorldError) as caught:
        world_load(text, source="world.yaml")
    return caught.value


def test_the_defaults_are_the_documented_figures() -> None:
    world = default_world()
    assert world.answer.by_part[PartOfDay.EVENING] == 0.12
    assert world.voicemail.callback == 0.03
    assert world.answer.by_weekday[3] == max(world.answer.by_weekday)  # Thursday is best
    assert world.seller.minutes_per_day == 60 and world.seller.calls_per_day == 25
    assert world.seller.working_days == frozenset(range(5))
    assert world.population.prospects == 1000
    assert world.quality("any-script") == 1.0


def test_every_default_figure_says_where_it_comes_from() -> None:
    """Each behaviour figure has a comment above it naming a source or calling it an assumption,
    and how weak it is."""
    behaviour = DEFAULT_WORLD_YAML.split("\npopulation:")[0]
    blocks = re.split(r"\n(?=[a-z_]+:\n)", behaviour)
    for block in blocks[1:]:
        comments = " ".join(line for line in block.splitlines() if line.strip().startswith("#"))
        assert "weak" in comments or "fair" in comments, block.splitlines()[0]


def test_an_override_changes_that_number_and_keeps_the_others() -> None:
    world = world_load("answer:\n  by_part:\n    evening: 0.2\n", source="world.yaml")
    assert world.answer.by_part[PartOfDay.EVENING] == 0.2
    assert world.answer.by_part[PartOfDay.MORNING] == default_world().answer.by_part[PartOfDay.MORNING]
    assert world.voicemail == default_world().voicemail


def test_an_empty_file_is_the_defaults() -> None:
    assert world_load("", source="world.yaml") == default_world()
    assert world_load("# nothing\n", source="world.yaml") == default_world()


def test_a_probability_of_1_4_is_refused_naming_the_file_and_the_field() -> None:
    error = refused("answer:\n  by_part:\n    evening: 1.4\n")
    assert str(error) == "world.yaml: answer.by_part.evening: 1.4 is not a probability between 0 and 1"
    assert error.field == "answer.by_part.evening"
    assert error.code == "invalid_world"


def test_an_unknown_field_is_refused_with_the_known_ones() -> None:
    error = refused("answer:\n  colour: red\n")
    assert str(error).startswith("world.yaml: answer.colour: unknown field (known: best_hours, busy,")
    assert refused("weather: sunny\n").field == "weather"


def test_a_negative_count_is_refused() -> None:
    error = refused("card:\n  warm_days: -3\n")
    assert str(error) == "world.yaml: card.warm_days: -3 is negative: a count is a whole number from 0"


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("answer:\n  busy: often\n", "answer.busy", "'often' is not a number"),
        ("answer:\n  busy: true\n", "answer.busy", "True is not a number"),
        ("population:\n  prospects: 2.5\n", "population.prospects", "2.5 is not a whole number"),
        ("population:\n  prospects: 0\n", "population.prospects", "0 is less than 1"),
        ("answer: 5\n", "answer", "5 is not a mapping of fields"),
        ("answer:\n  by_attempt: 1\n", "answer.by_attempt", "1 is not a list"),
        ("answer:\n  by_attempt: [1, -1]\n", "answer.by_attempt.1", "-1 is not a multiplier"),
        (
            "answer:\n  best_hours: {funday: {evening: 2}}\n",
            "answer.best_hours.funday",
            "is not one of monday",
        ),
        ("answer:\n  best_hours: {monday: {night: 2}}\n", "answer.best_hours.monday.night", "is not one of"),
        ("seller:\n  zone: Mars/Olympus\n", "seller.zone", "unknown time zone 'Mars/Olympus'"),
        ("seller:\n  start: soon\n", "seller.start", "is not a date"),
        ("seller:\n  working_days: []\n", "seller.working_days", "a list of 0 items"),
        (
            "seller:\n  vacations: [{first: 2026-02-10}]\n",
            "seller.vacations.0",
            "the field 'last' is missing",
        ),
        (
            "seller:\n  vacations: [{first: 2026-02-10, last: 2026-02-01}]\n",
            "seller.vacations.0.last",
            "ends before it starts",
        ),
        ("seller:\n  calling_hours: {start: 21, end: 8}\n", "seller.calling_hours.end", "is not after"),
        ("seller:\n  costs: {call: 0}\n", "seller.costs.call", "0 is not a number above 0"),
        ("population:\n  warmth: {stranger: 0.5}\n", "population.warmth", "the shares add up to 0.5, not 1"),
        (
            "population:\n  zones: {Europe/Paris: 1.2}\n",
            "population.zones.Europe/Paris",
            "1.2 is not a probability",
        ),
        ("conversation: {appointment: 0.7, not_interested: 0.6}\n", "conversation", "add up to more than 1"),
        ("messages: {vm-a: -2}\n", "messages.vm-a", "-2 is not a multiplier"),
    ],
)
def test_each_refusal_names_its_field(text: str, field: str, words: str) -> None:
    error = refused(text)
    assert error.field == field
    assert str(error).startswith(f"world.yaml: {field}: ")
    assert words in str(error)


def test_yaml_that_is_no_yaml_or_uses_aliases_is_refused_with_its_line() -> None:
    assert str(refused("answer: [1\n")).startswith("world.yaml, line 2: not valid YAML")
    assert "anchors and aliases" in str(refused("a: &x 1\nb: *x\n"))
    assert "longer than" in str(refused("#" * 200_000))


def test_a_table_is_given_whole() -> None:
    world = world_load(
        "messages: {vm-a: 0.5, vm-c: 1.75}\npopulation:\n  zones: {Europe/Paris: 1.0}\n", source="w"
    )
    assert world.quality("vm-a") == 0.5 and world.quality("vm-c") == 1.75 and world.quality("vm-b") == 1.0
    assert dict(world.population.zones) == {"Europe/Paris": 1.0}


def test_known_best_hours_and_vacations_are_read() -> None:
    world = world_load(
        "answer:\n  best_hours: {wednesday: {evening: 2.5}}\n"
        "seller:\n  vacations: [{first: 2026-02-16, last: 2026-02-20}]\n",
        source="w",
    )
    assert world.answer.best_hours == {(2, PartOfDay.EVENING): 2.5}
    assert world.answer.cell_rate(2, PartOfDay.EVENING) == pytest.approx(0.12 * 1.1 * 2.5)
    assert world.seller.vacations == ((date(2026, 2, 16), date(2026, 2, 20)),)


PROBABILITY_FIELDS = [
    "answer.by_part.morning",
    "answer.busy",
    "voicemail.box",
    "voicemail.callback",
    "card.read",
    "card.response",
    "email.reply",
    "email.auto_reply",
    "text.reply",
    "population.second_number",
    "population.wrong_number",
]


def nested(path: str, value: object) -> str:
    parts = path.split(".")
    lines = [f"{'  ' * i}{name}:" for i, name in enumerate(parts[:-1])]
    lines.append(f"{'  ' * (len(parts) - 1)}{parts[-1]}: {value!r}")
    return "\n".join(lines) + "\n"


@settings(max_examples=120, deadline=None)
@given(
    field=st.sampled_from(PROBABILITY_FIELDS),
    value=st.floats(min_value=-10, max_value=10, allow_nan=False),
)
def test_every_probability_is_checked_and_kept(field: str, value: float) -> None:
    text = nested(field, value)
    if 0 <= value <= 1:
        world = world_load(text, source="world.yaml")
        found = world.answer.by_part[PartOfDay.MORNING] if field == "answer.by_part.morning" else None
        if found is None:
            section, name = field.split(".")
            found = getattr(getattr(world, section), name)
        assert found == value
    else:
        error = refused(text)
        assert error.field == field
        assert "is not a probability between 0 and 1" in str(error)


def test_the_population_follows_the_world_and_the_seed() -> None:
    world = world_load(
        "population:\n  prospects: 2000\n  warmth: {stranger: 0.5, customer: 0.5}\n  second_number: 1.0\n",
        source="w",
    )
    people = population(world, seed=4)
    assert len(people) == 2000
    assert population(world, seed=4) == people
    assert population(world, seed=5) != people
    assert {p.warmth for p in people} == {Warmth.STRANGER, Warmth.CUSTOMER}
    strangers = sum(p.warmth is Warmth.STRANGER for p in people)
    assert 850 < strangers < 1150
    assert all(len(p.numbers) == 2 for p in people)
    assert 0.7 < sum(p.reach for p in people) / len(people) < 1.3
