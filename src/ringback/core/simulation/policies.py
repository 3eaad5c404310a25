"""The ways of working a simulation compares: the product's day plan, the naive seller, and one
playbook for everybody; each with how it learns which message and which hours work.

A policy is a name, a description and how it runs. Any playbook the simulator knows (the
built-ins, the simulator's own under ``playbooks/``, or the user's) is a policy too: everybody
runs it, with the product's day planner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from types import MappingProxyType

from ringback.core.errors import UnknownPlaybook
from ringback.core.playbook import Playbook, builtin_playbooks, parse_playbook

#: The simulator's own playbooks, in ``ringback/core/simulation/playbooks/``.
SIM_PLAYBOOKS = ("six-attempts", "call-call", "ab-voicemail")


class Kind(StrEnum):
    #: Playbooks run by the engine, each day planned by ``core.agenda.plan_day`` (the product).
    ENGINE = "engine"
    #: The same names called every working day until each is reached, no playbook (R10's
    #: anti-pattern).
    NAIVE = "naive"


class Variants(StrEnum):
    """How a step with several messages picks one."""

    #: Thompson sampling on the results so far (the product).
    LEARN = "learn"
    #: An even split, whatever the results (``split: even``).
    EVEN = "even"
    #: Always the message the world makes best (an experiment's yardstick).
    ORACLE = "oracle"


class Times(StrEnum):
    """What the engine knows of when people answer (``Context.call_times``)."""

    #: Learnt from the calls so far, as the product does.
    LEARN = "learn"
    #: Nothing: calls rotate only (R6).
    NONE = "none"
    #: The world's true pick-up rates by weekday and part of the day.
    ORACLE = "oracle"


@dataclass(frozen=True, slots=True)
class Learning:
    """How a policy learns; the defaults are the product's settings."""

    variants: Variants = Variants.LEARN
    times: Times = Times.LEARN
    #: The share of the picks each message keeps until it is clearly worse (VARIANT_MIN_SHARE).
    floor: float = 0.05
    #: A response is credited to a message left at most this many days before (ATTRIBUTION_DAYS).
    window_days: int = 7
    #: Results lose half their weight every this many days (RESULTS_HALF_LIFE_DAYS).
    half_life_days: float | None = 90.0
    #: How many results the prior of a step's messages is worth; None: ``core.learning``'s own.
    prior_strength: float | None = None
    #: Whether a connected call counts as a success of the last message for the A/B picks (the
    #: product's report credits it, but its picks learn only from call backs and replies).
    credit_connects: bool = False
    #: Whether results of a message are pooled over the steps of the playbook that use it (the
    #: product pools them).
    pool_steps: bool = True
    #: The most the account's cells of call times are shrunk toward their pooled rate, in calls;
    #: None: ``core.learning.call_times`` as it is (200). An experiment's knob.
    times_prior_strength: float | None = None


@dataclass(frozen=True, slots=True)
class Policy:
    """A way of working: ``playbook`` for everybody, or by warmth when None (the product)."""

    name: str
    description: str
    kind: Kind = Kind.ENGINE
    playbook: str | None = None
    learning: Learning = field(default_factory=Learning)
    #: How many names the naive seller works at a time.
    names: int = 20


POLICIES: Mapping[str, Policy] = MappingProxyType(
    {
        "day-plan": Policy(
            "day-plan",
            "The product: each person's playbook by warmth (stranger-series, call-mail-call, "
            "four-calls-two-weeks, customer-care), the day planned for the seller's time with new "
            "prospects mixed among follow-ups, messages and hours learnt from results.",
        ),
        "same-20-names": Policy(
            "same-20-names",
            "The naive seller: the same 20 names called every working day until each is reached, "
            "then the next name; no playbook (R10's anti-pattern).",
            kind=Kind.NAIVE,
        ),
    }
)


@lru_cache(maxsize=1)
def _known_playbooks() -> Mapping[str, Playbook]:
    found = dict(builtin_playbooks())
    folder = resources.files("ringback.core.simulation").joinpath("playbooks")
    for name in SIM_PLAYBOOKS:
        text = folder.joinpath(f"{name}.yaml").read_text("utf-8")
        found[name] = parse_playbook(text, source=f"{name}.yaml")
    return MappingProxyType(found)


def playbook_library(playbook_text: str | None = None) -> dict[str, Playbook]:
    """Every playbook a simulation may run: the built-ins, the simulator's own and, when given,
    the user's (parsed here: its errors are the parser's :class:`PlaybookError`)."""
    library = dict(_known_playbooks())
    if playbook_text is not None:
        own = parse_playbook(playbook_text, source="your playbook")
        library[own.name] = own
    return library


def policy_for(wanted: str | Policy, library: Mapping[str, Playbook]) -> Policy:
    """The policy named ``wanted`` (a policy of :data:`POLICIES` or a playbook of ``library``),
    or ``wanted`` itself; raises :class:`UnknownPlaybook` listing the names known."""
    if isinstance(wanted, Policy):
        if wanted.playbook is not None and wanted.playbook not in library:
            raise UnknownPlaybook(f"policy {wanted.name!r} runs an unknown playbook {wanted.playbook!r}")
        return wanted
    if wanted in POLICIES:
        return POLICIES[wanted]
    if wanted in library:
        playbook = library[wanted]
        return Policy(wanted, f"{playbook.title} for everybody: {playbook.description}", playbook=wanted)
    known = ", ".join([*POLICIES, *sorted(library)])
    raise UnknownPlaybook(f"unknown policy {wanted!r}; known: {known}")
