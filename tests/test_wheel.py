"""The built wheel ships the app and its files, not its tests.

Builds the wheel the way ``pip wheel`` does (from a clean copy of the project, so that no stale
``build/`` directory can add or hide files) and compares it with the source tree.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "ringback"


def is_test(path: str) -> bool:
    parts = path.split("/")
    return "tests" in parts or parts[-1] == "conftest.py"


def shipped_kind(path: str) -> bool:
    """What the wheel must hold: modules, templates, static files, the built-in playbooks and
    starter messages, fonts."""
    parts = path.split("/")
    return (
        path.endswith(".py")
        or "templates" in parts
        or "static" in parts
        or (path.startswith("ringback/core/playbooks/") and path.endswith(".yaml"))
        or (path.startswith("ringback/core/library/") and path.endswith(".yaml"))
        # The what-if simulator's own playbooks (six attempts, call-call, the A/B experiment).
        or (path.startswith("ringback/core/simulation/playbooks/") and path.endswith(".yaml"))
        # The fonts printed cards and labels embed, with their licences.
        or path.startswith("ringback/printing/fonts/")
    )


def build_wheel(tmp_path: Path) -> list[str]:
    """The file names in a wheel built from a copy of the project (pyproject.toml, README, src)."""
    tree = tmp_path / "project"
    (tree / "src").mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, tree / name)
    shutil.copytree(
        PACKAGE, tree / "src" / "ringback", ignore=shutil.ignore_patterns("__pycache__", "*.py[cod]")
    )
    dist = tmp_path / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(tree)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"pip wheel failed:\n{done.stdout}\n{done.stderr}"
    (wheel,) = dist.glob("ringback-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return [n for n in archive.namelist() if not n.split("/")[0].endswith(".dist-info")]


def test_the_wheel_has_no_tests_but_every_module_template_static_file_and_playbook(tmp_path: Path) -> None:
    shipped = build_wheel(tmp_path)
    assert [n for n in shipped if is_test(n)] == []

    source = {
        p.relative_to(PACKAGE.parent).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    wanted = {n for n in source if shipped_kind(n) and not is_test(n)}
    assert sorted(wanted - set(shipped)) == []
    # The checks above look at something: the kinds of files the app needs are there.
    assert "ringback/settings.py" in shipped and "ringback/core/playbooks/call-mail-call.yaml" in shipped
    assert "ringback/core/library/messages.yaml" in shipped
    assert "ringback/core/simulation/playbooks/six-attempts.yaml" in shipped
    assert "ringback/printing/fonts/caveat/Caveat-Regular.ttf" in shipped
    assert "ringback/printing/fonts/caveat/OFL.txt" in shipped
    assert any("/templates/" in n for n in shipped) and any("/static/" in n for n in shipped)
    assert any("/migrations/0001_" in n for n in shipped)
    assert any(is_test(n) for n in source)  # the tests exist in the tree, and were left out
