"""No import cycle between any two modules of ``ringback`` (tests and migrations aside).

The graph is grimp's (import-linter's own): every import counts, at the top of a module, inside a
function or under ``TYPE_CHECKING``. The layers contract in pyproject.toml keeps the apps in one
direction; this check also covers modules inside one layer (two modules of one app, a package and
its submodules).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping

import grimp

#: Modules left out of the check: an app's tests may import anything, migrations are generated.
LEFT_OUT = re.compile(r"(^|\.)(tests|migrations)(\.|$)")


def import_graph(graph: grimp.ImportGraph) -> dict[str, set[str]]:
    """Module -> the modules it imports, both within the package and not left out."""
    modules = {m for m in graph.modules if not LEFT_OUT.search(m)}
    return {m: graph.find_modules_directly_imported_by(m) & modules for m in modules}


def strongly_connected(imports: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The groups of two or more modules that import one another in a circle (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(imports[module]):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return sorted(groups)


def shortest_cycle(imports: Mapping[str, Iterable[str]], group: list[str]) -> list[str]:
    """A shortest path from the group's first module back to itself: ``[a, b, ..., a]``."""
    start, members = group[0], set(group)
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        module = queue.popleft()
        for imported in sorted(imports[module]):
            if imported not in members:
                continue
            if imported == start:
                path = [module]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if imported not in came_from:
                came_from[imported] = module
                queue.append(imported)
    raise AssertionError(f"{group} is not a cycle")


def cycles(imports: Mapping[str, Iterable[str]]) -> list[str]:
    """One line per circle of imports: the shortest cycle through it, then every module in it."""
    lines = []
    for group in strongly_connected(imports):
        path = shortest_cycle(imports, group)
        line = " -> ".join(path)
        if len(group) > len(path) - 1:
            line += f" (the circle also holds: {', '.join(sorted(set(group) - set(path)))})"
        lines.append(line)
    return lines


def test_no_import_cycle_in_ringback() -> None:
    imports = import_graph(grimp.build_graph("ringback", cache_dir=None))
    assert "ringback.core.clock" in imports and "ringback.contacts.services" in imports
    assert not any(LEFT_OUT.search(m) for m in imports)
    found = cycles(imports)
    assert not found, "Import cycles between modules of ringback:\n" + "\n".join(found)


def test_the_check_finds_and_names_a_cycle() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [
        ("ringback.contacts.services", "ringback.core.clock"),
        ("ringback.contacts.services", "ringback.activities.services"),
        ("ringback.activities.services", "ringback.activities.models"),
        ("ringback.activities.models", "ringback.contacts.services"),
        ("ringback.contacts.tests.test_x", "ringback.contacts.services"),
        ("ringback.contacts.services", "ringback.contacts.tests.test_x"),  # a test: left out
        ("ringback.core", "ringback.core.a"),  # a package and its submodules, in a figure eight
        ("ringback.core.a", "ringback.core"),
        ("ringback.core.a", "ringback.core.b"),
        ("ringback.core.b", "ringback.core.a"),
    ]:
        graph.add_import(importer=importer, imported=imported)
    assert cycles(import_graph(graph)) == [
        "ringback.activities.models -> ringback.contacts.services -> ringback.activities.services"
        " -> ringback.activities.models",
        "ringback.core -> ringback.core.a -> ringback.core (the circle also holds: ringback.core.b)",
    ]
