"""The simulated world: how likely people are to answer, listen, read and call back, who they
are, and the seller's time.

A world is read from YAML (:func:`world_load`) over the defaults of :mod:`.defaults`, each of
which says where its figure comes from. Reading is strict: an unknown field, a probability
outside 0..1, a negative count or a value of the wrong type is a :class:`WorldError` naming the
file and the field (``world.yaml: answer.by_part.evening: 1.4 is not a probability between 0
and 1``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import yaml

import ringback.core.simulation.schema as s
from ringback.core.agenda import Costs
from ringback.core.errors import WorldError
from ringback.core.playbook import ALL_PARTS, PartOfDay
from ringback.core.scheduling import CallingHours, Cell
from ringback.core.simulation.defaults import DEFAULT_WORLD_YAML


class Warmth(StrEnum):
    """How well a person knows the seller (R12)."""

    STRANGER = "stranger"
    MET_ONCE = "met-once"
    ACQUAINTED = "acquainted"
    CUSTOMER = "customer"


WARMTHS: tuple[Warmth, ...] = tuple(Warmth)
WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: No pick-up chance is above this, whatever the multipliers say.
MAX_ANSWER = 0.95
#: The longest world file read.
MAX_WORLD_CHARS = 100_000
MAX_PROSPECTS = 1_000_000


@dataclass(frozen=True, slots=True)
class Answer:
    """Who picks up a call: a rate by part of the day, times multipliers."""

    by_part: Mapping[PartOfDay, float]
    by_weekday: tuple[float, ...]
    by_warmth: Mapping[Warmth, float]
    by_attempt: tuple[float, ...]
    best_hours: Mapping[Cell, float]
    spread: float
    busy: float

    def cell_rate(self, weekday: int, part: PartOfDay) -> float:
        """The pick-up rate of a stranger's first call in a cell of the week (uncapped)."""
        return self.by_part[part] * self.by_weekday[weekday] * self.best_hours.get((weekday, part), 1.0)

    def attempt_factor(self, attempt: int) -> float:
        """The multiplier of the ``attempt``-th call (1 for the first)."""
        if not self.by_attempt:
            return 1.0
        return self.by_attempt[min(max(attempt, 1), len(self.by_attempt)) - 1]


@dataclass(frozen=True, slots=True)
class Voicemail:
    box: float
    callback: float


@dataclass(frozen=True, slots=True)
class Card:
    read: float
    response: float
    warms: float
    warm_days: int
    delivery_min_days: int
    delivery_max_days: int


@dataclass(frozen=True, slots=True)
class Email:
    reply: float
    auto_reply: float


@dataclass(frozen=True, slots=True)
class Text:
    reply: float


@dataclass(frozen=True, slots=True)
class Responses:
    by_warmth: Mapping[Warmth, float]
    mean_delay_days: float
    max_delay_days: int


@dataclass(frozen=True, slots=True)
class Conversation:
    appointment: float
    not_interested: float


@dataclass(frozen=True, slots=True)
class Population:
    """Who the prospects are: how many, how warm, what details they have, where they live."""

    prospects: int
    warmth: Mapping[Warmth, float]
    second_number: float
    postal_address: float
    email: float
    mobile: float
    birthday: float
    second_zone: float
    wrong_number: float
    zones: Mapping[str, float]


@dataclass(frozen=True, slots=True)
class Seller:
    """The seller's zone, days and time, as the account's settings give them."""

    zone: str
    start: date
    minutes_per_day: float
    calls_per_day: int
    working_days: frozenset[int]
    new_per_callback: float
    vacations: tuple[tuple[date, date], ...]
    calling_hours: CallingHours
    costs: Costs


@dataclass(frozen=True, slots=True)
class World:
    """Everything a simulation needs besides the policies: behaviour, people and seller."""

    answer: Answer
    voicemail: Voicemail
    card: Card
    email: Email
    text: Text
    responses: Responses
    conversation: Conversation
    #: A quality multiplier per message name for its response chance (1 when not named).
    messages: Mapping[str, float]
    population: Population
    seller: Seller

    def quality(self, message: str | None) -> float:
        """The response multiplier of a message (1 for one the world does not name)."""
        return self.messages.get(message, 1.0) if message else 1.0


def _keys(names: tuple[str, ...], value: s.Reader) -> s.Section:
    return s.Section({name: value for name in names})


_PARTS = tuple(p.value for p in ALL_PARTS)
_WARMTH_NAMES = tuple(w.value for w in WARMTHS)
_VACATION = s.Section({"first": s.day, "last": s.day})
_SCHEMA = s.Section(
    {
        "answer": s.Section(
            {
                "by_part": _keys(_PARTS, s.probability),
                "by_weekday": _keys(WEEKDAY_NAMES, s.multiplier),
                "by_warmth": _keys(_WARMTH_NAMES, s.multiplier),
                "by_attempt": s.list_of(s.multiplier, most=100),
                "best_hours": s.Table(s.one_of(WEEKDAY_NAMES), s.Table(s.one_of(_PARTS), s.multiplier)),
                "spread": s.multiplier,
                "busy": s.probability,
            }
        ),
        "voicemail": s.Section({"box": s.probability, "callback": s.probability}),
        "card": s.Section(
            {
                "read": s.probability,
                "response": s.probability,
                "warms": s.multiplier,
                "warm_days": s.counted(0, 3650),
                "delivery_min_days": s.counted(0, 60),
                "delivery_max_days": s.counted(0, 60),
            }
        ),
        "email": s.Section({"reply": s.probability, "auto_reply": s.probability}),
        "text": s.Section({"reply": s.probability}),
        "responses": s.Section(
            {
                "by_warmth": _keys(_WARMTH_NAMES, s.multiplier),
                "mean_delay_days": s.positive,
                "max_delay_days": s.counted(0, 365),
            }
        ),
        "conversation": s.Section({"appointment": s.probability, "not_interested": s.probability}),
        "messages": s.Table(s.text, s.multiplier),
        "population": s.Section(
            {
                "prospects": s.counted(1, MAX_PROSPECTS),
                "warmth": s.Table(s.one_of(_WARMTH_NAMES), s.probability),
                "second_number": s.probability,
                "postal_address": s.probability,
                "email": s.probability,
                "mobile": s.probability,
                "birthday": s.probability,
                "second_zone": s.probability,
                "wrong_number": s.probability,
                "zones": s.Table(s.time_zone, s.probability),
            }
        ),
        "seller": s.Section(
            {
                "zone": s.time_zone,
                "start": s.day,
                "minutes_per_day": s.positive,
                "calls_per_day": s.counted(0, 10_000),
                "working_days": s.list_of(s.one_of(WEEKDAY_NAMES), least=1, most=7),
                "new_per_callback": s.multiplier,
                "vacations": s.list_of(s.record(_VACATION), most=100),
                "calling_hours": s.Section({"start": s.counted(0, 23), "end": s.counted(1, 24)}),
                "costs": _keys(("call", "conversation", "card", "email", "text", "task"), s.positive),
            }
        ),
    }
)


def _check_shape(text: str, source: str) -> None:
    """Refuse anchors and aliases (they can expand without end) before the YAML is built."""
    try:
        for event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                line = event.start_mark.line + 1 if event.start_mark is not None else "?"
                raise WorldError(f"{source}, line {line}: YAML anchors and aliases are not allowed")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise WorldError(f"{source}{where}: not valid YAML: {problem}") from None


def _tree(text: str, source: str) -> Any:
    if len(text) > MAX_WORLD_CHARS:
        raise WorldError(f"{source}: the world file is longer than {MAX_WORLD_CHARS:,} characters")
    _check_shape(text, source)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:  # pragma: no cover - _check_shape reads the same text first
        raise WorldError(f"{source}: not valid YAML: {exc}") from None


@lru_cache(maxsize=1)
def _default_tree() -> Mapping[str, Any]:
    tree = yaml.safe_load(DEFAULT_WORLD_YAML)
    assert isinstance(tree, dict)
    return MappingProxyType(s.read(_SCHEMA, {}, tree, ""))


def world_load(text: str, *, source: str) -> World:
    """The world ``text`` (YAML) describes over the defaults, every field checked; raises
    :class:`WorldError` naming ``source`` and the field's path for anything it can't use."""
    given = _tree(text, source)
    if given is None:
        given = {}
    try:
        values = s.read(_SCHEMA, dict(_default_tree()), given, "")
        return _build(values)
    except s.Bad as exc:
        where = f"{source}: {exc.path}: " if exc.path else f"{source}: "
        raise WorldError(where + exc.message, field=exc.path or None) from None


@lru_cache(maxsize=1)
def default_world() -> World:
    """The world of the defaults alone (see :mod:`ringback.core.simulation.defaults`)."""
    return world_load("", source="defaults")


def _build(v: Mapping[str, Any]) -> World:
    """The dataclasses of checked values; the checks that span fields raise :class:`schema.Bad`."""
    a, c, p, se = v["answer"], v["card"], v["population"], v["seller"]
    if c["delivery_max_days"] < c["delivery_min_days"]:
        raise s.Bad("is less than delivery_min_days", "card.delivery_max_days", absolute=True)
    if se["calling_hours"]["end"] <= se["calling_hours"]["start"]:
        raise s.Bad("is not after calling_hours.start", "seller.calling_hours.end", absolute=True)
    s.shares(p["warmth"], "population.warmth")
    s.shares(p["zones"], "population.zones")
    for index, away in enumerate(se["vacations"]):
        if away["last"] < away["first"]:
            raise s.Bad("ends before it starts", f"seller.vacations.{index}.last", absolute=True)
    conversation = v["conversation"]
    if conversation["appointment"] + conversation["not_interested"] > 1.0 + 1e-9:
        raise s.Bad("appointment and not_interested add up to more than 1", "conversation", absolute=True)
    hours = se["calling_hours"]
    costs = se["costs"]
    return World(
        answer=Answer(
            by_part=MappingProxyType({PartOfDay(k): x for k, x in a["by_part"].items()}),
            by_weekday=tuple(a["by_weekday"][name] for name in WEEKDAY_NAMES),
            by_warmth=MappingProxyType({Warmth(k): x for k, x in a["by_warmth"].items()}),
            by_attempt=tuple(a["by_attempt"]),
            best_hours=MappingProxyType(
                {
                    (WEEKDAY_NAMES.index(day), PartOfDay(part)): x
                    for day, parts in a["best_hours"].items()
                    for part, x in parts.items()
                }
            ),
            spread=a["spread"],
            busy=a["busy"],
        ),
        voicemail=Voicemail(**v["voicemail"]),
        card=Card(**c),
        email=Email(**v["email"]),
        text=Text(**v["text"]),
        responses=Responses(
            by_warmth=MappingProxyType({Warmth(k): x for k, x in v["responses"]["by_warmth"].items()}),
            mean_delay_days=v["responses"]["mean_delay_days"],
            max_delay_days=v["responses"]["max_delay_days"],
        ),
        conversation=Conversation(**conversation),
        messages=MappingProxyType(dict(v["messages"])),
        population=Population(
            **{k: x for k, x in p.items() if k not in ("warmth", "zones")},
            warmth=MappingProxyType({Warmth(k): x for k, x in p["warmth"].items()}),
            zones=MappingProxyType(dict(p["zones"])),
        ),
        seller=Seller(
            zone=se["zone"],
            start=se["start"],
            minutes_per_day=se["minutes_per_day"],
            calls_per_day=se["calls_per_day"],
            working_days=frozenset(WEEKDAY_NAMES.index(d) for d in se["working_days"]),
            new_per_callback=se["new_per_callback"],
            vacations=tuple((x["first"], x["last"]) for x in se["vacations"]),
            calling_hours=CallingHours(_hour(hours["start"]), _hour(hours["end"])),
            costs=Costs(**costs),
        ),
    )


def _hour(value: int) -> time:
    """A whole hour of the day; 24 is the end of the day."""
    return time(23, 59) if value == 24 else time(value)
