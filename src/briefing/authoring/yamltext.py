"""Writing YAML and TOML by hand, deterministically: scalars quoted so that they read back
exactly (a paragraph must match its quotes character for character), comments kept where
an author needs them. The files are written as text, not dumped, for the comments."""

from __future__ import annotations

import json
import re

PLAIN = re.compile(r"^[a-z][a-z0-9-]*$")
# Words YAML 1.1 readers (and some editors) take for booleans or null.
SPECIAL = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def quoted(text: str) -> str:
    """A double-quoted scalar, valid in YAML and TOML alike (JSON's escapes are a subset
    of both); non-ASCII letters stay as they are."""
    return json.dumps(text, ensure_ascii=False)


def scalar(value: object) -> str:
    """An id stays plain (`id: lind-quieter`); any other text is double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    return text if PLAIN.match(text) and text not in SPECIAL else quoted(text)


def block(value: object, indent: int = 0) -> list[str]:
    """Lines of a YAML block for plain data (dicts, lists, scalars), in the given order."""
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{scalar(key)}:")
                lines += block(item, indent + 2)
            else:
                lines.append(f"{pad}{scalar(key)}: {inline(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict) and item:
                inner = block(item, indent + 2)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines += inner[1:]
            else:
                lines.append(f"{pad}- {inline(item)}")
    return lines


def inline(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {inline(v)}" for k, v in value.items()) + "}"
    return scalar(value)


def paragraphs(numbered: list[str], indent: int, left_out: list[str]) -> list[str]:
    """The numbered paragraphs of a seed, one double-quoted line each, after a comment
    naming what the numbering leaves out (headings)."""
    pad = " " * indent
    lines = []
    if left_out:
        lines.append(f"{pad}# Left out of the numbering (headings and the like):")
        lines += [f"{pad}#   {quoted(text)}" for text in left_out]
    lines += [f"{pad}{n}: {quoted(text)}" for n, text in enumerate(numbered, 1)]
    return lines
