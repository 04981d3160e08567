"""What chapter templates can use, read from the classes themselves: each variable of
TemplateContext and, class by class, the attributes of what they hold, with types and
descriptions (the docstring under each attribute, a property's docstring, a model field's
description). docs/format.md is written from this, and a template that names something
that does not exist is told what does.
"""

from __future__ import annotations

import dataclasses
import difflib
import inspect
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2.utils import missing
from pydantic import BaseModel

from briefing.compose import views
from briefing.compose.argmap import ArgumentMap, Entry, Row
from briefing.compose.context import FUNCTIONS, TemplateContext
from briefing.compose.language import Words
from briefing.model.schema import TEXTS, attribute_docs, description, text_kind
from briefing.model.settings import Document, Person
from briefing.model.sources import Quote, Relation, SourceMeta
from briefing.model.texts import Edition

DOCS = "docs/format.md"
VARIABLES_ANCHOR = "template-variables"

# What a reader calls each class a template meets, in the order docs/format.md shows them.
TITLES: dict[type, str] = {
    views.PerspectiveView: "perspective", views.ClaimView: "claim", views.ActorView: "actor",
    views.SourceUse: "source use", views.RowView: "comparison row",
    views.CellView: "comparison cell", views.KeyPointView: "key point",
    views.EventView: "timeline entry", views.QuestionView: "question",
    views.TermView: "glossary entry", ArgumentMap: "argument map",
    Entry: "argument map entry", Row: "argument map relation", Edition: "edition", Words: "words",
    Document: "document", SourceMeta: "source", Relation: "relation", Quote: "quote",
    Person: "person (an author)", views.QuestionAsked: "critical question",
}
# Descriptions of classes and attributes (None: the class) that carry none of their own.
ELSEWHERE: dict[tuple[type, str | None], str] = {
    (Edition, None): "The edition being composed: its language and identifier.",
    (Edition, "id"): "The edition's id, the key of its texts (en, nl).",
    (Edition, "language"): "Its language as a BCP 47 tag (en-GB, nl-NL).",
    (Edition, "identifier"): "Its own identifier (urn:uuid:...), as in the metadata.",
    (Edition, "default"): "Is it the default edition (whose outputs also carry the plain "
                          "names)?",
    (Edition, "several"): "Does the briefing have other editions?",
    (Edition, "primary"): "The language without its region: en, nl.",
    (Edition, "babel_locale"): "The language as a Babel locale: en_GB.",
    (Edition, "same_language"): "same_language(tag): is a text in language tag (e.g. a "
                                "source's) in the edition's language?",
    (Words, "labels"): "The engine's short words by key (the same as the variable labels).",
    (Words, "kinds"): "The word for each claim kind: words.kinds[claim.kind].",
    (Words, "relations"): "The verb for each relation type: words.relations['supports'].",
    (Words, "colours"): "The name of each colour of the argument map.",
    (Words, "locators"): "The words for one and several paragraphs in a citation "
                         "(para., paras.).",
}
# A name from the data files whose value a view carries under another name.
RENAMED: dict[type, dict[str, str]] = {
    views.EventView: {"when": "title"},
    views.TermView: {"term": "title", "definition": "text"},
    views.ClaimView: {"reported_by": "reporter", "cites": "cite"},
    Relation: {"from": "source", "to": "target"},
}


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str
    description: str


@dataclass(frozen=True)
class Described:
    cls: type
    title: str
    description: str
    attributes: tuple[Attribute, ...]

    @property
    def anchor(self) -> str:  # a GitHub heading anchor: the heading is the class name
        return self.cls.__name__.lower()


def variables() -> tuple[Attribute, ...]:
    """The context variables of every chapter template."""
    names = {f.name for f in dataclasses.fields(TemplateContext)}
    return tuple(a for a in describe(TemplateContext).attributes if a.name in names)


def classes() -> list[Described]:
    return [describe(cls) for cls in TITLES]


@cache
def describe(cls: type) -> Described:
    if issubclass(cls, BaseModel):
        attributes = [Attribute(name, _model_type(info), description(cls, name))
                      for name, info in cls.model_fields.items()]
    else:  # a dataclass: its fields, then its properties and methods
        assert dataclasses.is_dataclass(cls), cls  # every class a template meets is one
        docs = attribute_docs(cls)
        attributes = [Attribute(f.name, _type_name(f.type), docs.get(f.name, ""))
                      for f in dataclasses.fields(cls)]
        attributes += _members(cls)
    attributes = [a if a.description else Attribute(
        a.name, a.type, ELSEWHERE.get((cls, a.name), "")) for a in attributes]
    own = cls.__doc__ if cls.__doc__ and not cls.__doc__.startswith(f"{cls.__name__}(") else ""
    return Described(cls, TITLES.get(cls, cls.__name__),
                     _first_paragraph(own) or ELSEWHERE.get((cls, None), ""), tuple(attributes))


def unknown(obj: Any, name: Any, context: dict[str, Any]) -> tuple[str, str]:
    """The message and hint for a name a template used that does not exist: the names
    that do, closest first, and where docs/format.md describes them."""
    if obj is missing:
        names = [a.name for a in variables()] + list(FUNCTIONS)
        return f"{name!r} is undefined", _hint(str(name), names, "the variables",
                                                VARIABLES_ANCHOR, closest_first=True)
    what = next((k for k, v in context.items() if v is obj), None)
    if isinstance(obj, dict):
        return f"{what or 'the mapping'} has no key {name!r}", _hint(
            str(name), [str(k) for k in obj], "its keys", VARIABLES_ANCHOR,
            closest_first=True, most=12)
    if isinstance(obj, list | tuple):
        return _in_list(obj, name, what or "the list")
    cls = next((c for c in type(obj).__mro__ if c in TITLES), None)
    if cls is None:
        return (f"{type(obj).__name__} value has no attribute {name!r}",
                f"see {DOCS}#{VARIABLES_ANCHOR} for what each variable holds")
    described = describe(cls)
    renamed = RENAMED.get(cls, {}).get(str(name))
    return f"{described.title} has no attribute {name!r}", _hint(
        str(name), [a.name for a in described.attributes], "its attributes",
        described.anchor, renamed)


def _in_list(items: list | tuple, name: Any, what: str) -> tuple[str, str]:
    if not isinstance(name, str):  # an index past the end
        return f"{what} has no element {name!r}", (
            f"it has {len(items)}, numbered from 0" if items else "it is empty here")
    first = next((c for c in type(items[0]).__mro__ if c in TITLES), None) if items else None
    anchor = describe(first).anchor if first else VARIABLES_ANCHOR
    return f"{what} is a list and has no attribute {name!r}", (
        f"loop over it ({{% for item in {what} %}}) or take one ({what}[0]); see "
        f"{DOCS}#{anchor}")


def _hint(name: str, names: list[str], listing: str, anchor: str,
          suggestion: str | None = None, closest_first: bool = False,
          most: int | None = None) -> str:
    near = difflib.get_close_matches(name, names, n=1)
    suggestion = suggestion or (near[0] if near else None)
    if closest_first:
        names = sorted(names, key=lambda n: -difflib.SequenceMatcher(None, name, n).ratio())
    shown = ", ".join(names[:most]) + (
        f" and {len(names) - most} more" if most and len(names) > most else "")
    start = f"did you mean {suggestion!r}? " if suggestion else ""
    return f"{start}{listing}: {shown}; see {DOCS}#{anchor}"


def _members(cls: type) -> list[Attribute]:
    """Public properties and methods a template can use."""
    found = []
    for klass in reversed(cls.__mro__[:-1]):
        for name, member in vars(klass).items():
            if name.startswith("_"):
                continue
            if isinstance(member, property) and member.fget is not None:
                kind = _type_name(member.fget.__annotations__.get("return", ""))
                found.append(Attribute(name, kind, _first_paragraph(member.fget.__doc__)))
            elif inspect.isfunction(member):
                signature = inspect.signature(member)
                takes = ", ".join(list(signature.parameters)[1:])
                returns = _type_name(signature.return_annotation)
                found.append(Attribute(name, f"method({takes}) -> {returns}",
                                       _first_paragraph(member.__doc__)))
    return found


def _model_type(info) -> str:
    kind = text_kind(info)
    if kind is not None:
        text = TEXTS[kind][0]
        return f"{text} | None" if type(None) in typing.get_args(info.annotation) else text
    return _type_name(info.annotation)


def _type_name(annotation: Any) -> str:
    """A type as a reader writes it: list[ClaimView], str | None, 'fact' | 'value'."""
    if isinstance(annotation, str):
        return annotation
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin is typing.Literal:
        return " | ".join(repr(a) for a in args)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(a) for a in args)
    if origin is not None:
        return f"{getattr(origin, '__name__', origin)}[{', '.join(map(_type_name, args))}]"
    return "None" if annotation is type(None) else getattr(annotation, "__name__",
                                                            str(annotation))


def _first_paragraph(doc: str | None) -> str:
    return _tidy(inspect.cleandoc(doc or "").split("\n\n")[0])


def _tidy(text: str) -> str:
    return " ".join(text.split())
