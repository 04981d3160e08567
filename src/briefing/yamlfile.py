"""Safe YAML: no tags, no anchors, no duplicate keys, and every value keeps its line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .errors import BriefingError, read_text

MAX_NODES = 200_000  # far above any real seed file; stops pathological inputs early
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


def load(path: Path) -> YamlDoc:
    text = read_text(path)
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as exc:
        raise _marked(exc, path) from None
    except YAMLError as exc:  # unmarked: rare, but never a traceback
        raise BriefingError.at(f"invalid YAML: {exc}", path, hint="check the YAML syntax") from None
    if tree is None:
        raise BriefingError.at("file is empty", path, 1, "a seed file needs a 'source:' mapping")
    counter = [0]
    data = _plain(tree, path, counter, set(), 1)
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
        "check indentation, colons, brackets and quotes on this line")
    line = mark.line + 1 if mark else None
    if exc.context_mark is not None and exc.problem_mark is not None and (
            exc.context_mark.line < exc.problem_mark.line):
        # The parser notices a missing bracket or quote later than where it went wrong:
        # name the line where the unfinished construct began.
        line = exc.context_mark.line + 1
        problem += f" (noticed on line {exc.problem_mark.line + 1})"
    return BriefingError.at(f"invalid YAML: {problem}", path, line, hint)


def _plain(node: Any, path: Path, counter: list[int], seen: set[int], line: int) -> Any:
    """Copy the round-trip tree into plain data, refusing tags, anchors and aliases."""
    counter[0] += 1
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
    if isinstance(node, CommentedMap):
        seen.add(id(node))
        return {key if isinstance(key, str | int) else str(key):
                _plain(value, path, counter, seen, node.lc.key(key)[0] + 1)
                for key, value in node.items()}
    if isinstance(node, CommentedSeq):
        seen.add(id(node))
        return [_plain(value, path, counter, seen, node.lc.item(i)[0] + 1)
                for i, value in enumerate(node)]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool | int | float) or node is None:
        return node
    if isinstance(node, dt.date):
        return node.isoformat()
    raise BriefingError.at(f"unsupported YAML value of type {type(node).__name__}", path, line,
                           "use plain strings, numbers, lists and mappings")
