"""The argument map: claims as nodes, relations as edges, laid out by Graphviz.

Nodes are coloured by perspective and edges styled by relation type; a text alternative
is generated from the same data for screen readers.

Layout is done by graphviz-pure (a Rust port of Graphviz 16.1.0's `dot`, one program in a
PyPI wheel), run as a child under the time and memory limits (limits.run). Weighed in
December 2026 against the alternatives (issue 29), and kept:
- Debian's Graphviz (`apt install graphviz`: 2.43.0 on bookworm) lays the flagship's map
  out as well (looked at side by side), but differently (391x354 pt against 394x354),
  and another release (Homebrew's, another distribution's) differently again: the same
  inputs would give other bytes on another machine. graphviz-pure writes the same bytes on every
  platform, and its version and file hashes are fixed by requirements/lock.txt.
- PyPI's `graphviz` package only starts that system `dot`; `pygraphviz` compiles against
  Graphviz's C headers (a compiler and libgraphviz-dev, or Homebrew) and lays out in this
  process, where no time or memory limit can hold it.
- graphviz-pure needs nothing outside pip on Linux or macOS, and is faster and smaller
  here (38 ms and 5 MB for the flagship's map; `dot`: 68 ms and 13 MB).
Its risk is that few use it (a young project, 'Beta'): the map is plain DOT, so going to
Graphviz's `dot` is the command in render() and a changed map (the cache key names the
tool), should it stop being kept.
"""

from __future__ import annotations

import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from briefing.compose.language import Words
from briefing.errors import BriefingError
from briefing.runtime import cache, limits

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
class Entry:
    """One claim of the map in words: its label, statement and what it bears on."""

    id: str
    """The claim's id."""
    label: str
    """Its label (P3)."""
    statement: str
    """Its statement."""
    relations: list[tuple[str, list[tuple[str, str]]]]
    """(verb, [(label, claim id), ...]): what it supports, attacks or undercuts, the verb
    in the edition's words."""


@dataclass
class Row:
    """One relation the map draws, as a row of its table: both ends with their labels."""

    source: str
    """The claim that bears on the other (its id)."""
    source_label: str
    """Its label (P3)."""
    verb: str
    """supports, attacks or undercuts, in the edition's words."""
    target: str
    """The claim it bears on (its id)."""
    target_label: str
    """Its label, with "(our reading)" in the edition's words where the link is ours."""
    ours: bool
    """Drawn by the briefing's authors, not by a source (our reading)."""


@dataclass
class ArgumentMap:
    """The argument map: claims as boxes, relations as arrows (an SVG), and the same in
    words."""

    path: str
    """The SVG's project-relative path, as chapters link to it."""
    description: str
    """The figure's short text alternative."""
    nodes: int
    """How many claims it draws."""
    edges: int
    """How many relations it draws."""
    legend: list[tuple[str, str]]
    """(perspective title, colour name) for each colour used."""
    source: str
    """The map in Graphviz's DOT language."""
    claims: list[str]
    """Ids of the claims drawn."""
    entries: list[Entry] = field(default_factory=list)
    """The map in words, claim by claim."""
    groups: list[tuple[str, list[Entry]]] = field(default_factory=list)
    """Every claim of the briefing, drawn or not, as entries by perspective (background
    first, then the perspectives in order): (title, entries), for an outline a reader can
    fold."""
    rows: list[Row] = field(default_factory=list)
    """Every relation drawn, in the order of the entries: a table whose rows link both
    ends."""


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# Boxes carry the claims' labels only, large enough to read at print size (the figure is
# scaled to the text width: the layout stays narrow enough that 10.5 pt text is still 7 pt
# or more there); the statements are given in words below the map, never truncated.
FONT_SIZE = 12


def dot(claims, perspectives, relations) -> tuple[str, list[str]]:
    """DOT source and the ids of the claims shown (those in any relation). Claims are
    grouped in one box per perspective (and one for background facts)."""
    shown = sorted({r.source for r in relations} | {r.target for r in relations},
                   key=lambda cid: list(claims).index(cid))
    colour = {p.id: i % len(FILLS) for i, p in enumerate(perspectives)}
    lines = ["digraph argument_map {",
             f'  graph [rankdir=LR, nodesep=0.12, ranksep=0.45, fontname="{LAYOUT_FONT}", '
             f'fontsize={FONT_SIZE}, bgcolor="white", pad=0.05, newrank=true];',
             f'  node [shape=box, style="rounded,filled", fontname="{LAYOUT_FONT}", '
             f'fontsize={FONT_SIZE}, margin="0.06,0.03", width=0.45, height=0.3];',
             '  edge [arrowsize=0.6];']
    groups = [(p.id, colour[p.id]) for p in perspectives] + [(None, len(FILLS) - 1)]
    # The background facts' box, unless a perspective has that name (two subgraphs of one
    # name are one box): then a name no perspective id can have.
    background = "background" if "background" not in colour else "_background"
    for pid, index in groups:
        members = [cid for cid in shown if claims[cid].perspective == pid]
        if not members:
            continue
        # Quoted: a perspective id may hold a hyphen, which a bare DOT id may not.
        lines.append(f"  subgraph {_quote('cluster_' + (pid or background))} {{")
        lines.append(f'    style="rounded"; color="{BORDERS[index]}"; penwidth=0.8; label="";')
        for cid in members:
            claim = claims[cid]
            # Each box links to its claim (#claim-<id>, the anchor every format gives it):
            # where the map is inline (the HTML page, the EPUB), a box is a way in.
            lines.append(f"    {_quote(cid)} [label={_quote(claim.label)}, "
                         f'fillcolor="{FILLS[index]}", color="{BORDERS[index]}", '
                         f"tooltip={_quote(claim.statement)}, "
                         f"URL={_quote('#claim-' + cid)}];")
        lines.append("  }")
    for rel in relations:
        attr, style = EDGES[rel.type]
        lines.append(f"  {_quote(rel.source)} -> {_quote(rel.target)} "
                     f'[{attr}, style={style}, penwidth={2.0 if style == "bold" else 1.2}];')
    lines.append("}")
    return "\n".join(lines) + "\n", shown


def entries(claims, relations, shown, words: Words, perspectives=()) -> list[Entry]:
    """Each claim drawn, with its statement and the claims it supports, attacks or
    undercuts: the map in words, for print, screen readers and phones alike. In the order
    a reader looks a label up: background first, then each perspective in the briefing's
    order, each by its labels' numbers (B2, B3, P1, P2 ... P10)."""
    rank = {p.id: i + 1 for i, p in enumerate(perspectives)}

    def place(cid: str) -> tuple:
        label = claims[cid].label
        digits = len(label) - len(label.rstrip("0123456789"))
        number = int(label[-digits:]) if digits else 0
        return rank.get(claims[cid].perspective, 0), label[:len(label) - digits], number

    found = []
    for cid in sorted(shown, key=place):
        out = []
        for kind in ("supports", "attacks", "undercuts"):
            targets = [(claims[r.target].label
                        + (f" ({words.labels['our_reading']})" if r.ours else ""), r.target)
                       for r in relations if r.source == cid and r.type == kind]
            if targets:
                out.append((words.relations[kind], targets))
        found.append(Entry(cid, claims[cid].label, claims[cid].statement, out))
    return found


def describe(claims, relations, shown, words: Words) -> str:
    """The figure's text alternative: what the map is, not what it shows, which the list
    that follows it gives (a screen reader would otherwise read every relation twice)."""
    return words.labels["map_summary"] % {"claims": len(shown), "relations": len(relations)}


def plan(claims, perspectives, relations, workdir_rel: str, words: Words) -> ArgumentMap:
    """Everything about the map except the drawing: templates can use it in `check` too.
    `words` gives the edition's words for the legend and the description."""
    source, shown = dot(claims, perspectives, relations)
    legend = [(p.title, words.colours[COLOUR_NAMES[i % len(FILLS)]])
              for i, p in enumerate(perspectives)]
    if any(claims[c].perspective is None for c in shown):
        legend.append((words.labels["background"], words.colours[COLOUR_NAMES[-1]]))
    found = entries(claims, relations, shown, words, perspectives)
    titles = {p.id: p.title for p in perspectives}
    # The outline holds every claim, drawn or not: a reader (and the keyboard) reaches
    # each claim of a perspective from it, not only those in a relation.
    groups: list[tuple[str, list[Entry]]] = []
    for entry in entries(claims, relations, list(claims), words, perspectives):
        title = titles.get(claims[entry.id].perspective, words.labels["background"])
        if not groups or groups[-1][0] != title:
            groups.append((title, []))
        groups[-1][1].append(entry)
    order = {entry.id: n for n, entry in enumerate(found)}
    kinds = ("supports", "attacks", "undercuts")
    ours = f" ({words.labels['our_reading']})"
    rows = [Row(r.source, claims[r.source].label, words.relations[r.type], r.target,
                claims[r.target].label + (ours if r.ours else ""), bool(r.ours))
            for r in sorted(relations, key=lambda r: (order.get(r.source, 0),
                                                      kinds.index(r.type),
                                                      order.get(r.target, 0)))]
    return ArgumentMap(f"{workdir_rel}/{SVG_NAME}", describe(claims, relations, shown, words),
                       len(shown), len(relations), legend, source, shown, found, groups, rows)


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
        # Only a killed child or a failed allocation is the memory limit's doing: a syntax
        # error is the DOT briefing wrote, and naming the limit would send the author astray.
        memory = done.returncode < 0 or any(w in detail.lower() for w in ("memory", "alloc"))
        raise BriefingError.at(f"graphviz-pure failed: {detail or done.returncode}", dot_path,
                               None, "the map may be too large for limits.layout_memory_mib"
                               if memory else "this is a bug in briefing, please report it "
                               "with this file")
    svg = svg_path.read_text("utf-8")
    # Graphviz declares the SVG 1.1 DTD; images.py refuses every DTD, so drop it.
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg, count=1)
    svg = svg.replace(f'font-family="{LAYOUT_FONT}"', f'font-family="{DRAW_FONT}"')
    svg = re.sub(r'font-size="([\d.]+)"',
                 lambda m: f'font-size="{float(m.group(1)) * DRAW_SCALE:.2f}"', svg)
    svg_path.write_text(svg, "utf-8")
    return svg_path


def draw(amap: ArgumentMap, workdir: Path, store: cache.Cache, seconds: float = 60,
         memory_mib: float = 1024) -> None:
    """workdir/argument-map.svg, from the cache when this map was laid out before."""
    key = cache.digest("argmap", cache.engine(), cache.tool("graphviz-pure"), amap.source)
    svg = store.get("argmap", key)
    target = workdir / SVG_NAME
    if svg is None:
        render(amap, workdir, seconds, memory_mib)
        store.put("argmap", key, target.read_bytes())
    else:
        target.write_bytes(svg)
