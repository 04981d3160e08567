"""The document's own metadata for Pandoc (title, dates, identifiers, accessibility) and
its citation, as the how-to-cite box and the exports give it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

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
    authors = doc.author_names() or [tr(doc.organisation)]
    return {**authorship(project, lang),
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


# The words printed around the authorship facts, per language (English otherwise).
AUTHORSHIP_WORDS = {
    "en": {"contact": "Contact", "licence": "Licence", "acknowledgements": "Acknowledgements",
           "licence_text": "This text is published under the licence %(name)s (%(id)s):",
           "logo": "Logo of %(organisation)s"},
    "nl": {"contact": "Contact", "licence": "Licentie", "acknowledgements": "Dankwoord",
           "licence_text": "Deze tekst is gepubliceerd onder de licentie %(name)s (%(id)s):",
           "logo": "Logo van %(organisation)s"},
}


def authorship(project: Project, lang: Localised) -> dict:
    """The named, accountable authorship of [document] and the logo of [style], for the
    template (briefing.html): the people with their role, affiliation and ORCID, the
    contact, series and number, licence, disclaimer and acknowledgements; each empty when
    not set, so the template leaves it out."""
    from briefing.model import style as checked
    from briefing.model.settings import LICENCES

    doc, tr, md = project.config.document, lang.text, md_escape
    words = AUTHORSHIP_WORDS.get(lang.edition.language.split("-")[0].lower(),
                                 AUTHORSHIP_WORDS["en"])
    people = []
    for person in doc.authors:
        if isinstance(person, str):
            people.append({"name": md(person)})
            continue
        people.append({"name": md(person.name), "role": md(tr(person.role)),
                       "affiliation": md(tr(person.affiliation)),
                       "orcid": person.orcid or ""})
    found = {"people": people,
             "contact": md(tr(doc.contact)),
             "series": md(tr(doc.series)), "number": md(doc.number or ""),
             "disclaimer": md(tr(doc.disclaimer)),
             "acknowledgements": md(tr(doc.acknowledgements)),
             "authorship-labels": {k: md(v) for k, v in words.items() if "%" not in v}}
    if doc.licence:
        name, address = LICENCES[doc.licence]
        found["licence"] = {"id": doc.licence, "name": md(name), "url": address,
                            "text": md(words["licence_text"] % {"name": name,
                                                               "id": doc.licence})}
        found["rights"] = md(doc.rights())  # EPUB dc:rights, the DOCX's custom property
    logo = checked.resolve(project).logo if project.config.style.logo else None
    if logo:
        found["logo"] = {"src": md(logo), "alt": md(words["logo"] % {
            "organisation": tr(doc.organisation)})}
    return found


def how_to_cite(project: Project, lang: Localised, markdown: bool = False) -> str:
    """The citation of this edition as one line: plain text, or Markdown (texts escaped,
    the title in italics, the address as a link)."""
    doc, tr = project.config.document, lang.text
    md = md_escape if markdown else (lambda text: text)
    who = "; ".join(doc.author_names()) if doc.authors else tr(doc.organisation)
    title = tr(doc.title) + (f": {tr(doc.subtitle)}" if doc.subtitle else "")
    title = f"*{md(title)}*" if markdown else title
    # The publisher is left out when it is the author (Chicago does the same).
    publisher = "" if who == tr(doc.organisation) else f" {md(tr(doc.organisation))}."
    series = (f" {md(tr(doc.series))}" + (f" {md(doc.number)}" if doc.number else "") + "."
              if doc.series else (f" {md(doc.number)}." if doc.number else ""))
    text = (f"{md(who)}. {doc.date.year}. {title}.{series} "
            f"{md(lang.words.labels['version'])} "
            f"{md(doc.version)}, {md(lang.date(doc.date))}.{publisher} "
            f"{md(lang.edition.identifier)}.")
    return text + (f" <{doc.url}>." if doc.url else "")


def typography(bib: bibliography.Bibliography, base: ArgumentBase) -> dict:
    """For typography.lua: the names never hyphenated or broken, wherever they stand. The
    authors of works; the people quoted, when their names are names ("Ed Sander", not "an
    unnamed China expert"); and every word the sources' claims, quotes and actors write
    with a capital where no sentence starts ("Alibaba", "Kühnreich", "ChinaTalk.nl"):
    a name, which then stays whole even where it opens a sentence."""
    found = bibliography.typography(bib)
    people = {word.strip(".,") for actor in base.actors.values() if actor.kind == "person"
              for name in ([actor.name] if isinstance(actor.name, str) else actor.name.values())
              if name[:1].isupper()
              for word in name.split() if word[:1].isupper() and len(word) > 2}
    texts = [*(actor.model_dump() for actor in base.actors.values()),
             *(claim.model_dump() for claim in base.claims.values())]
    found["names"] = sorted(set(found["names"]) | people | set(proper_words(texts)))
    return found


# What may stand around a word: "(“ChinaTalk.nl”)." is the word ChinaTalk.nl.
_AROUND = "\"'()[]{}<>“”‘’„«»‹›.,;:!?…*_"
_SENTENCE_END = re.compile(r"[.!?][\"')\]”’»]*$")


def proper_words(value: object) -> Iterator[str]:
    """The words of every text in `value` (strings, and lists and mappings of them) written
    with a capital where no sentence starts, and long enough to be hyphenated (six
    letters, print.css's limit) or with a hyphen of their own; possessive endings off."""
    if isinstance(value, str):
        initial = True
        for token in value.split():
            word = token.strip(_AROUND)
            for ending in ("’s", "'s"):
                word = word.removesuffix(ending)
            if (not initial and word[:1].isupper()
                    and (len(word) >= 6 or "-" in word)):
                yield word
            initial = _SENTENCE_END.search(token) is not None
    elif isinstance(value, dict):
        for item in value.values():
            yield from proper_words(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from proper_words(item)
