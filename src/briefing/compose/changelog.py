"""The "What changed in this version" section, in the edition's language: why this version
exists (the author's summary), the versions before it, how to read the list, then every
change from the previous release (compose/changes.py), the claims first.

An unnumbered chapter, so that it numbers no paragraph and moves no paragraph number.
A template may print it where it wants (`{{ changelog }}`); otherwise it closes the
document, before a references section the engine adds. The numbered paragraphs are known
only once the document is read and numbered: the section holds a Div PARAGRAPHS for them,
which `paragraph_entries` fills.

Inserted and deleted words are the spans [words]{.ins} and [words]{.del}; the filter
templates/changes.lua makes them <ins> and <del> in HTML and EPUB, underline and
strikethrough in Word.
"""

from __future__ import annotations

import re

from briefing.compose.changes import KINDS, Change, word_diff
from briefing.compose.language import Localised
from briefing.compose.markdown import md_escape
from briefing.model.releases import Release

ANCHOR = "{#changes"  # how the section's heading starts: found in the body, it is printed
PARAGRAPHS = "changes-paragraphs"  # the Div the numbered paragraphs' changes go into

# The group headings, in the order of changes.KINDS: changes_claim_added for claim-added.
HEADINGS = {kind: "changes_" + kind.replace("-", "_") for kind in KINDS}
# Items with more than one text: a change to one of them names which ("summary").
SEVERAL_TEXTS = ("key-point", "perspective", "event", "term", "actor")
# An unchanged run of words longer than this is shortened to its ends in a long text.
KEEP = 8


def updates(previous: Release, lang: Localised) -> str:
    """"This updates version 1.0 of 23 November 2026." in the edition's words (Markdown)."""
    return md_escape(lang.words.labels["changes_updates"] % {
        "version": previous.version, "date": lang.date(previous.record.date)})


def section(changes: list[Change], history: list[Release], summary: str, lang: Localised,
            paragraphs: list[Change] | None = None) -> str:
    """The section's Markdown; every text from data is escaped. `history`: the releases
    this version follows, oldest first (the last is the one it updates); `summary`: why
    this version exists, in the edition's language ("" if the author gave none);
    `paragraphs`: the changes of the numbered paragraphs, or None when they are not known
    yet (the Div PARAGRAPHS is left with its heading, for `paragraph_entries`)."""
    labels = lang.words.labels
    previous = history[-1]
    lines = [f"# {md_escape(labels['changes'])} {{#changes .unnumbered .changes}}", "",
             updates(previous, lang), ""]
    if summary.strip():
        lines += [md_escape(summary), ""]
    lines += _history(history, lang)
    if not changes:
        lines += [md_escape(labels["changes_none"]), ""]
    if changes or paragraphs is None or paragraphs:  # a list of changes follows
        lines += [f"**{md_escape(labels['changes_legend_title'])}** "
                  + md_escape(labels["changes_legend"] % {"version": previous.version}), ""]
    for kind in KINDS:
        group = [c for c in changes if c.kind == kind]
        if group and not kind.startswith("paragraph-"):
            lines += [f"**{md_escape(labels[HEADINGS[kind]])}**", ""]
            lines += [f"- {_entry(c, lang)}" for c in group]
            lines.append("")
    lines += [f"::: {{#{PARAGRAPHS}}}", f"**{md_escape(labels['changes_paragraphs'])}**", ""]
    if paragraphs is not None:
        lines += [paragraph_entries(paragraphs, lang), ""]
    lines += [":::", ""]
    return "\n".join(lines)


def _history(history: list[Release], lang: Localised) -> list[str]:
    """The versions released before, newest first, each with why it was made; left out
    when no release kept a summary (the line above names the version updated)."""
    ident = lang.edition.id
    if not any(r.record.summary.get(ident) for r in history):
        return []
    lines = [f"**{md_escape(lang.words.labels['changes_history'])}**", ""]
    for release in reversed(history):
        said = lang.words.labels["changes_version"] % {
            "version": release.version, "date": lang.date(release.record.date)}
        why = release.record.summary.get(ident, "")
        lines.append(f"- {md_escape(said)}" + (f": {md_escape(why)}" if why else ""))
    return [*lines, ""]


def paragraph_entries(changes: list[Change], lang: Localised) -> str:
    """The Markdown that goes into the Div PARAGRAPHS, after its heading: the paragraphs
    added, removed and reworded (changes.paragraph_changes), each group under its own
    words, or a sentence saying none was."""
    labels = lang.words.labels
    if not changes:
        return md_escape(labels["changes_paragraphs_none"])
    lines = []
    for kind in ("paragraph-added", "paragraph-removed", "paragraph-reworded",
                 "paragraph-renumbered"):
        group = [c for c in changes if c.kind == kind]
        if group:
            lines += [f"*{md_escape(labels[HEADINGS[kind]])}*", ""]
            lines += [f"- {_paragraph(c)}" for c in group]
            lines.append("")
    return "\n".join(lines).rstrip("\n")


def _paragraph(change: Change) -> str:
    name = "¶" + md_escape(change.label)
    if change.link:
        name = f"[{name}](#{change.link})"
    if change.kind == "paragraph-renumbered":  # the map a renumbering gives: old → new
        return f"¶{md_escape(change.old)} → {name}"
    if change.words:
        return f"{name}: {_words(change.words, shorten=True)}"
    return f"{name}: {_excerpt(change.new or change.old)}"


def _excerpt(text: str, most: int = 2 * KEEP + 4) -> str:
    """The first words of a paragraph added or removed (the whole is a click away)."""
    words = text.split()
    return md_escape(" ".join(words[:most])) + (" …" if len(words) > most else "")


def _name(change: Change) -> str:
    name = md_escape(change.label)
    return f"[{name}](#{change.link})" if name and change.link else name


def _entry(change: Change, lang: Localised) -> str:
    words = lang.words
    name = _name(change)
    if change.kind == "cell-changed":
        name = f"*{md_escape(change.what)}*"
    elif change.item == "source":
        name = f"*{name}*"
    if change.kind == "claim-relabelled":
        return f"{md_escape(change.old)} → {name}"
    if change.item == "relation":  # a claim removed since is struck through
        bears = md_escape(words.relations.get(change.what, change.what))
        target = md_escape(change.new or change.old)
        name = f"[{name}]{{.del}}" if "from" in change.gone else name
        target = f"[{target}]{{.del}}" if "to" in change.gone else target
        return f"{name} {bears} {target}"
    if change.item not in ("claim", "cell") and change.what in _FIELD_WORDS and (
            change.item in SEVERAL_TEXTS and change.words):
        name += f" ({md_escape(_field(change.what, lang))})"
    elif change.item == "claim" and change.what == "quote":
        name += f" ({md_escape(words.labels['changes_field_quote'])})"
    if change.words:
        return _join(name, _words(change.words, shorten=True))
    if change.fields:
        return _join(name, "; ".join(
            f"{md_escape(_field(field, lang))}: "
            + _words(word_diff(_value(field, old, lang), _value(field, new, lang)))
            for field, old, new in change.fields))
    if change.kind == "locator-changed":  # the locator words the edition's citations use
        def local(text: str) -> str:
            return re.sub(r"\bparas?\.(?= )", lambda m: words.locators[m.group(0) == "paras."],
                          text)
        return _join(name, _words(word_diff(local(change.old), local(change.new))))
    if change.item == "source":
        return name
    return _join(name, md_escape(change.new or change.old))


def _join(name: str, text: str) -> str:
    return f"{name}: {text}" if name else text


# The fields a change can name, by the word the reader reads (engine words, translated);
# a bibliography field without one is named as in BibTeX.
_FIELD_WORDS = {name: f"changes_field_{name}" for name in (
    "kind", "perspective", "holders", "reporter", "stance", "words_of", "quote", "title",
    "short", "key_point", "summary", "text", "when", "term", "definition", "name", "role",
    "rests", "beyond_sources", "language", "key", "type", "author", "editor", "translator",
    "date", "url", "urldate", "publisher", "organization", "institution", "journaltitle",
    "volume", "number", "pages", "location", "doi", "confidence", "scheme")}
_FIELD_WORDS.update(journal="changes_field_journaltitle", year="changes_field_date",
                    address="changes_field_location")


def _field(name: str, lang: Localised) -> str:
    label = _FIELD_WORDS.get(name)
    return lang.words.labels[label] if label else name


def _value(field: str, value: str, lang: Localised) -> str:
    """A field's value in the reader's words: a kind, a stance, a claim of no perspective."""
    labels = lang.words.labels
    if field == "kind":
        return lang.words.kinds.get(value, value)
    if field == "stance" and value:
        return labels.get(f"changes_stance_{value}", value)
    if field == "perspective" and not value:
        return labels["background"]
    if field == "beyond_sources":
        return labels["changes_yes"] if value == "yes" else labels["changes_no"]
    return value


def _words(runs: list[tuple[str, str]], shorten: bool = False) -> str:
    """Deleted words as [..]{.del}, inserted ones as [..]{.ins}: <del> and <ins> in HTML
    and EPUB, struck through and underlined in Word (templates/changes.lua). With
    `shorten`, a long unchanged run keeps only its ends."""
    out = []
    for op, text in runs:
        if not text:
            continue
        if op == "equal":
            words = text.split()
            if shorten and len(words) > 2 * KEEP + 2:
                text = " ".join([*words[:KEEP], "…", *words[-KEEP:]])
            out.append(md_escape(text))
        else:
            out.append(f"[{md_escape(text)}]{{.{'del' if op == 'delete' else 'ins'}}}")
    return " ".join(out)
