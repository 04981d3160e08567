"""Pandoc Markdown from values: escaping, joined names, citations with locators."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#@~^$|])")


def md_unescape(text: str) -> str:
    """The plain text of md_escape's result."""
    return _MD_UNESCAPE.sub(r"\1", text)


_MD_UNESCAPE = re.compile(r"\\([\\`*_{}\[\]<>#@~^$|])")


def md_escape(text: object) -> str:
    """Data text into Markdown: literal, so a stray '@' or '*' in a claim stays text."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def join_names(names: list[str], conjunction: str = "and") -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {conjunction} " + names[-1]


def citation(refs: list[tuple[str, int]], locators: tuple[str, str] = ("para.", "paras.")
             ) -> str:
    """[(key, para), ...] -> a Pandoc citation with paragraph locators, one cite per key.
    `locators` are the edition's words for one and several paragraphs: citeproc parses
    locator labels in the document's language only ("par." in Dutch, "para." in English)."""
    by_key: dict[str, list[int]] = {}
    for key, para in refs:
        by_key.setdefault(key, [])
        if para not in by_key[key]:
            by_key[key].append(para)
    parts = []
    for key, paras in by_key.items():
        label = locators[0] if len(paras) == 1 else locators[1]
        parts.append(f"@{key}, {label} {', '.join(str(p) for p in sorted(paras))}")
    return "[" + "; ".join(parts) + "]"
