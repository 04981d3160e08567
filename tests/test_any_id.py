"""No id is a trap: every id the schema allows works wherever it lands (issue 30).

The map's DOT in-process with graphviz-pure; then the whole build with ids drawn from the
schema's own patterns (bounded: each example is a real build)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from briefing.compose import argmap


def test_the_map_lays_out_perspective_ids_with_hyphens(tmp_path: Path):
    """A perspective id with a hyphen (legal: ^[a-z][a-z0-9-]{0,31}$) once wrote an
    unquoted `subgraph cluster_civil-liberties`, a DOT syntax error that broke every build."""
    perspectives = [SimpleNamespace(id="civil-liberties", title="Civil liberties"),
                    SimpleNamespace(id="x-9", title="Odd")]
    claims = {"a-1": SimpleNamespace(perspective="civil-liberties", label="C1", statement='a "b"'),
              "2-b": SimpleNamespace(perspective="x-9", label="X1", statement="c\\d"),
              "c": SimpleNamespace(perspective=None, label="B1", statement="e")}
    relations = [SimpleNamespace(source="a-1", target="2-b", type="attacks", ours=False),
                 SimpleNamespace(source="c", target="a-1", type="supports", ours=False)]
    source, shown = argmap.dot(claims, perspectives, relations)
    assert 'subgraph "cluster_civil-liberties"' in source
    amap = SimpleNamespace(source=source)
    svg = argmap.render(amap, tmp_path).read_text("utf-8")  # type: ignore[arg-type]
    # Each perspective is its own box (a cluster), as with ids without hyphens.
    assert svg.count('class="cluster"') == 3
    assert "<title>cluster_civil&#45;liberties</title>" in svg or \
        "<title>cluster_civil-liberties</title>" in svg
