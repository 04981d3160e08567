"""The document's own metadata for Pandoc (title, dates, identifiers, accessibility) and
its citation, as the how-to-cite box and the exports give it."""

from __future__ import annotations

import datetime as dt

from briefing.compose.language import Localised
from briefing.compose.markdown import md_escape
from briefing.model import bibliography
from briefing.model.project import Project
from briefing.model.sources import ArgumentBase


def metadata(project: Project, epoch: int, lang: Localised) -> dict:
    """The document's metadata for Pandoc. Pandoc reads metadata strings as Markdown, so
    every text is escaped (md_escape): a title is text, never a link or markup."""
    doc, words, tr, edition = project.config.document, lang.words, lang.text, lang.edition
    md = md_escape
    created = dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    authors = doc.authors or [tr(doc.organisation)]
    return {
        "title": md(tr(doc.title)),
        "subtitle": md(tr(doc.subtitle)),
        "author": [md(a) for a in authors],
        "organisation": md(tr(doc.organisation)),
        "publisher": md(tr(doc.organisation)),
        "date": doc.date.isoformat(),
        "date-display": md(lang.date(doc.date)),
        "version": md(doc.version),
        "lang": edition.language,
        "keywords": [md(k) for k in tr.words(doc.keywords)],
        # EPUB: dc:description is the summary, dc:subject the keywords.
        "description": md(tr(doc.summary) or tr(doc.subtitle)),
        "subject": [md(k) for k in tr.words(doc.keywords)],
        "identifier": [{"scheme": "URN" if edition.identifier.startswith("urn:") else "URI",
                        "text": md(edition.identifier)}],
        "created": created,
        "how-to-cite": how_to_cite(project, lang, markdown=True),
        "basis": md(tr(doc.basis)),
        "toc-title": md(words.labels["contents"]),
        # EPUB accessibility metadata (Pandoc writes them as schema.org properties).
        "accessModes": ["textual", "visual"],
        "accessModeSufficients": ["textual"],
        "accessibilitySummary": md(tr(doc.accessibility_summary) or words.labels["accessibility"]),
        "labels": {key: md(value) for key, value in words.labels.items()},
    }


def how_to_cite(project: Project, lang: Localised, markdown: bool = False) -> str:
    """The citation of this edition as one line: plain text, or Markdown (texts escaped,
    the title in italics, the address as a link)."""
    doc, tr = project.config.document, lang.text
    md = md_escape if markdown else (lambda text: text)
    who = "; ".join(doc.authors) if doc.authors else tr(doc.organisation)
    title = tr(doc.title) + (f": {tr(doc.subtitle)}" if doc.subtitle else "")
    title = f"*{md(title)}*" if markdown else title
    # The publisher is left out when it is the author (Chicago does the same).
    publisher = "" if who == tr(doc.organisation) else f" {md(tr(doc.organisation))}."
    text = (f"{md(who)}. {doc.date.year}. {title}. {md(lang.words.labels['version'])} "
            f"{md(doc.version)}, {md(lang.date(doc.date))}.{publisher} "
            f"{md(lang.edition.identifier)}.")
    return text + (f" <{doc.url}>." if doc.url else "")


def typography(bib: bibliography.Bibliography, base: ArgumentBase) -> dict:
    """For typography.lua: the names never hyphenated (authors of works, and people
    quoted). A person's name is a proper name when it starts with a capital ("Ed
    Sander"), not a description such as "an unnamed China expert"."""
    found = bibliography.typography(bib)
    people = {word.strip(".,") for actor in base.actors.values() if actor.kind == "person"
              for name in ([actor.name] if isinstance(actor.name, str) else actor.name.values())
              if name[:1].isupper()
              for word in name.split() if word[:1].isupper() and len(word) > 2}
    found["names"] = sorted(set(found["names"]) | people)
    return found
