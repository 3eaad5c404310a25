"""What-if simulations for an account: its own settings (zone, working days, minutes a day,
calls a day, the new-to-follow-up mix, costs, vacations) and its own playbooks, run through the
simulator of ``core.simulation`` (the engine and the day planner the product uses, in memory)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ringback.accounts.models import Account
from ringback.accounts.selectors import (
    account_calling_hours,
    account_costs,
    account_working_days,
    vacations_list,
)
from ringback.core import clock
from ringback.core.errors import InvalidInput
from ringback.core.scheduling import zone
from ringback.core.simulation.compare import simulate
from ringback.core.simulation.report import SimulationReport
from ringback.core.simulation.world import World, default_world, world_load
from ringback.playbooks.selectors import playbook_get, playbook_latest_version

#: What a seller's week is compared with when no policy is named: the product's day plan against
#: the naive seller (R10), the chase lengths (R7), and Call-Mail-Call with and without the card (R9).
STANDARD_POLICIES = (
    "day-plan",
    "same-20-names",
    "four-calls-two-weeks",
    "six-attempts",
    "steady-weekly",
    "call-mail-call",
    "call-call",
)
#: The most prospects and days a simulation on the web takes (the command takes more).
WEB_MAX_PROSPECTS = 2_000
WEB_MAX_DAYS = 180
MAX_PROSPECTS = 100_000


def account_world(*, account: Account, world_text: str | None = None, source: str = "world.yaml") -> World:
    """The world of the defaults (or of ``world_text``), with the account's own settings as the
    seller's: its zone, working days, minutes and calls a day, mix, costs, hours and vacations,
    starting today."""
    world = world_load(world_text, source=source) if world_text is not None else default_world()
    # The account's vacations are its own: a world file's are for the command without an account.
    today = clock.now().astimezone(zone(account.time_zone)).date()
    seller = replace(
        world.seller,
        zone=account.time_zone,
        start=today,
        minutes_per_day=float(account.minutes_per_day),
        calls_per_day=int(account.daily_call_capacity),
        working_days=frozenset(account_working_days(account=account)),
        new_per_callback=float(account.new_per_callback),
        vacations=tuple(
            (v.first_day, v.last_day) for v in vacations_list(account=account) if v.last_day >= today
        ),
        calling_hours=account_calling_hours(account=account),
        costs=account_costs(account=account),
    )
    return replace(world, seller=seller)


def account_simulate(
    *,
    account: Account,
    policies: Sequence[str] = (),
    playbook: str = "",
    days: int = 90,
    prospects: int | None = None,
    seed: int = 1,
    world_text: str | None = None,
    max_prospects: int = MAX_PROSPECTS,
) -> SimulationReport:
    """Simulate ``policies`` (the standard comparison when none) for the account's seller, plus its
    own ``playbook`` (by name: "what would this do to my week?") when given; deterministic for a
    ``seed``. Refused with the field named: a number of prospects or days out of range, an unknown
    playbook or policy, a world file that can't be used."""
    world = account_world(account=account, world_text=world_text)
    if prospects is not None:
        if not 1 <= prospects <= max_prospects:
            raise InvalidInput(
                f"prospects: {prospects} is not from 1 to {max_prospects:,}", field="prospects"
            )
        world = replace(world, population=replace(world.population, prospects=prospects))
    text = None
    if playbook:
        text = playbook_latest_version(playbook=playbook_get(account=account, name=playbook)).source
    wanted = list(policies) or ([] if playbook else list(STANDARD_POLICIES))
    if playbook and not policies:
        wanted = ["day-plan", "same-20-names"]
    return simulate(world=world, policies=wanted, days=days, seed=seed, playbook_text=text)
