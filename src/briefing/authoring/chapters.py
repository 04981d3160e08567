"""The example project's chapter templates (skeleton/chapters/*.md.j2). Every word a
reader sees goes through gettext, and is written in the default edition's language:
in the skeleton, `_("Key points")` names a message by its English text and
`{% trans %}intro{% endtrans +%}` a paragraph by its key in words.M; the other editions'
words go to their catalogues, locale/<edition>.po, from the same messages."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable

from briefing.authoring.project_files import SKELETON

CALL_RE = re.compile(r'_\(("(?:[^"\\]|\\.)*")')
TRANS_RE = re.compile(r"(\{% trans[^%]*%\})([\w.-]+)(\{% endtrans \+%\})")


def chapters(text: Callable[[str], str]) -> dict[str, str]:
    """chapters/<name> -> template, each message in the words text(key) gives."""
    found = {}
    for path in sorted((SKELETON / "chapters").glob("*.md.j2")):
        template = path.read_text("utf-8")
        template = CALL_RE.sub(lambda m: "_(" + json.dumps(
            text(json.loads(m.group(1))), ensure_ascii=False), template)
        # Wrapped for the author's eyes: the trimmed policy joins the lines again.
        template = TRANS_RE.sub(lambda m: m.group(1) + textwrap.fill(re.sub(
            r"%\((\w+)\)s", r"{{ \1 }}", text(m.group(2))), 88) + m.group(3), template)
        found[path.name] = template
    return found
