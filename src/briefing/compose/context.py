"""Every name a chapter template sees, declared once: composing fills a TemplateContext,
and docs/format.md and the template errors' hints read the same declaration, so the
documented variables are always the ones a template gets.

The docstring under each variable is what docs/format.md says of it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from briefing.compose.argmap import ArgumentMap
from briefing.compose.language import Words
from briefing.compose.views import (
    ActorView,
    ClaimView,
    EventView,
    KeyPointView,
    PerspectiveView,
    QuestionView,
    RowView,
    TermView,
)
from briefing.model.settings import Document
from briefing.model.sources import Relation, SourceMeta
from briefing.model.texts import Edition


@dataclass
class TemplateContext:
    """What every chapter template sees, in the language of the edition being composed."""

    document: Document
    """The [document] table of briefing.toml as written: a text given per edition is a
    mapping {edition id: text}."""
    edition: Edition
    """The edition being composed."""
    labels: dict[str, str]
    """The engine's words in the edition's language, by key (labels.references,
    labels.translation, ...)."""
    words: Words
    """The engine's words: labels, and the words for claim kinds, relations and colours."""
    gettext: Callable[..., str]
    """The edition's wording of a message of the templates: {{ _("Key points") }} is
    gettext("Key points"); %(name)s placeholders are filled from keyword arguments."""
    ngettext: Callable[..., str]
    """The same for a message with a singular and a plural, chosen by a number."""
    perspectives: list[PerspectiveView]
    """The perspectives, in the order of briefing.toml, each with its claims."""
    perspective: dict[str, PerspectiveView]
    """The perspectives by id: perspective["<id>"] (perspective.<id> when it has no -)."""
    claims: dict[str, ClaimView]
    """Every claim by id, in seed order."""
    background: list[ClaimView]
    """The claims of no perspective (background facts)."""
    actors: dict[str, ActorView]
    """Every actor by id."""
    sources: dict[str, SourceMeta]
    """Every source by id, as its seed describes it."""
    relations: list[Relation]
    """Every relation between claims, as the seeds give them."""
    argument_map: ArgumentMap
    """The argument map: its SVG's path, legend, and the map in words."""
    comparison: list[RowView]
    """The comparison of analysis.yaml: one row per dimension, a cell per perspective
    (a claim shown only here counts as shown only when a template reads it)."""
    questions: list[QuestionView]
    """The questions for policy of analysis.yaml."""
    glossary: list[TermView]
    """The glossary of analysis.yaml, in the reader's alphabetical order."""
    timeline: list[EventView]
    """The timeline of analysis.yaml, in order."""
    key_points: list[KeyPointView]
    """The key points of analysis.yaml."""
    changelog: str = ""
    """The section "What changed in this version" (Markdown, a chapter of its own), from
    the changes since the previous release in releases/; "" when there is none. Printed
    where a template puts {{ changelog }}, else at the end of the document."""

    def variables(self) -> dict[str, Any]:
        """The names as Jinja2 gets them (a shallow dict: views stay as they are)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


# What the template environment adds to the context: `_` is gettext, as in Python.
FUNCTIONS = {
    "_": "gettext: the edition's wording of a message (`{{ _(\"Key points\") }}`).",
    "range": "Jinja2's range(n), range(start, stop[, step]).",
    "dict": "Jinja2's dict(key=value, ...).",
    "namespace": "Jinja2's namespace(): a value a loop can change.",
    "cycler": "Jinja2's cycler(a, b, ...): cycles through values.",
    "joiner": "Jinja2's joiner(sep): a separator that prints from its second call on.",
}
FILTERS = {
    "md": "Keeps a data text literal in Markdown (`{{ claim.statement | md }}`): escapes "
          "`*`, `_`, `[`, `#`, `@` and the like, and joins its lines into one.",
    "join_names": "Joins names for a sentence in the edition's language: `A, B and C`.",
}
