"""The argument map: claims as nodes, relations as edges, laid out by Graphviz.

Layout is done by a real engine (graphviz-pure, a wheel from PyPI, so no system
Graphviz is needed). Nodes are coloured by perspective and edges styled by relation
type; a text alternative is generated from the same data for screen readers.
"""

from __future__ import annotations

import re
import shutil
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from . import limits
from .errors import BriefingError
from .i18n import Words

# Okabe-Ito: distinguishable with the common colour-vision deficiencies, and in greyscale.
FILLS = ["#cfe3f5", "#fbe0c4", "#d4eedf", "#f3d5e6", "#f6f1c0", "#e0e0e0"]
COLOUR_NAMES = ["blue", "orange", "green", "pink", "yellow", "grey"]
BORDERS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#b8a200", "#555555"]
EDGES = {"supports": ('color="#009e73"', "solid"),
         "attacks": ('color="#d55e00"', "bold"),  # edges carry no text: style and colour
         "undercuts": ('color="#cc79a7"', "dashed")}
# Graphviz lays text out with metrics it knows (Helvetica); the SVG is then set in the
# briefing's own sans at a slightly smaller size, so labels never overrun their boxes.
LAYOUT_FONT = "Helvetica"
DRAW_FONT = "Briefing Sans, sans-serif"
DRAW_SCALE = 0.92


SVG_NAME = "argument-map.svg"


@dataclass
class ArgumentMap:
    path: str  # project-relative path of the SVG, as chapters link to it
    description: str
    nodes: int
    edges: int
    legend: list[tuple[str, str]]  # (perspective title, colour name)
    source: str  # DOT
    claims: list[str]  # ids of the claims drawn


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def dot(claims, perspectives, relations) -> tuple[str, list[str]]:
    """DOT source and the ids of the claims shown (those in any relation)."""
    shown = sorted({r.source for r in relations} | {r.target for r in relations},
                   key=lambda cid: list(claims).index(cid))
    colour = {p.id: i % len(FILLS) for i, p in enumerate(perspectives)}
    lines = ["digraph argument_map {",
             f'  graph [rankdir=LR, nodesep=0.18, ranksep=0.35, fontname="{LAYOUT_FONT}", '
             'bgcolor="white", pad=0.1];',
             f'  node [shape=box, style="rounded,filled", fontname="{LAYOUT_FONT}", fontsize=9, '
             "margin=\"0.12,0.06\"];",
             f'  edge [fontname="{LAYOUT_FONT}", fontsize=8, arrowsize=0.7];']
    for cid in shown:
        claim = claims[cid]
        index = colour.get(claim.perspective, len(FILLS) - 1)
        label = claim.label + ": " + textwrap.shorten(claim.statement, 90, placeholder=" …")
        wrapped = '"' + "\\n".join(_quote(line)[1:-1] for line in textwrap.wrap(label, 24)) + '"'
        lines.append(f"  {_quote(cid)} [label={wrapped}, "
                     f'fillcolor="{FILLS[index]}", color="{BORDERS[index]}", '
                     f'tooltip={_quote(claim.statement)}];')
    for rel in relations:
        attr, style = EDGES[rel.type]
        lines.append(f"  {_quote(rel.source)} -> {_quote(rel.target)} "
                     f'[{attr}, style={style}, penwidth={2.2 if style == "bold" else 1.3}];')
    lines.append("}")
    return "\n".join(lines) + "\n", shown


def describe(claims, relations, shown, words: Words) -> str:
    """The map in words: every edge as a sentence, for the figure's text alternative."""
    parts = [words.labels["map_summary"] % {"claims": len(shown), "relations": len(relations)}]
    for rel in relations:
        parts.append(words.labels["map_edge"] % {"source": claims[rel.source].label,
                                                 "verb": words.relations[rel.type],
                                                 "target": claims[rel.target].label})
    return " ".join(parts)


def plan(claims, perspectives, relations, workdir_rel: str, words: Words) -> ArgumentMap:
    """Everything about the map except the drawing: templates can use it in `check` too.
    `words` gives the edition's words for the legend and the description."""
    source, shown = dot(claims, perspectives, relations)
    legend = [(p.title, words.colours[COLOUR_NAMES[i % len(FILLS)]])
              for i, p in enumerate(perspectives)]
    if any(claims[c].perspective is None for c in shown):
        legend.append((words.labels["background"], words.colours[COLOUR_NAMES[-1]]))
    return ArgumentMap(f"{workdir_rel}/{SVG_NAME}", describe(claims, relations, shown, words),
                       len(shown), len(relations), legend, source, shown)


def render(amap: ArgumentMap, workdir: Path, seconds: float = 60,
           memory_mib: float = 1024) -> Path:
    """Lay the map out with graphviz-pure into workdir/argument-map.svg."""
    dot_path, svg_path = workdir / "argument-map.dot", workdir / SVG_NAME
    dot_path.write_text(amap.source, "utf-8")
    exe = shutil.which("graphviz-pure", path=str(Path(sys.executable).parent)) or shutil.which(
        "graphviz-pure")
    if exe is None:
        raise BriefingError.at("graphviz-pure is not installed", None, None,
                               "run 'make' to install the project's dependencies")
    done = limits.run([exe, "-Tsvg", str(dot_path), "-o", str(svg_path)],
                      stage="graphviz-pure (argument map)", subject=dot_path, seconds=seconds,
                      setting="layout_seconds", memory_mib=memory_mib)
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace")[-300:].strip()
        raise BriefingError.at(f"graphviz-pure failed: {detail or done.returncode}", dot_path,
                               None, "the map may be too large for limits.layout_memory_mib; "
                               "otherwise this is a bug in briefing, please report it")
    svg = svg_path.read_text("utf-8")
    # Graphviz declares the SVG 1.1 DTD; images.py refuses every DTD, so drop it.
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg, count=1)
    svg = svg.replace(f'font-family="{LAYOUT_FONT}"', f'font-family="{DRAW_FONT}"')
    svg = re.sub(r'font-size="([\d.]+)"',
                 lambda m: f'font-size="{float(m.group(1)) * DRAW_SCALE:.2f}"', svg)
    svg_path.write_text(svg, "utf-8")
    return svg_path
