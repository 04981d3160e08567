"""Prose written straight into a chapter template, outside gettext.

In a briefing with several editions the chapters' own words reach each edition through
`_()` and `{% trans %}`; words typed in the template outside them are printed as they
stand in every edition, so an English "See also" lands in the Dutch one. This finds them
in Jinja2's syntax tree: the template's literal text (TemplateData; text inside `_()` or
`{% trans %}` is a gettext call there, not TemplateData), with the Markdown and Pandoc
syntax taken out, line by line. A line is reported when a word is left.

What counts as a word (the rule, chosen so that markup, labels and acronyms pass):
two or more letters, not all capitals. So "P", "P1", "¶", "EU" or "PDF" pass, while
"See also", "Notes" or a lone name such as "Okafor" are reported; a name meant to read the
same in every edition can be written as an expression, `{{ "Okafor" }}`, which is not
template text. Text written as an expression is never reported.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
from jinja2 import nodes

from briefing.errors import Problem

# Where an expression or tag stood: it is no word and keeps the words around it apart.
HOLE = "\x00"
WORD_RE = re.compile(r"[^\W\d_]{2,}")
# Markdown and Pandoc syntax whose letters are not prose, in the order they are removed.
SYNTAX = [re.compile(pattern, flags) for pattern, flags in (
    (r"<!--.*?-->", re.S),                                 # HTML comments
    (r"^ {0,3}(`{3,}|~{3,}).*?^ {0,3}\1[`~]*[ \t]*$", re.S | re.M),  # fenced code
    (r"`+[^`\n]*`+", 0),                                   # inline code
    (r"^ *:{3,}.*$", re.M),                                # fenced div lines (::: {.note})
    (r"\{[^{}\n]*\}", 0),                                  # attributes: {#id .class lang=x}
    (r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S+", re.M),              # reference definitions
    (r"\[\^[^\]\n]+\]", 0),                                # footnote marks [^note]
    (r"(?<=\])\([^()\n]*\)", 0),                           # link and image targets (#anchor)
    (r"(?<=\])\[[^\]\n]*\]", 0),                           # reference link labels [text][map]
    (r"-?@[\w][\w:.#$%&+?<>~/-]*", 0),                     # citation keys [@key], @fig:x
    (r"</?[A-Za-z][^<>\n]*>", 0),                          # HTML tags and autolinks
    (r"\b[A-Za-z][\w+.-]*://\S+|\bwww\.\S+", 0),           # bare URLs
    (r"&#?\w+;", 0),                                       # HTML entities
    (r"\\[A-Za-z]+", 0),                                   # raw TeX commands (\newpage)
)]


def untranslated(env: jinja2.Environment, templates: dict[Path, str],
                 catalogues: list[str]) -> list[Problem]:
    """A warning for each template line (path -> source) whose own text has words that
    no catalogue translates; `catalogues` names the other editions' .po files, for the
    hint."""
    found = []
    where = " and ".join(catalogues)
    for path, source in templates.items():
        try:
            tree = env.parse(source)
        except jinja2.TemplateSyntaxError:
            continue  # reported, with its line, when the templates are parsed
        for line, text in _prose_lines(tree):
            found.append(Problem(
                f"text outside _() or {{% trans %}} is printed in every edition: "
                f"\"{_clip(text)}\"", path, line,
                f"wrap it as {{{{ _(\"…\") }}}} (a short text) or in {{% trans %}}…"
                f"{{% endtrans %}} (a paragraph) and translate it in {where}; a name that "
                f"reads the same in every edition can be written {{{{ \"…\" }}}}"))
    return found


def _prose_lines(tree: nodes.Template) -> list[tuple[int, str]]:
    """(line, literal text) of each template line whose literal text has words."""
    text, lines = _skeleton(tree)
    bare = text
    for pattern in SYNTAX:
        bare = pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), bare)
    written: dict[int, list[str]] = {}
    left: dict[int, list[str]] = {}
    for char, stripped, line in zip(text, bare, lines, strict=True):
        written.setdefault(line, []).append(char)
        left.setdefault(line, []).append(stripped)
    return [(line, "".join(written[line]).replace(HOLE, "…"))
            for line in sorted(left) if _has_words("".join(left[line]))]


def _has_words(text: str) -> bool:
    return any(not word.isupper() for word in WORD_RE.findall(text))


def _skeleton(tree: nodes.Template) -> tuple[str, list[int]]:
    """The template's literal text in source order, a HOLE where anything else stood,
    and the template line of each of its characters."""
    parts: list[str] = []
    lines: list[int] = []
    for output in tree.find_all(nodes.Output):
        for node in [*output.nodes, None]:  # None: the tag after this output
            if isinstance(node, nodes.TemplateData):
                line = node.lineno
                for char in node.data:
                    parts.append(char)
                    lines.append(line)
                    line += char == "\n"
            elif not parts or parts[-1] != HOLE:
                parts.append(HOLE)
                # A tag's line is not recorded: it starts where the text before it ends.
                if node is not None:
                    lines.append(node.lineno)
                else:
                    lines.append(lines[-1] + (parts[-2] == "\n") if lines else 1)
    return "".join(parts), lines


def _clip(text: str, size: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[:size - 1] + "…"
