"""briefing-arguments: one edition's argument base as one documented, lossless JSON.

Every field a reader of the briefing gets from the seeds and the perspectives, in the
edition's words: claims with their labels (P3), holders and reporter, quote (paragraph,
words, translation, whose words, the ascription) and citations; relations with `ours`;
perspectives; actors; sources with their bibliography key, URL and numbered text. Left
out: the editors' notes (never printed). The other exports are derived from this alone
(derived.py). Its JSON Schema is the pydantic models' (docs/schema/arguments.schema.json).

Offsets (`start`, `end`) count characters of a source's stored text: its paragraphs in
order, joined by one blank line ("\\n\\n"); a quote's are where its words stand there.
Bytes are deterministic: ids sorted, keys in model order.
"""

from __future__ import annotations

import json
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from briefing.compose.language import Localised
from briefing.compose.views import released_labels, views
from briefing.model.load import Model
from briefing.model.sources import CiteRef

SEPARATOR = "\n\n"  # between two paragraphs of a source's stored text


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Paragraph(Out):
    """One numbered paragraph of a source, and where it stands in the source's text."""

    para: int
    text: str
    start: int
    end: int


class Source(Out):
    """A source article: its bibliography key and URL, and its text as stored."""

    id: str
    key: str
    title: str
    language: str
    reporter: str
    url: str | None
    paragraphs: list[Paragraph]


class Actor(Out):
    """Who holds, reports or is quoted in a claim."""

    id: str
    name: str
    kind: Literal["person", "organisation", "group"]
    role: str | None


class Perspective(Out):
    """A perspective of the briefing, in the edition's words."""

    id: str
    title: str
    short: str
    key_point: str
    summary: str


class Locator(Out):
    """A paragraph of a source."""

    source: str
    para: int


class Quote(Out):
    """The source's exact words behind a claim."""

    para: int
    text: str
    translation: str | None
    """In the edition's language; null when the source is in it already."""
    words_of: str | None
    """Whose words these are (an actor id), when not the holders'."""
    ascribed: str | None
    """The words of the paragraph that ascribe the claim to its holders."""
    start: int | None
    end: int | None
    """Where `text` stands in the source's stored text (null if only modulo spacing)."""


class Claim(Out):
    """One claim: what it says, who holds it, who reports it, where the source says it."""

    id: str
    label: str
    perspective: str | None
    kind: Literal["fact", "interpretation", "value", "prediction", "recommendation"]
    stance: Literal["position", "evidence"]
    statement: str
    holders: list[str]
    reported_by: str | None
    """As the seed says it: null when the reporter is the source's."""
    reporter: str
    """Who reports it: reported_by, else the source's reporter."""
    source: str
    cites: list[Locator]
    quote: Quote | None
    orphan: bool


class Relation(Out):
    """How one claim bears on another; an undercut attacks the link between its target
    and what the target supports."""

    id: str
    source: str
    target: str
    type: Literal["supports", "attacks", "undercuts"]
    ours: bool
    """The briefing's reading, not a link the source draws."""


class Arguments(Out):
    """One edition's argument base."""

    format: Literal["briefing-arguments"] = "briefing-arguments"
    version: Literal[1] = 1
    title: str
    document_version: str
    date: str
    """The document's date (ISO 8601)."""
    identifier: str
    """The edition's identifier; a claim's IRI is identifier#claim-<id>."""
    edition: str
    language: str
    perspectives: list[Perspective]
    actors: list[Actor]
    sources: list[Source]
    claims: list[Claim]
    relations: list[Relation]


def make(model: Model, lang: Localised) -> Arguments:
    """The edition's argument base, labels as the document prints them."""
    project, base, tr = model.project, model.base, lang.text
    edition = lang.edition
    claim_views, _ = views(project, base, lang,
                           released_labels(model.earlier, project.default_edition.id))
    urls = _urls(model, lang)
    sources = {sid: _source(meta, urls.get(meta.key)) for sid, meta in base.sources.items()}
    claims = []
    for cid in sorted(base.claims):
        claim, view = base.claims[cid], claim_views[cid]
        quote = None
        if claim.quote is not None:
            own = sources[base.claim_source[cid]]
            span = _span(own, claim.quote.para, claim.quote.text)
            quote = Quote(para=claim.quote.para, text=claim.quote.text,
                          translation=view.translation or None, words_of=claim.quote.words_of,
                          ascribed=claim.quote.ascribed, start=span[0] if span else None,
                          end=span[1] if span else None)
        claims.append(Claim(
            id=cid, label=view.label, perspective=claim.perspective, kind=claim.kind,
            stance=claim.stance, statement=view.statement, holders=list(claim.holders),
            reported_by=claim.reported_by, reporter=base.reporter(claim).id,
            source=base.claim_source[cid],
            cites=[Locator(source=ref.source, para=ref.para) if isinstance(ref, CiteRef)
                   else Locator(source=base.claim_source[cid], para=ref)
                   for ref in claim.cites],
            quote=quote, orphan=claim.orphan))
    relations = sorted({(r.source, r.type, r.target, r.ours) for r in base.relations})
    return Arguments(
        title=tr(project.config.document.title), document_version=project.config.document.version,
        date=project.config.document.date.isoformat(),
        identifier=edition.identifier, edition=edition.id, language=edition.language,
        perspectives=[Perspective(id=pid, title=tr(p.title), short=tr(p.short),
                                  key_point=tr(p.key_point), summary=tr(p.summary))
                      for pid, p in project.config.perspectives.items()],
        actors=[Actor(id=aid, name=tr(a.name), kind=a.kind, role=tr(a.role) or None)
                for aid, a in sorted(base.actors.items())],
        sources=[sources[sid] for sid in sorted(sources)],
        claims=claims,
        relations=[Relation(id=f"{s}--{t}--{g}", source=s, target=g, type=t, ours=o)
                   for s, t, g, o in relations])


def _source(meta, url: str | None) -> Source:
    paragraphs, at = [], 0
    for number in sorted(meta.paragraphs):
        text = meta.paragraphs[number]
        paragraphs.append(Paragraph(para=number, text=text, start=at, end=at + len(text)))
        at += len(text) + len(SEPARATOR)
    return Source(id=meta.id, key=meta.key, title=meta.title, language=meta.language,
                  reporter=meta.reporter, url=url, paragraphs=paragraphs)


def _urls(model: Model, lang: Localised) -> dict[str, str]:
    """Bibliography key -> the entry's URL, from the edition's bibliography."""
    found = {}
    for entry in model.bib_for(lang.edition).library.entries:
        field = entry.fields_dict.get("url")
        if field is not None and isinstance(field.value, str):
            found[entry.key] = field.value.strip().strip("{}")
    return found


_MARKS = {"'": "'‘’‚‛`", '"': '"“”„‟«»'}


def _pattern(quote: str) -> re.Pattern[str]:
    """The quote as the check compares it: any run of whitespace for a space, any
    typographic quote mark for its plain one (sources.normalise)."""
    out = []
    for word in quote.split():
        part = ""
        for ch in word:
            group = next((marks for marks in _MARKS.values() if ch in marks), None)
            part += f"[{re.escape(group)}]" if group else re.escape(ch)
        out.append(part)
    return re.compile(r"\s+".join(out))


def _span(source: Source, para: int, quote: str) -> tuple[int, int] | None:
    """Where a quote stands in the source's stored text."""
    paragraph = next((p for p in source.paragraphs if p.para == para), None)
    found = _pattern(quote).search(paragraph.text) if paragraph else None
    if paragraph is None or found is None:
        return None
    return paragraph.start + found.start(), paragraph.start + found.end()


def stored_text(source: Source) -> str:
    """A source's stored text, which the offsets count in."""
    return SEPARATOR.join(p.text for p in source.paragraphs)


def dump(data: object) -> bytes:
    """Deterministic JSON: as given (ids already sorted), two-space indents, UTF-8."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def render(arguments: Arguments) -> bytes:
    return dump(arguments.model_dump(mode="json"))


def schema() -> dict:
    """The JSON Schema of briefing-arguments (Draft 2020-12, from the models)."""
    found = Arguments.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://briefing.invalid/schema/arguments.schema.json", **found}
