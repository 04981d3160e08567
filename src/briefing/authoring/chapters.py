"""The example project's chapter templates (skeleton/chapters/*.md.j2), in the default
edition's language. In the skeleton, `_("Key points")` names a message by its English
text and `{% trans %}intro{% endtrans +%}` a paragraph by its key in words.M. With one
edition they become plain words (no gettext, no catalogue); with several they stay
messages, and the other editions' words go to locale/<edition>.po."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable

from briefing.authoring.project_files import SKELETON

CALL_RE = re.compile(r'_\(("(?:[^"\\]|\\.)*")')
TRANS_RE = re.compile(r"(\{% trans[^%]*%\})([\w.-]+)(\{% endtrans \+%\})")
PLAIN_CALL_RE = re.compile(r'\{\{ _\(("(?:[^"\\]|\\.)*")\) \}\}')
TRANS_ARGS_RE = re.compile(r"\{% trans ?([^%]*)%\}([\w.-]+)\{% endtrans \+%\}")


def chapters(text: Callable[[str], str], several: bool = True) -> dict[str, str]:
    """chapters/<name> -> template, each message in the words text(key) gives; with one
    edition (`several` false) the messages are written as plain words."""
    found = {}
    for path in sorted((SKELETON / "chapters").glob("*.md.j2")):
        template = path.read_text("utf-8")
        if not several:
            template = _plain(template, text)
        template = CALL_RE.sub(lambda m: "_(" + json.dumps(
            text(json.loads(m.group(1))), ensure_ascii=False), template)
        # Wrapped for the author's eyes: the trimmed policy joins the lines again.
        template = TRANS_RE.sub(lambda m: m.group(1) + textwrap.fill(re.sub(
            r"%\((\w+)\)s", r"{{ \1 }}", text(m.group(2))), 88) + m.group(3), template)
        found[path.name] = template
    return found


def _plain(template: str, text: Callable[[str], str]) -> str:
    """The chapter's own words written out: `{{ _("Sources") }}` becomes Sources, and a
    trans block its paragraph, its placeholders `{{ expression }}` (a one-edition
    briefing needs no catalogue). Calls with arguments (in the macros) stay messages."""
    template = PLAIN_CALL_RE.sub(lambda m: text(json.loads(m.group(1))), template)

    def paragraph(match: re.Match) -> str:
        names = dict(part.strip().split("=", 1) for part in match.group(1).split(",")
                     if "=" in part)
        words = re.sub(r"%\((\w+)\)s", lambda m: "{{ " + str(names.get(m.group(1), m.group(1)))
                       .strip() + " }}", text(match.group(2)))
        return textwrap.fill(words, 88, break_long_words=False, break_on_hyphens=False)

    return TRANS_ARGS_RE.sub(paragraph, template)
