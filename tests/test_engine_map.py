"""docs/engine.md's map of the engine is the package's: every module listed, each with the
first sentence of its docstring (scripts/engine_map.py makes it; `python
scripts/engine_map.py --write` remakes it)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _engine_map():
    spec = importlib.util.spec_from_file_location("engine_map", ROOT / "scripts" / "engine_map.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readmes_map_of_the_engine_is_the_packages():
    engine_map = _engine_map()
    shown = engine_map.readme_map((ROOT / "docs" / "engine.md").read_text("utf-8"))
    assert shown is not None, "docs/engine.md lost the engine map's markers"
    assert shown == engine_map.engine_map(), (
        "docs/engine.md's engine map is out of date: run python scripts/engine_map.py --write")


def test_every_module_is_on_the_map_with_what_it_does():
    engine_map = _engine_map()
    lines = engine_map.engine_map().splitlines()
    listed = [line.split(None, 1) for line in lines if line.split(" ")[-1:] != [""]
              and line.strip().split(" ")[0].endswith(".py")]
    modules = sorted((ROOT / "src" / "briefing").rglob("*.py"))
    described = [p for p in modules if p.name != "__init__.py" or engine_map.summary(p)]
    assert len(listed) == len(described)
    # A module says what it does in its docstring's first sentence: none is on the map bare.
    assert [p for p in modules if p.name != "__init__.py" and not engine_map.summary(p)] == []
    assert all(len(entry) == 2 for entry in listed), [e for e in listed if len(e) != 2]
