"""The what-if simulator: a synthetic population in a world of published (and weak) figures,
worked by the product's own engine and day planner under several policies, compared side by side.

    report = simulate(world=world_load(text, source="world.yaml"), policies=["day-plan",
                      "same-20-names"], days=90, seed=1)
    print(report_text(report))
"""

from __future__ import annotations

from ringback.core.simulation.compare import simulate
from ringback.core.simulation.policies import (
    POLICIES,
    Kind,
    Learning,
    Policy,
    Times,
    Variants,
    playbook_library,
)
from ringback.core.simulation.population import Person, population
from ringback.core.simulation.records import DayLog, PolicyRun, Response, TouchRecord
from ringback.core.simulation.report import (
    Metrics,
    PolicyReport,
    SimulationReport,
    metrics,
    pest_events,
    report_chart,
    report_rows,
    report_text,
)
from ringback.core.simulation.runner import run_policy
from ringback.core.simulation.world import Warmth, World, default_world, world_load

__all__ = [
    "POLICIES",
    "DayLog",
    "Kind",
    "Learning",
    "Metrics",
    "Person",
    "Policy",
    "PolicyReport",
    "PolicyRun",
    "Response",
    "SimulationReport",
    "Times",
    "TouchRecord",
    "Variants",
    "Warmth",
    "World",
    "default_world",
    "metrics",
    "pest_events",
    "playbook_library",
    "population",
    "report_chart",
    "report_rows",
    "report_text",
    "run_policy",
    "simulate",
    "world_load",
]
