"""Safe YAML: no tags, no anchors, no duplicate keys, and every value keeps its line."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import ConstructorError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from briefing import files
from briefing.errors import BriefingError

MAX_NODES = 200_000  # far above any real seed file; stops pathological inputs early
MAX_DEPTH = 40  # seeds nest five deep; the parser recurses per level
MAX_DIGITS = 40  # an integer in a seed is a paragraph number or a year
_STANDARD_TAGS = {None, "", "?", "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
                  "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                  "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"}


class YamlDoc:
    """A parsed YAML file: plain Python data plus the line of every key and item."""

    def __init__(self, path: Path, tree: Any, data: Any):
        self.path = path
        self._tree = tree
        self.data = data

    def line(self, loc: tuple = ()) -> int | None:
        """1-based line of the value at loc (keys and list indices), or its nearest parent."""
        node, line = self._tree, 1
        for part in loc:
            if isinstance(node, CommentedMap) and part in node:
                line = node.lc.key(part)[0] + 1
                node = node[part]
            elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
                line = node.lc.item(part)[0] + 1
                node = node[part]
            else:
                break
        return line

    def error(self, message: str, loc: tuple = (), hint: str | None = None) -> BriefingError:
        return BriefingError.at(message, self.path, self.line(loc), hint)


class _Constructor(RoundTripConstructor):
    """Dates stay text (the schema says what a field holds), but an impossible date such
    as 2012-02-30 is an error at its line; integers are bounded."""

    def construct_yaml_int(self, node):
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_DIGITS:
            raise ConstructorError(None, None, f"an integer of {digits} digits",
                                   node.start_mark)
        return super().construct_yaml_int(node)


    def construct_yaml_timestamp(self, node, values=None):
        try:
            super().construct_yaml_timestamp(node, values)
        except ValueError as exc:  # 2012-02-30: looks like a date, is none
            raise ConstructorError(None, None, f"{node.value!r} is not a real date ({exc})",
                                   node.start_mark) from None
        return self.construct_yaml_str(node)


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)
_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)


# path -> (text, tree, data) of its last good load, inside remembered(); else None.
_LOADED: dict[Path, tuple[str, Any, Any]] | None = None


@contextlib.contextmanager
def remembered() -> Iterator[None]:
    """Inside this block (`briefing watch`), a file whose text is the same as at its last
    good load is not parsed again: its tree and data are that load's (the data copied, so
    no caller can change what the next load returns). A file that fails is parsed, and
    fails, every time: its errors are those of a fresh load."""
    global _LOADED
    previous, _LOADED = _LOADED, {}
    try:
        yield
    finally:
        _LOADED = previous


def load(path: Path, inputs: files.Inputs | None = None) -> YamlDoc:
    text = inputs.read_text(path) if inputs else files.read_text(path)
    known = _LOADED.get(path) if _LOADED is not None else None
    if known is not None and known[0] == text:
        return YamlDoc(path, known[1], copy.deepcopy(known[2]))
    doc = _parse(path, text)
    if _LOADED is not None:
        _LOADED[path] = (text, doc._tree, copy.deepcopy(doc.data))
    return doc


def _parse(path: Path, text: str) -> YamlDoc:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.allow_duplicate_keys = False
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as exc:
        raise _marked(exc, path) from None
    except (YAMLError, ValueError) as exc:  # unmarked: rare, but never a traceback
        raise BriefingError.at(f"invalid YAML: {exc}", path, hint="check the YAML syntax") from None
    except RecursionError:  # the parser recurses per level; locate the deep spot ourselves
        raise BriefingError.at(f"values nested more than {MAX_DEPTH} levels deep", path,
                               too_deep(text, MAX_DEPTH),
                               "flatten the structure; a seed needs a few levels only") from None
    if tree is None:
        raise BriefingError.at("file is empty", path, 1, "a seed file needs a 'source:' mapping")
    counter = [0]
    data = _plain(tree, path, counter, set(), 1, 0)
    return YamlDoc(path, tree, data)


def _marked(exc: MarkedYAMLError, path: Path) -> BriefingError:
    mark = exc.problem_mark or exc.context_mark
    problem = (exc.problem or exc.context or "invalid YAML").strip()
    if "duplicate key" in problem and exc.context_mark is not None:
        first = exc.context_mark.line + 1
        return BriefingError.at(
            f"{problem.split(' with value')[0]} (first defined on line {first})",
            path, mark.line + 1 if mark else None, "remove or rename one of the two keys")
    hint = "use spaces, not tabs, to indent YAML" if "'\\t'" in problem else (
        "write a date that exists (YYYY-MM-DD), or quote it to keep it as text"
        if "not a real date" in problem else "write a shorter number, or quote it"
        if "an integer of" in problem else
        "check indentation, colons, brackets and quotes on this line")
    line = mark.line + 1 if mark else None
    context = exc.context or ""
    if problem.startswith("expected <block end>") and exc.problem_mark is not None:
        # A line indented as nothing above it is: the parser names the block it breaks
        # (often a list dozens of lines up); the line to fix is the one it stopped at.
        began = f" (the block it breaks begins on line {exc.context_mark.line + 1})" if (
            exc.context_mark is not None
            and exc.context_mark.line < exc.problem_mark.line) else ""
        return BriefingError.at(
            f"invalid YAML: this line's indentation fits no key or list above it{began}",
            path, exc.problem_mark.line + 1,
            "indent it as the lines it belongs with (spaces only), or fix the line above")
    if problem == "mapping values are not allowed here":
        return BriefingError.at(
            "invalid YAML: a ': ' where no key can begin", path, line,
            "put text that holds ': ' in quotes, or indent this line as the lines it belongs "
            "with")
    if exc.context_mark is not None and exc.problem_mark is not None and (
            exc.context_mark.line < exc.problem_mark.line) and (
            "flow" in context or "quoted" in context or "simple key" in context):
        # The parser notices a missing bracket, quote or colon later than where it went
        # wrong: name the line where the unfinished construct began.
        line = exc.context_mark.line + 1
        problem += f" (noticed on line {exc.problem_mark.line + 1})"
    return BriefingError.at(f"invalid YAML: {problem}", path, line, hint)


def _plain(node: Any, path: Path, counter: list[int], seen: set[int], line: int,
           depth: int) -> Any:
    """Copy the round-trip tree into plain data, refusing tags, anchors and aliases."""
    counter[0] += 1
    if depth > MAX_DEPTH:
        raise BriefingError.at(f"values nested more than {MAX_DEPTH} levels deep", path, line,
                               "flatten the structure; a seed needs a few levels only")
    if counter[0] > MAX_NODES:
        raise BriefingError.at(f"file has more than {MAX_NODES} values", path, line,
                               "split it or remove repeated content")
    tag = getattr(getattr(node, "tag", None), "value", None)
    if tag not in _STANDARD_TAGS:
        raise BriefingError.at(f"YAML tag {tag!r} is not allowed", path, line,
                               "remove the tag: seed files hold plain data only")
    anchor = getattr(getattr(node, "anchor", None), "value", None)
    if anchor is not None or (isinstance(node, CommentedMap | CommentedSeq) and id(node) in seen):
        raise BriefingError.at("YAML anchors and aliases are not allowed", path, line,
                               "write the value out in full")
    if isinstance(node, CommentedMap) and getattr(node, "merge", None):
        raise BriefingError.at("YAML merge keys (<<) are not allowed", path, node.lc.line + 1,
                               "write the keys out in full")
    if isinstance(node, CommentedMap):
        seen.add(id(node))
        return {key if isinstance(key, str | int) else str(key):
                _plain(value, path, counter, seen, node.lc.key(key)[0] + 1, depth + 1)
                for key, value in node.items()}
    if isinstance(node, CommentedSeq):
        seen.add(id(node))
        return [_plain(value, path, counter, seen, node.lc.item(i)[0] + 1, depth + 1)
                for i, value in enumerate(node)]
    if isinstance(node, str):
        bad = files.forbidden(node)
        if bad:  # written as an escape ("\\uFFFF"), so not seen in the file's text
            raise BriefingError.at(f"{files.describe(bad.group())} in a value", path, line,
                                   "remove it; no output format can carry it")
        return str(node)
    if isinstance(node, bool | int | float) or node is None:
        return node
    if isinstance(node, dt.date):
        return node.isoformat()
    raise BriefingError.at(f"unsupported YAML value of type {type(node).__name__}", path, line,
                           "use plain strings, numbers, lists and mappings")


def too_deep(text: str, most: int) -> int | None:
    """The first line where block indentation, '- ' markers and flow brackets together
    nest more than `most` levels (the parser would recurse past Python's stack): the
    scanner of JSON and TOML, given each line's block depth."""
    return files.too_deep(text, most, files.YAML_SKIP, _block_depth())


def _block_depth() -> Callable[[str], int]:
    """A line's depth by its indentation and '- ' markers, given the lines before it (the
    indentations still open); a blank or comment line opens and closes nothing."""
    indents: list[int] = []

    def depth(line: str) -> int:
        body = line.lstrip(" ")
        if not body or body.startswith("#"):
            return 0
        width = len(line) - len(body)
        while indents and indents[-1] > width:
            indents.pop()
        if not indents or indents[-1] < width:
            indents.append(width)
        dashes = len(body) - len(body.lstrip("- "))
        return len(indents) + body[:dashes].count("-")

    return depth
