"""The simulated prospects: drawn once per seed, the same people for every policy compared."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from ringback.core.scheduling import Recipient
from ringback.core.simulation.world import Population, Warmth, World

#: The country whose public holidays a zone's people keep (None: no holidays known).
COUNTRY_OF_ZONE = {
    "America/New_York": "US",
    "America/Chicago": "US",
    "America/Denver": "US",
    "America/Phoenix": "US",
    "America/Los_Angeles": "US",
    "America/Anchorage": "US",
    "Pacific/Honolulu": "US",
    "America/Toronto": "CA",
    "America/Vancouver": "CA",
    "Europe/London": "GB",
    "Europe/Dublin": "IE",
    "Europe/Paris": "FR",
    "Europe/Berlin": "DE",
    "Europe/Madrid": "ES",
    "Europe/Rome": "IT",
    "Europe/Amsterdam": "NL",
    "Europe/Brussels": "BE",
    "Europe/Zurich": "CH",
}


@dataclass(frozen=True, slots=True)
class Person:
    """One prospect: how warm, where, what details the seller has, and how reachable."""

    id: int
    warmth: Warmth
    recipient: Recipient
    #: Each phone number, in the order the seller tries them: True when it is theirs.
    numbers: tuple[bool, ...]
    #: Whether their first number takes texts.
    mobile: bool
    voicemail_box: bool
    address: bool
    email: bool
    #: Their own multiplier of the pick-up chance (mean 1 over the population).
    reach: float


def _pick(rng: random.Random, names: Sequence[str], cumulative: Sequence[float]) -> str:
    return rng.choices(names, cum_weights=cumulative, k=1)[0]


def _reach(rng: random.Random, spread: float) -> float:
    """A draw of mean 1 and coefficient of variation ``spread`` (a gamma distribution)."""
    if spread <= 0:
        return 1.0
    shape = 1.0 / (spread * spread)
    return rng.gammavariate(shape, 1.0 / shape)


def population(world: World, *, seed: int) -> tuple[Person, ...]:
    """The prospects of ``world`` for ``seed``: the same seed gives the same people."""
    rng = random.Random(f"population:{seed}")
    spec: Population = world.population
    warmths = [w for w, share in spec.warmth.items() if share > 0]
    warmth_cum = list(accumulate(spec.warmth[w] for w in warmths))
    zones = [z for z, share in spec.zones.items() if share > 0]
    zone_cum = list(accumulate(spec.zones[z] for z in zones))
    people = []
    for pid in range(spec.prospects):
        warmth = Warmth(_pick(rng, warmths, warmth_cum))
        home = _pick(rng, zones, zone_cum)
        also: tuple[str, ...] = ()
        if len(zones) > 1 and rng.random() < spec.second_zone:
            other = home
            while other == home:
                other = _pick(rng, zones, zone_cum)
            also = (other,)
        count = 2 if rng.random() < spec.second_number else 1
        numbers = tuple(rng.random() >= spec.wrong_number for _ in range(count))
        birthday = (rng.randint(1, 12), rng.randint(1, 28)) if rng.random() < spec.birthday else None
        recipient = Recipient(
            zone=home,
            country=COUNTRY_OF_ZONE.get(home),
            birthday=birthday,
            numbers=count,
            also_zones=also,
        )
        people.append(
            Person(
                id=pid,
                warmth=warmth,
                recipient=recipient,
                numbers=numbers,
                mobile=rng.random() < spec.mobile,
                voicemail_box=rng.random() < world.voicemail.box,
                address=rng.random() < spec.postal_address,
                email=rng.random() < spec.email,
                reach=_reach(rng, world.answer.spread),
            )
        )
    return tuple(people)
