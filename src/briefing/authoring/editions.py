"""`briefing edition add ID:LANG` and `briefing edition remove ID`: a project's editions
changed by a command, not by hand.

remove: the edition's table and every text of it leave briefing.toml, the seeds and
    analysis.yaml, cut out of the text as written (comments, order and quoting of
    everything else stay byte for byte); its catalogue, its records and its prose files
    (chapters/*.<id>.md) are deleted once the edited files are written.
add: an [editions.<id>] table after the last one, then `translations update` writes its
    catalogue and records; the report lists, per file, what is left to translate.

The edited files are written together through the project door (runtime/writing.py),
or none of them; a text that cannot be cut out safely (a one-line {en: …, nl: …}
mapping) stops the command before anything is written, named with its line.
"""

from __future__ import annotations

import os
import re
import tomllib
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from briefing.errors import BriefingError, Collector, Problem
from briefing.model import config as config_load
from briefing.model.project import ANALYSIS_NAME, Project
from briefing.runtime import writing


@dataclass
class Cut:
    """What leaves one file: the text left, and how many of the edition's texts went."""

    text: str
    removed: int
    problems: list[Problem] = field(default_factory=list)


# --- remove ---------------------------------------------------------------------------

def remove(root: Path, ident: str) -> list[str]:
    """Drop edition `ident` from the project at `root`; returns the report."""
    project = config_load.load(root)
    ids = [e.id for e in project.editions]
    if ident not in ids:
        raise BriefingError.at(f"no edition {ident!r}", project.config_path,
                               project.line_of("editions", ids[0]) or
                               project.line_of("editions"),
                               f"its editions: {', '.join(ids)}")
    if project.edition(ident).default:
        raise BriefingError.at(
            f"{ident!r} is the default edition: the other editions translate its texts",
            project.config_path, project.line_of("build", "edition"),
            "a briefing keeps at least its default edition; to drop this language, make "
            "another edition the default first (build.edition)")
    problems, writes, report = Collector(), {}, []
    toml_text = project.inputs.read_text(project.config_path)
    cut = cut_toml(toml_text, ident, set(ids), project.config_path)
    problems.problems.extend(cut.problems)
    writes[project.config_path] = cut.text
    report.append(f"briefing.toml: [editions.{ident}] and {cut.removed} {ident} text(s) "
                  "removed")
    for path in _data_files(project):
        cut = cut_yaml(project.inputs.read_text(path), ident, set(ids), path)
        problems.problems.extend(cut.problems)
        if cut.removed:
            writes[path] = cut.text
            report.append(f"{_rel(path, root)}: {cut.removed} {ident} text(s) removed")
    problems.raise_if_any()
    gone = _edition_files(project, ident)
    writing.write_files(root, {path: text.encode("utf-8") for path, text in writes.items()})
    for path in gone:
        _delete(root, path)
        report.append(f"{_rel(path, root)}: deleted")
    return report


def _data_files(project: Project) -> list[Path]:
    seeds = project.seeds_dir
    found = sorted(seeds.glob("*.yaml")) + sorted(seeds.glob("*.yml"))
    analysis = project.root / ANALYSIS_NAME
    return [p for p in found + [analysis] if os.path.isfile(p) and not os.path.islink(p)]


def _edition_files(project: Project, ident: str) -> list[Path]:
    """The files only this edition reads: its catalogue, its records, its prose."""
    found = [project.locale_dir / f"{ident}.po", project.locale_dir / f"{ident}.texts.json"]
    found += sorted(project.chapters_dir.rglob(f"*.{ident}.md"))
    return [p for p in found if os.path.lexists(p)]


def _delete(root: Path, path: Path) -> None:
    """Unlink a file inside the project (a link is removed, never followed)."""
    try:
        os.unlink(path)
    except OSError as exc:
        raise BriefingError.at(f"cannot delete the file: {writing.reason(exc)}", path, None,
                               "delete it by hand: the edition is gone from every other "
                               "file") from None


TABLE_RE = re.compile(r"^\s*\[\s*([^\]]*?)\s*\]\s*(#.*)?$")


def cut_toml(text: str, ident: str, ids: set[str], path: Path) -> Cut:
    """briefing.toml without [editions.<ident>] and without any `<key>.<ident> = …`
    (or `<ident> = …` in a table of texts); each value may run over several lines."""
    lines = text.splitlines(keepends=True)
    keep: list[str] = []
    removed, table, index = 0, "", 0
    dotted = re.compile(rf"^\s*(?:[A-Za-z0-9_-]+\s*\.\s*)+{re.escape(ident)}\s*=")
    bare = re.compile(rf"^\s*{re.escape(ident)}\s*=")
    while index < len(lines):
        line = lines[index]
        header = TABLE_RE.match(line)
        if header and not line.lstrip().startswith("[["):
            table = re.sub(r"\s+", "", header.group(1)).replace('"', "")
            if table == f"editions.{ident}":
                index += 1  # the table and its keys, up to a blank line or the next table
                while index < len(lines) and lines[index].strip() and not TABLE_RE.match(
                        lines[index]):
                    index += 1
                if keep and not keep[-1].strip() and index < len(lines) and \
                        not lines[index].strip():
                    index += 1  # one blank line, not two
                continue
        is_text = dotted.match(line) or (bare.match(line) and not table.startswith(
            ("editions.", "perspectives.")) and table not in ("", "build", "limits"))
        if is_text:
            end = _value_end(lines, index)
            removed += 1
            index = end
            continue
        keep.append(line)
        index += 1
    result = "".join(keep)
    cut = Cut(result, removed)
    try:
        parsed = tomllib.loads(result)
    except tomllib.TOMLDecodeError as exc:  # our cut, not the author's file
        cut.problems.append(Problem(f"could not remove the {ident} texts: {exc}", path, None,
                                    f"remove the {ident} lines by hand"))
        return cut
    for loc in _left_texts(parsed, ident, ids):
        cut.problems.append(Problem(
            f"{'.'.join(loc)} still has a {ident!r} text written in a form this command "
            "does not cut", path, _line_of(text, loc[-1]),
            f"write it as `{loc[-1]}.{ident} = …` on its own line, or remove it by hand"))
    return cut


def _value_end(lines: list[str], start: int) -> int:
    """The line after the value that begins on `start` (a string or array may go on)."""
    for end in range(start + 1, min(len(lines), start + 500) + 1):
        chunk = "".join(lines[start:end]).strip()
        chunk = re.sub(r"^[^=]*=", "x =", chunk, count=1)
        try:
            tomllib.loads(chunk)
            return end
        except tomllib.TOMLDecodeError:
            continue
    return start + 1


def _left_texts(data: object, ident: str, ids: set[str], loc: tuple = ()) -> list[tuple]:
    if not isinstance(data, dict):
        return []
    if loc and ident in data and set(data) <= ids and loc[0] != "editions":
        return [loc]
    return [found for key, value in data.items()
            for found in _left_texts(value, ident, ids, (*loc, str(key)))]


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(rf"^\s*{re.escape(key)}\b", line):
            return number
    return None


def cut_yaml(text: str, ident: str, ids: set[str], path: Path) -> Cut:
    """A seed or analysis.yaml without the edition's texts: in each mapping whose keys
    are all edition ids, the `<ident>:` entry goes, lines and all; a mapping left empty
    goes with the key that held it (a quote's `translation:` with only this edition)."""
    try:
        tree = YAML().compose(text)
    except YAMLError:  # `briefing check` names it; nothing to cut in a file not read
        return Cut(text, 0, [Problem("the file does not parse as YAML", path, None,
                                     "run `briefing check` and fix it first")])
    spans: list[tuple[int, int]] = []
    problems: list[Problem] = []
    if tree is not None:
        _walk(tree, None, text, ident, ids, path, spans, problems)
    result = text
    for start, end in sorted(spans, reverse=True):
        result = result[:start] + result[end:]
    return Cut(result, len(spans), problems)


def _walk(node: Node, holder: tuple[Node, Node] | None, text: str, ident: str,
          ids: set[str], path: Path, spans: list, problems: list) -> None:
    if isinstance(node, SequenceNode):
        for item in node.value:
            _walk(item, None, text, ident, ids, path, spans, problems)
        return
    if not isinstance(node, MappingNode):
        return
    keys = [k.value for k, _ in node.value if isinstance(k, ScalarNode)]
    if ident in keys and set(keys) <= ids:
        target = holder if len(keys) == 1 and holder is not None else next(
            (k, v) for k, v in node.value if k.value == ident)
        span = _span(text, *target)
        if span is None or node.flow_style and target is not holder:
            line = target[0].start_mark.line + 1
            problems.append(Problem(f"cannot cut the {ident!r} text out of this line", path,
                                    line, f"remove its `{ident}: …` by hand, or write the "
                                    "texts one per line"))
        else:
            spans.append(span)
        return
    for key, value in node.value:
        _walk(value, (key, value), text, ident, ids, path, spans, problems)


def _span(text: str, key: Node, value: Node) -> tuple[int, int] | None:
    """From the start of the key's line to the end of the value's last line, if the
    key begins its line and nothing but a comment follows the value."""
    start = text.rfind("\n", 0, key.start_mark.index) + 1
    if text[start:key.start_mark.index].strip():
        return None
    end = value.end_mark.index
    line_start = text.rfind("\n", 0, end) + 1  # a block ends where the next token begins
    if line_start > start and not text[line_start:end].strip():
        return start, line_start
    newline = text.find("\n", end)
    newline = len(text) if newline < 0 else newline + 1
    rest = text[end:newline].strip()
    if rest and not rest.startswith("#"):
        return None
    return start, newline


# --- add ------------------------------------------------------------------------------

def add(root: Path, spec: str) -> list[str]:
    """Add the edition `spec` (ID:LANG or LANG) to the project at `root`: its table in
    briefing.toml, its catalogue and records; returns the report, with what to translate."""
    from briefing.authoring.new import parse_editions
    from briefing.authoring.translations import update

    project = config_load.load(root)
    chosen = parse_editions([spec], "edition add")
    if len(chosen) != 1:
        raise BriefingError.at(f"edition add takes one edition, not {spec!r}", None, None,
                               "run it once per edition, e.g. briefing edition add nl")
    edition = chosen[0]
    if edition.id in {e.id for e in project.editions}:
        raise BriefingError.at(f"edition {edition.id!r} is there already",
                               project.config_path, project.line_of("editions", edition.id),
                               "name a new id, e.g. briefing edition add fr:fr-BE")
    old = project.inputs.read_text(project.config_path)
    new = insert_table(old, project, edition.id, edition.language)
    writing.write_file(root, project.config_path, new.encode("utf-8"))
    try:
        report = update(root, edition.id, [], False)
    except BaseException:
        writing.write_file(root, project.config_path, old.encode("utf-8"))
        raise
    return [f"briefing.toml: [editions.{edition.id}] added ({edition.language})",
            *report, *to_translate(root, edition.id)]


def insert_table(text: str, project: Project, ident: str, language: str) -> str:
    """briefing.toml with [editions.<ident>] after the last editions table (the implicit
    English edition written out first if the file names none)."""
    block = [f"[editions.{ident}]",
             f'language = "{language}"  # BCP 47: hyphenation, dates, the citation '
             "style's locale",
             f'identifier = "urn:uuid:{uuid.uuid4()}"  # this edition\'s own id: never '
             "reuse it"]
    lines = text.splitlines()
    last = None
    for number, line in enumerate(lines):
        header = TABLE_RE.match(line)
        if header and re.sub(r"\s+", "", header.group(1)).startswith("editions."):
            last = number
    if last is None:  # no [editions]: the default English one, then the new
        default = project.default_edition
        block = [f"[editions.{default.id}]", f'language = "{default.language}"', "", *block]
        return text.rstrip("\n") + "\n\n" + "\n".join(block) + "\n"
    end = last + 1
    while end < len(lines) and lines[end].strip() and not TABLE_RE.match(lines[end]):
        end += 1
    joined = [*lines[:end], "", *block, *([""] if end < len(lines) and lines[end].strip()
                                           else []), *lines[end:]]
    return "\n".join(joined) + "\n"


def to_translate(root: Path, ident: str) -> list[str]:
    """What the new edition lacks, counted per file (`briefing check` names each)."""
    from briefing.compose import document
    from briefing.model import load as model_load

    problems = Collector()
    model = model_load.load(root, problems)
    if problems.problems:
        return ["to translate: run `briefing check` to list them"]
    document.prepare(model.project, model.coverage, problems)
    counts = Counter(_rel(g.path, root) for g in model.coverage.gaps if g.edition == ident)
    if not counts:
        return [f"to translate in {ident}: nothing"]
    lines = [f"to translate in {ident} ({sum(counts.values())} texts; `briefing check` "
             "names each with its line; `briefing build --allow-missing` drafts meanwhile):"]
    lines += [f"  {path}: {count}" for path, count in sorted(counts.items())]
    return lines


def _rel(path: Path, root: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return str(path)
