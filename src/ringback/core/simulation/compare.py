"""The public entry point: several policies over the same people of one world, compared."""

from __future__ import annotations

from collections.abc import Sequence

from ringback.core.errors import InvalidInput
from ringback.core.simulation.policies import Policy, playbook_library, policy_for
from ringback.core.simulation.population import population
from ringback.core.simulation.report import SimulationReport, policy_report
from ringback.core.simulation.runner import run_policy
from ringback.core.simulation.world import World

#: The longest simulation taken, in days.
MAX_DAYS = 3650


def simulate(
    *,
    world: World,
    policies: Sequence[str | Policy],
    days: int,
    seed: int,
    playbook_text: str | None = None,
) -> SimulationReport:
    """Run each policy over the same people of ``world`` for ``days`` days and report the figures
    side by side. The same arguments give the same report, to the byte of its ``as_dict()``.

    ``playbook_text`` is the user's own playbook (YAML): it can then be named as a policy, and is
    run as one when no policy names it. A bad one raises the parser's ``PlaybookError``; an
    unknown policy, ``UnknownPlaybook``.
    """
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"days: {days} is not from 1 to {MAX_DAYS}", field="days")
    library = playbook_library(playbook_text)
    wanted = list(policies)
    if playbook_text is not None:
        own = next(name for name, book in library.items() if book.source == "your playbook")
        if not any((p.name if isinstance(p, Policy) else p) == own for p in wanted):
            wanted.append(own)
    if not wanted:
        raise InvalidInput("name at least one policy to simulate", field="policies")
    chosen = [policy_for(p, library) for p in wanted]
    people = population(world, seed=seed)
    runs = [
        run_policy(world=world, policy=policy, people=people, library=library, seed=seed, days=days)
        for policy in chosen
    ]
    return SimulationReport(
        seed=seed,
        days=days,
        prospects=len(people),
        start=world.seller.start.isoformat(),
        policies=tuple(policy_report(run) for run in runs),
    )
