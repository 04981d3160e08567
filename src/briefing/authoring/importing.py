"""`briefing import argdown|aif FILE`: another tool's argument map as a draft seed.

What maps: statements (Argdown `[Title]: text`, AIF I-nodes) become claims, their texts
the seed's numbered paragraphs (the map is the source the claims cite, the map's author
its reporter and holder); Argdown headings (AIF: none) become perspectives, statements
before the first heading background facts; supports, attacks and undercuts become
relations. An Argdown argument is read through its premise-conclusion structure (each
premise supports the conclusion), so an undercut of it (`_>`) undercuts its premises;
an AIF CA-node on an RA-node undercuts that RA's premises. Whatever has no place in a
seed (a contradiction, an attack on a whole argument, an AIF rephrase, a multi-step
argument, text we do not read) is refused with its file and line, nothing written.

Written together or not at all: seeds/<id>.yaml, the perspectives appended to
briefing.toml, a bibliography stub for the map appended to the bibliography. The claims'
kinds, holders and quotes are the author's to set: every claim is an interpretation
held by the map's author until then.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from briefing.authoring import yamltext
from briefing.authoring.source import bib_escape, bib_line
from briefing.errors import BriefingError
from briefing.model import config
from briefing.model.project import Project
from briefing.model.texts import Localiser
from briefing.runtime import writing

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass
class Statement:
    title: str
    text: str
    line: int
    perspective: str | None  # the heading it stands under


@dataclass
class Imported:
    """A map in our terms: statements by title, relations between their titles."""

    path: Path
    title: str
    statements: dict[str, Statement] = field(default_factory=dict)
    perspectives: dict[str, str] = field(default_factory=dict)  # id -> heading
    relations: list[tuple[str, str, str, int]] = field(default_factory=list)  # from, to, type


def slug(text: str) -> str:
    found = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return found or "x"


# ---- Argdown ---------------------------------------------------------------------------

NODE = r"(?P<kind>[\[<])(?P<title>[^\]>]+)[\]>](?::\s*(?P<text>.*))?"
TOP = re.compile(rf"^{NODE}$")
RELATION = re.compile(rf"^(?P<indent>\s+)(?P<op>\+>|->|_>|<\+|<-|<_|><|\+|-|_)\s+{NODE}$")
PCS = re.compile(r"^\((?P<n>\d+)\)\s+\[(?P<title>[^\]]+)\](?::\s*(?P<text>.*))?$")
OPS = {"+>": ("supports", True), "->": ("attacks", True), "_>": ("undercuts", True),
       "<+": ("supports", False), "+": ("supports", False), "<-": ("attacks", False),
       "-": ("attacks", False), "<_": ("undercuts", False), "_": ("undercuts", False)}


@dataclass
class _Argument:
    title: str
    line: int
    premises: list[str] = field(default_factory=list)
    conclusion: str | None = None


def argdown(path: Path, text: str) -> Imported:
    """The subset of Argdown a seed can hold, every other line refused with its number."""
    found = Imported(path, path.stem)
    arguments: dict[str, _Argument] = {}
    pending: list[tuple[tuple[str, str], tuple[str, str], str, int]] = []
    heading: str | None = None
    stack: list[tuple[int, tuple[str, str]]] = []  # (indent, (kind, title)) of the tree
    pcs: _Argument | None = None
    lines = text.splitlines()
    number = 0

    def refuse(message: str, line: int, hint: str) -> BriefingError:
        return BriefingError.at(message, path, line, hint)

    def statement(title: str, body: str | None, line: int) -> tuple[str, str]:
        title = title.strip()
        if body:
            if title in found.statements and found.statements[title].text != body.strip():
                raise refuse(f"statement [{title}] is defined twice with different texts",
                             line, f"first at line {found.statements[title].line}")
            found.statements.setdefault(title, Statement(title, body.strip(), line, heading))
        return ("[", title)

    while number < len(lines):
        raw = lines[number]
        number += 1
        row = re.sub(r"\s+//.*$", "", raw).rstrip()
        if not row.strip() or row.lstrip().startswith("//"):
            if not row.strip():
                stack = []
            continue
        if number == 1 and row == "===":  # front matter: its title only
            while number < len(lines) and lines[number].strip() != "===":
                key, _, value = lines[number].partition(":")
                if key.strip() == "title":
                    found.title = value.strip().strip('"')
                number += 1
            number += 1
            continue
        if row.startswith("#"):
            heading_text = row.lstrip("#").strip()
            heading = slug(heading_text)
            found.perspectives.setdefault(heading, heading_text)
            pcs = None
            continue
        if pcs is not None and (match := PCS.match(row)):
            if pcs.conclusion is not None:
                raise refuse(f"argument <{pcs.title}> has more than one inference step",
                             number, "a seed maps one step: premises, a line, a conclusion")
            pcs.premises.append(statement(match["title"], match["text"], number)[1])
            continue
        if pcs is not None and re.fullmatch(r"-{2,}", row.strip()):
            if not pcs.premises:
                raise refuse("an inference line with no premise above it", number,
                             "number each premise: (1) [Title]")
            following = PCS.match(lines[number].strip()) if number < len(lines) else None
            if pcs.conclusion is not None or following is None:
                raise refuse(f"argument <{pcs.title}> has more than one inference step",
                             number, "a seed maps one step: premises, a line, a conclusion")
            node = statement(following["title"], following["text"], number + 1)
            pcs.conclusion = node[1]
            number += 1
            continue
        if (match := TOP.match(row)) is not None:
            if match["kind"] == "[":
                node = statement(match["title"], match["text"], number)
                pcs = None
            else:
                title = match["title"].strip()
                arguments.setdefault(title, _Argument(title, number))
                node, pcs = ("<", title), arguments[title]
            stack = [(0, node)]
            continue
        if (match := RELATION.match(row)) is not None:
            indent = len(match["indent"])
            while stack and stack[-1][0] >= indent:
                stack.pop()
            if not stack:
                raise refuse("a relation with nothing above it to relate to", number,
                             "put it under a statement [Title] or an argument <Title>")
            if match["op"] == "><":
                raise refuse("a contradiction (><) has no place in a seed", number,
                             "write it as an attack each way (->), or leave it out")
            kind, outgoing = OPS[match["op"]]
            if match["kind"] == "[":
                node = statement(match["title"], match["text"], number)
            else:
                node = ("<", match["title"].strip())
                arguments.setdefault(node[1], _Argument(node[1], number))
            parent = stack[-1][1]
            source, target = (parent, node) if outgoing else (node, parent)
            pending.append((source, target, kind, number))
            stack.append((indent, node))
            pcs = None
            continue
        raise refuse(f"cannot map this Argdown line: {raw.strip()[:60]!r}", number,
                     "a seed takes statements [Title]: text, headings, arguments with "
                     "their premises and conclusion, and the relations +> -> _> (< + - _)")
    for source, target, kind, line in pending:
        if source[0] == "<":
            raise refuse(f"argument <{source[1]}> as the source of a relation", line,
                         "relate its conclusion instead: [Conclusion] " + {
                             "supports": "+>", "attacks": "->", "undercuts": "_>"}[kind])
        if target[0] == "[" and kind != "undercuts":
            found.relations.append((source[1], target[1], kind, line))
            continue
        argument = arguments.get(target[1]) if target[0] == "<" else None
        if kind != "undercuts" or argument is None:
            named = f"<{target[1]}>" if target[0] == "<" else f"[{target[1]}]"
            raise refuse(f"{kind} onto {named} cannot be mapped", line,
                         "an undercut (_>) goes onto an argument <Title> with its premises "
                         "and conclusion; a support or attack onto a statement [Title]")
        if argument.conclusion is None:
            raise refuse(f"the undercut argument <{argument.title}> has no premises and "
                         "conclusion", line, f"write them under <{argument.title}>: (1) "
                         "[Premise], a line of dashes, (2) [Conclusion]")
        for premise in argument.premises:
            found.relations.append((source[1], premise, "undercuts", line))
    for argument in arguments.values():
        for premise in argument.premises:
            if argument.conclusion is not None:
                found.relations.append((premise, argument.conclusion, "supports",
                                        argument.line))
    # once each: a support written as +> and as an argument's inference is one relation
    found.relations = list({rel[:3]: rel for rel in reversed(found.relations)}.values())[::-1]
    missing = {t for rel in found.relations for t in rel[:2]} - set(found.statements)
    if missing:
        title = sorted(missing)[0]
        line = next(rel[3] for rel in found.relations if title in rel[:2])
        raise refuse(f"statement [{title}] is used but never given a text", line,
                     f"define it once: [{title}]: what it says")
    return found


# ---- AIF -------------------------------------------------------------------------------

def aif(path: Path, text: str) -> Imported:
    """AIFdb JSON (or xAIF, its AIF under "AIF"): I-nodes, RA and CA."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BriefingError.at(f"not JSON: {exc.msg}", path, exc.lineno,
                               "an AIF file is AIFdb JSON: {\"nodes\": [...], \"edges\": [...]}"
                               ) from None
    graph = data.get("AIF", data) if isinstance(data, dict) else None
    if not isinstance(graph, dict) or not isinstance(graph.get("nodes"), list) or (
            not isinstance(graph.get("edges"), list)):
        raise BriefingError.at("no AIF nodes and edges", path, 1,
                               "an AIF file is AIFdb JSON: {\"nodes\": [...], \"edges\": [...]}")

    def line_of(ident: object) -> int:
        at = text.find(json.dumps(str(ident)))
        return text.count("\n", 0, at) + 1 if at >= 0 else 1

    found = Imported(path, path.stem)
    nodes = {}
    for node in graph["nodes"]:
        if not isinstance(node, dict) or "nodeID" not in node or "type" not in node:
            raise BriefingError.at("an AIF node without nodeID and type", path, 1,
                                   "each node is {\"nodeID\", \"text\", \"type\"}")
        nodes[str(node["nodeID"])] = node
    into: dict[str, list[str]] = {}
    out: dict[str, list[str]] = {}
    for edge in graph["edges"]:
        source, target = str(edge.get("fromID")), str(edge.get("toID"))
        if source not in nodes or target not in nodes:
            raise BriefingError.at(f"edge {edge.get('edgeID')!r} names a node that is not "
                                   "there", path, line_of(edge.get("edgeID")),
                                   "every fromID and toID is a nodeID")
        out.setdefault(source, []).append(target)
        into.setdefault(target, []).append(source)
    for ident, node in nodes.items():
        if node["type"] == "I":
            title = str(ident)
            found.statements[title] = Statement(title, str(node.get("text", "")).strip(),
                                                line_of(ident), None)
    for ident, node in nodes.items():
        kind = node["type"]
        if kind not in ("RA", "CA"):
            if kind in ("MA", "PA"):
                raise BriefingError.at(f"an {kind}-node ({ident}) has no place in a seed",
                                       path, line_of(ident),
                                       "a seed relates claims by support (RA), attack or "
                                       "undercut (CA)")
            continue  # I, and the dialogue (L, YA, TA): not the argument's structure
        premises = [n for n in into.get(ident, []) if nodes[n]["type"] == "I"]
        targets = out.get(ident, [])
        if not premises or len(targets) != 1:
            raise BriefingError.at(f"{kind}-node {ident} needs premises and one conclusion",
                                   path, line_of(ident), "an RA or CA links I-nodes to one "
                                   "node it supports or attacks")
        goal = nodes[targets[0]]
        if goal["type"] == "I":
            for premise in premises:
                found.relations.append((premise, str(targets[0]),
                                        "supports" if kind == "RA" else "attacks",
                                        line_of(ident)))
        elif kind == "CA" and goal["type"] == "RA":
            for premise in premises:
                for undercut in (n for n in into.get(str(targets[0]), [])
                                 if nodes[n]["type"] == "I"):
                    found.relations.append((premise, undercut, "undercuts", line_of(ident)))
        else:
            raise BriefingError.at(f"{kind}-node {ident} bears on a {goal['type']}-node",
                                   path, line_of(ident), "a seed maps an attack on a "
                                   "support (CA on RA, an undercut) and no other")
    empty = [s for s in found.statements.values() if not s.text]
    if empty:
        raise BriefingError.at(f"I-node {empty[0].title} has no text", path, empty[0].line,
                               "every claim says something")
    return found


# ---- the seed --------------------------------------------------------------------------

@dataclass
class Done:
    seed: Path
    claims: int
    relations: int
    perspectives: list[str]
    bib: Path


def run(root: Path, kind: str, path: Path, ident: str | None, language: str | None) -> Done:
    """Import `path` into the project at `root`; nothing is written if anything is refused."""
    project = config.load(root)
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BriefingError.at(f"cannot read it: {exc}", path, None,
                               "name an Argdown (.argdown) or AIF (.json) file") from None
    found = argdown(path, text) if kind == "argdown" else aif(path, text)
    if not found.statements:
        raise BriefingError.at("no statement to import", path, None,
                               "an Argdown statement is [Title]: text; an AIF claim an I-node")
    ident = ident or slug(path.stem)
    if not ID_RE.match(ident):
        raise BriefingError.at(f"{ident!r} is not an id", None, None,
                               "--id takes lowercase letters, digits and hyphens")
    seeds = project.root / "seeds"
    seed = seeds / f"{ident}.yaml"
    if seed.exists():
        raise BriefingError.at(f"{seed.name} exists", seed, 1,
                               "give the import another --id; a seed is never overwritten")
    bib_path = project.root / project.config.bibliography.file
    bib_text = bib_path.read_text("utf-8") if bib_path.exists() else ""
    if bib_line(bib_text, ident) is not None:
        raise BriefingError.at(f"the bibliography has an entry {ident!r} already", bib_path,
                               bib_line(bib_text, ident), "give the import another --id")
    _match_perspectives(found, project)
    declared = set(project.config.perspectives)
    new = {pid: title for pid, title in found.perspectives.items() if pid not in declared
           and any(s.perspective == pid for s in found.statements.values())}
    language = language or project.default_edition.language.split("-")[0]
    toml_path = project.root / "briefing.toml"
    toml_text = toml_path.read_text("utf-8")
    written = {seed: seed_text(found, ident, language).encode("utf-8"),
               bib_path: (bib_text + ("\n" if bib_text and not bib_text.endswith("\n\n")
                                      else "") + _bib(found, ident)).encode("utf-8")}
    if new:
        written[toml_path] = (toml_text.rstrip("\n") + "\n" + "".join(
            _perspective(pid, title, found.path.name) for pid, title in new.items())
        ).encode("utf-8")
    writing.write_files(project.root, written)
    return Done(seed, len(found.statements), len(found.relations), list(new), bib_path)


def _match_perspectives(found: Imported, project: Project) -> None:
    """A heading that names a perspective of the briefing (its id, title or short name,
    in the default edition) is that perspective: its claims join it."""
    tr = Localiser(project.default_edition, project.default_edition.id)
    names: dict[str, str] = {}
    for pid, p in project.config.perspectives.items():
        for name in (pid, tr(p.title), tr(p.short)):
            names.setdefault(slug(name), pid)
    renamed = {heading: names[heading] for heading in found.perspectives if heading in names}
    for statement in found.statements.values():
        if statement.perspective in renamed:
            statement.perspective = renamed[statement.perspective]
    found.perspectives = {renamed.get(h, h): title for h, title in found.perspectives.items()}


def claim_ids(found: Imported, ident: str) -> dict[str, str]:
    """Each statement's claim id: its title's, unique in the seed."""
    ids: dict[str, str] = {}
    for title in found.statements:
        base = f"{ident}-{slug(title)}"
        candidate, n = base, 1
        while candidate in ids.values():
            n += 1
            candidate = f"{base}-{n}"
        ids[title] = candidate
    return ids


def seed_text(found: Imported, ident: str, language: str) -> str:
    ids = claim_ids(found, ident)
    author = f"{ident}-author"
    statements = list(found.statements.values())
    lines = [f"# Imported by `briefing import` from {found.path.name}: a draft. The map is the",
             "# source its claims cite (its statements are the paragraphs); set each claim's",
             "# kind, holders and quote from the sources the map stands for.",
             "source:", f"  id: {ident}", f"  key: {ident}",
             f"  title: {yamltext.scalar(found.title)}", f"  language: {language}",
             f"  reporter: {author}", "  paragraphs:"]
    lines += [f"    {i}: {yamltext.scalar(s.text)}" for i, s in enumerate(statements, 1)]
    lines += ["actors:", f"  - id: {author}",
              f"    name: {yamltext.scalar('The author of ' + found.path.name)}",
              "    kind: group", "claims:"]
    for i, s in enumerate(statements, 1):
        lines += [f"  - id: {ids[s.title]}"]
        if s.perspective is not None and s.perspective in found.perspectives:
            lines.append(f"    perspective: {s.perspective}")
        lines += ["    kind: interpretation", f"    statement: {yamltext.scalar(s.text)}",
                  f"    holders: [{author}]", f"    cites: [{i}]",
                  f"    note: {yamltext.scalar(f'{s.title} at line {s.line}')}"]
    seen = set()
    relations = []
    for source, target, kind, _ in found.relations:
        if (source, target, kind) not in seen and source != target:
            seen.add((source, target, kind))
            relations.append((source, target, kind))
    lines.append("relations:" if relations else "relations: []")
    for source, target, kind in relations:
        lines += [f"  - from: {ids[source]}", f"    to: {ids[target]}", f"    type: {kind}"]
    return "\n".join(lines) + "\n"


def _perspective(pid: str, title: str, name: str) -> str:
    """Its table for briefing.toml (JSON's escapes are TOML's): the texts to write."""
    quoted = yamltext.quoted
    return (f"\n[perspectives.{pid}]\ntitle = {quoted(title)}\nshort = {quoted(title)}\n"
            f"key_point = {quoted(f'{title}: one sentence (imported from {name}; write it).')}\n"
            f"summary = {quoted(f'{title}: what it holds (imported from {name}; write it).')}\n")


def _bib(found: Imported, ident: str) -> str:
    return (f"@misc{{{ident},\n  title        = {{{bib_escape(found.title)}}},\n"
            "  year         = {n.d.},\n"
            f"  note         = {{Stub written by briefing import from "
            f"{bib_escape(found.path.name)}: the argument map the seed {ident} was imported "
            "from. Add its author, date and URL.}\n}\n")
