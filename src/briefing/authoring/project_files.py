"""The example project's data files, written as text with a comment on each field:
briefing.toml, the seed, analysis.yaml, the bibliography, the catalogues and the README."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from briefing import LOCALE
from briefing.authoring import yamltext
from briefing.authoring.extract import Extracted
from briefing.authoring.words import EditionChoice, M, PerspectiveChoice, T, Words
from briefing.model import formats

SKELETON = Path(__file__).resolve().parent / "skeleton"  # package data
KEYWORDS = {"en": ["example", "car-free streets"], "nl": ["voorbeeld", "autovrije straten"]}
CLAIM_IDS = {"lind": "lind-quieter-safer", "berg": "berg-customers-elsewhere",
             "costa": "costa-keep-access"}
QUOTE_PARAS = {"lind": 2, "berg": 3, "costa": 4}
SPEAKER_IDS = {"lind": "maria-lind", "berg": "tom-berg", "costa": "ana-costa"}
KINDS = {"lind": "interpretation", "berg": "prediction", "costa": "recommendation"}
BACKGROUND = "council-trial-plan"

BIB = """\
% bib/briefing.bib: every work the briefing cites, as biblatex-style BibTeX entries.
% Give only the fields you have verified in the work itself, and say in `note` where
% (notes are never printed). A claim cites its source through the seed's `key`.

@misc{example,
  title        = {Council debates car-free streets},
  year         = {n.d.},
  langid       = {english},
  note         = {An invented example written by briefing new (sources/example.md), with no
                  author or date: replace this entry and seeds/example.yaml with a real
                  source (briefing source add FILE --key KEY).}
}
"""


def csl() -> bytes:
    return (SKELETON / "chicago-author-date.csl").read_bytes()


def claim_ids(perspectives: list[PerspectiveChoice]) -> list[str]:
    """One claim per perspective, each a speaker's of the example source, in turn."""
    speakers = list(CLAIM_IDS)
    return [CLAIM_IDS[speakers[i % 3]] + (f"-{i // 3 + 1}" if i >= 3 else "")
            for i in range(len(perspectives))]


def toml(words: Words, title: str | None, perspectives: list[PerspectiveChoice],
         today: dt.date, uuids: list[str]) -> str:
    lines = ["#:schema schemas/briefing.schema.json",
             "# briefing.toml: the settings of this briefing; `briefing check` validates it.",
             "# Every text a reader sees has a value per edition: title.en = \"…\", "
             "title.nl = \"…\".", "", "[document]"]
    if title:
        lines.append("# Given once to `briefing new`: give each edition its own wording.")
    lines += words.toml_lines("title", words.same(title) if title else words.text("title"))
    lines += words.toml_lines("subtitle", words.text("subtitle"))
    lines.append("# Who publishes the briefing (the author too, unless authors are named).")
    lines += words.toml_lines("organisation", words.text("organisation"))
    lines += ["# Who wrote it and answers for it (each optional; printed on the cover, the",
              "# page after it and in every citation and metadata):",
              '# authors = [{ name = "Jane Doe", role = "Policy analyst", affiliation = '
              '"Your institute", orcid = "0000-0002-1825-0097" }]',
              '# contact = "Jane Doe, jane.doe@example.org"',
              '# series = "Policy Briefs"',
              '# number = "2026/01"',
              '# licence = "CC-BY-4.0"  # an SPDX id; `briefing check` names the ones it knows',
              '# disclaimer = "The views expressed are the authors\' own."',
              '# acknowledgements = "We thank our reviewers."']
    lines += ['version = "0.1"  # this briefing\'s version: raise it with each release',
              f"date = {today.isoformat()}  # the date on the cover and in the metadata",
              "# Where it is published, once it is: the how-to-cite box and every citation",
              "# export (BibTeX, RIS, CSL JSON, CITATION.cff) then carry the address.",
              '# url = "https://example.org/briefings/your-briefing"',
              "# Keywords for the metadata of every output, per edition."]
    for edition in words.editions:
        found = KEYWORDS.get(edition.primary) or (
            KEYWORDS["en"] if edition == words.default else None)
        if found:
            lines.append(f"keywords.{edition.id} = [{', '.join(map(yamltext.quoted, found))}]")
    lines.append("# A paragraph for the metadata and the title page.")
    lines += words.toml_lines("summary", words.text("summary"))
    lines.append("# On the cover: what the briefing rests on, and how old that is.")
    lines += words.toml_lines("basis", words.text("basis"))
    lines += ["", "[bibliography]",
              'file = "bib/briefing.bib"  # every work cited (BibTeX)',
              'style = "bib/chicago-author-date.csl"  # how citations and references look (CSL)',
              "", "[build]",
              'name = "briefing"  # the outputs: build/briefing.pdf, .epub, .docx, .html',
              f'edition = "{words.default.id}"  # the default edition: its outputs also '
              "carry the plain names",
              f"formats = [{', '.join(map(yamltext.quoted, formats.defaults()))}]"
              "  # built by default; of: " + ", ".join(formats.documents()),
              "# The chapters in reading order, listed without their ending: a template",
              "# chapters/NN-slug.md.j2 (text from the data), or plain Markdown prose",
              "# chapters/NN-slug.md.",
              "chapters = [", *(f'  "{name}",' for name in (
                  "01-introduction", "02-perspectives", "03-comparison", "04-argument-map",
                  "05-questions", "06-glossary", "07-about", "08-sources")), "]", "",
              "# One edition per language, from the same seeds, analysis and chapters; the",
              "# chapters' words for each edition but the default come from locale/<id>.po."]
    for edition, ident in zip(words.editions, uuids, strict=True):
        lines += [f"[editions.{edition.id}]",
                  f'language = "{edition.language}"  # BCP 47: hyphenation, dates, the '
                  "citation style's locale",
                  f'identifier = "urn:uuid:{ident}"  # this edition\'s own id: never reuse it',
                  ""]
    lines += ["# The perspectives compared, in the order the briefing presents them. A claim",
              "# in seeds/*.yaml names one of these ids in its `perspective:`."]
    for index, choice in enumerate(perspectives):
        lines += ["", f"[perspectives.{choice.id}]"] + _perspective(words, choice, index)
    return "\n".join(lines) + "\n"


def _perspective(words: Words, choice: PerspectiveChoice, index: int) -> list[str]:
    if choice.title is None:
        key = choice.id
        return [*words.toml_lines("title", words.text(f"{key}.title")),
                "# A short name: claim labels (L1, L2 …) take its first letter.",
                *words.toml_lines("short", words.text(f"{key}.short")),
                "# One sentence for the key points.",
                *words.toml_lines("key_point", words.text(f"{key}.key_point")),
                "# What the perspective holds, and who holds it, in our words.",
                *words.toml_lines("summary", words.text(f"{key}.summary")),
                *_label_lines(T[f"{key}.short"]["en"])]
    short = choice.id.replace("-", " ").capitalize()  # civil-liberties: Civil liberties
    return ["# Given once to `briefing new`: give each edition its own wording.",
            *words.toml_lines("title", words.same(choice.title)),
            "# A word or two for tables; claim labels take its first letter (or `letter`).",
            *words.toml_lines("short", words.same(short)),
            *words.toml_lines("key_point", words.text("custom.key_point")),
            *words.toml_lines("summary", words.text("custom.summary")),
            *_label_lines(short)]


def _label_lines(short: str) -> list[str]:
    """The label and order settings, shown commented out with their defaults."""
    return [f'# letter = "{short[:1].upper()}"  # its claims\' labels: {short[:1].upper()}1, '
            f"{short[:1].upper()}2 … (default: the first letter of short)",
            '# order = ["a-claim-id", "another"]  # its claims in this order first (default: '
            "as the seeds list them)"]


def seed(words: Words, source: Extracted, digest: str,
         perspectives: list[PerspectiveChoice]) -> str:
    ids = claim_ids(perspectives)
    actors = [{"id": "eastbrook-courier", "name": "The Eastbrook Courier",
               "kind": "organisation", "role": words.text("courier.role")}]
    actors += [{"id": SPEAKER_IDS[speaker], "name": name, "kind": "person",
                "role": words.text(f"{speaker}.role")}
               for speaker, name in (("lind", "Maria Lind"), ("berg", "Tom Berg"),
                                     ("costa", "Ana Costa"))]
    claims: list[dict] = [{"id": BACKGROUND, "kind": "fact",
                           "statement": words.text("plan.statement"),
                           "holders": ["eastbrook-courier"], "cites": [1]}]
    for index, (choice, cid) in enumerate(zip(perspectives, ids, strict=True)):
        speaker = words.speaker(index)
        # The speaker's own words, reported by the newspaper: words_of says whose they are.
        quote: dict = {"para": QUOTE_PARAS[speaker], "text": T[f"{speaker}.quote"]["en"],
                       "words_of": SPEAKER_IDS[speaker]}
        rendering = words.quote_translation(f"{speaker}.quote")
        if rendering:
            quote["translation"] = rendering
        claims.append({"id": cid, "perspective": choice.id, "kind": KINDS[speaker],
                       "statement": words.text(f"{speaker}.statement"),
                       "holders": [SPEAKER_IDS[speaker]], "cites": [QUOTE_PARAS[speaker]],
                       "quote": quote})
    relations = [{"from": ids[1], "to": ids[0], "type": "attacks",
                  "note": "Fewer customers would undo a livelier centre."}]
    paragraphs = "\n".join(yamltext.paragraphs(source.paragraphs, 4, source.left_out))
    return f"""\
# yaml-language-server: $schema=../schemas/seed.schema.json
# seeds/example.yaml: one source (an INVENTED example: replace it with a real one, e.g.
# with `briefing source add FILE --key KEY`), its text as numbered paragraphs, who speaks
# in it, the claims taken from it and how they bear on each other.

source:
  id: example  # this source's id (claims of other seeds cite it by it)
  key: example  # its entry in bib/briefing.bib
  title: "Council debates car-free streets"  # the title as the source gives it
  language: en  # the language of its text (BCP 47): quotes stand in it
  reporter: eastbrook-courier  # the actor who wrote or published it
  file: "sources/example.md"  # the file the paragraphs were copied from
  sha256: "{digest}"  # its digest then: `briefing check` warns if the file changes
  # The text, paragraph by paragraph, numbered 1..n: claims cite these numbers, and
  # quotes are checked against them word for word. Do not edit: if the file changes,
  # `briefing source add sources/example.md --key example --update` rewrites them.
  paragraphs:
{paragraphs}

# Who speaks: id (used below), name (as the source gives it), kind (person, organisation
# or group) and role (optional, per edition).
actors:
{chr(10).join(yamltext.block(actors, 2))}

# The claims, each in our words (statement, per edition), with who holds it (holders), the
# paragraphs it rests on (cites), its kind (fact, interpretation, value, prediction or
# recommendation) and the perspective it belongs to (none: background). A quote is copied
# exactly from a cited paragraph; words_of says whose words they are, and translation
# renders it for each edition in another language than the source's.
claims:
{chr(10).join(yamltext.block(claims, 2))}

# How claims bear on each other: supports, attacks or undercuts (drawn in the argument map).
relations:
{chr(10).join(yamltext.block(relations, 2))}
"""


def analysis(words: Words, perspectives: list[PerspectiveChoice]) -> str:
    ids = claim_ids(perspectives)
    def rated(agreement: str) -> dict:  # one invented report: limited evidence
        return {"evidence": "limited", "agreement": agreement,
                "reason": words.text("confidence.reason")}

    found = {
        "key_points": [
            {"id": "meeting-point", "title": words.text("key.title"),
             "text": words.text("key.text"), "claims": ids[:3],
             "confidence": rated("medium")},
            {"id": "conflict", "title": words.text("conflict.title"),
             "text": words.text("conflict.text"), "claims": ids[:2],
             "confidence": rated("low")},
            {"id": "left-out", "title": words.text("access.key.title"),
             "text": words.text("access.key.text"), "claims": ids[2:3] or ids[-1:],
             "confidence": rated("medium")},
            {"id": "decide", "title": words.text("decide.title"),
             "text": words.text("decide.text"), "claims": [BACKGROUND],
             "confidence": rated("medium")}],
        "timeline": [{"when": words.text("timeline.when"), "text": words.text("timeline.text"),
                      "claims": [BACKGROUND]}],
        "comparison": [{"id": "effect", "title": words.text("dimension.title"), "cells": {
            choice.id: {"text": words.text(f"{words.speaker(i)}.cell"), "claims": [ids[i]]}
            for i, choice in enumerate(perspectives)}}],
        "questions": [{"id": "within-reach", "text": words.text("question"),
                       "claims": ids[1:3]}],
        "glossary": [{"term": words.text("term"), "definition": words.text("definition"),
                      "claims": [BACKGROUND]}],
    }
    notes = {
        "key_points": "The key points (three to seven): each rests on claims and says "
                      "how sure it is.",
        "timeline": "What happened when (`when` is shown as written).",
        "comparison": "Questions across the perspectives: one cell per perspective, resting "
                      "on that perspective's own claims.",
        "questions": "Questions for policy, each naming the claims it rests on.",
        "glossary": "Terms a reader may not know, in the reader's alphabetical order.",
    }
    parts = ["# yaml-language-server: $schema=schemas/analysis.schema.json",
             "# analysis.yaml: our own reading across the sources. Every entry names the "
             "claims (from",
             "# seeds/) it rests on, and the briefing cites it through them."]
    for name, value in found.items():
        parts += ["", f"# {notes[name]}", f"{name}:", *yamltext.block(value, 2)]
    return "\n".join(parts) + "\n"


def catalogue(words: Words, edition: EditionChoice) -> str:
    """locale/<edition>.po: each chapter message (msgid: the default edition's words) and,
    for a language the engine has no words in, the engine's words too."""
    from briefing.compose.language import engine_msgids

    lines = [f"# {edition.language} wording of the chapter templates (chapters/*.md.j2). Data",
             "# (claims, titles, quotes) is translated in the data files, not here. Every",
             "# msgstr keeps the %(name)s placeholders, citations and Markdown of its msgid.",
             'msgid ""', 'msgstr ""', f'"Language: {edition.language}\\n"',
             '"Content-Type: text/plain; charset=utf-8\\n"']
    entries = [] if edition == words.default else [
        (words.message(key, words.default), words.message(key, edition)) for key in M]
    if not engine_words(edition):
        lines += ["", "# The engine's own words (Contents, claim kinds …): it has none in "
                  "this language."]
        entries += [(msgid, "") for msgid in engine_msgids()]
        words.untranslated[edition.id] = words.untranslated.get(edition.id, 0) + len(
            engine_msgids())
    for msgid, msgstr in entries:
        lines += ["", f"msgid {_po(msgid)}", f"msgstr {_po(msgstr)}"]
    return "\n".join(lines) + "\n"


def engine_words(edition: EditionChoice) -> bool:
    """Has the engine its own words (Contents, claim kinds …) in this edition's language?"""
    return edition.primary == "en" or (LOCALE / f"{edition.primary}.po").exists()


def _po(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def readme(words: Words, editions: list[EditionChoice]) -> str:
    others = ", ".join(f"locale/{e.id}.po" for e in editions[1:])
    translating = (f"- other editions' words: {others} (gettext: msgid the default edition's "
             "text)\n- `chapters/*.<edition>.md`: each prose file's text in that edition"
             if others else "- one edition: the chapters' words are plain text; `briefing "
             "edition add ID:LANG` adds another")
    return f"""\
# A briefing

Made by `briefing new` as a complete example on an invented topic (a town council's debate
on car-free streets): it builds as it is, and shows each part of a briefing once. Replace
the example with your own sources and reading.

    briefing check            # validate everything; lists every missing translation
    briefing build            # write build/briefing.pdf, .epub, .docx and .html per edition
    briefing source add FILE --key KEY   # a source text (.txt, .md, .html) -> seeds/, bib/

- `briefing.toml`: title, organisation, version, date, editions, perspectives, chapter
  order, formats
- `sources/`: the source texts themselves (`sources/example.md` is invented)
- `seeds/*.yaml`: one per source: its numbered paragraphs, actors, claims (with quotes)
  and relations
- `analysis.yaml`: our reading: key points, timeline, comparison, questions, glossary
- `chapters/NN-slug.md.j2`: the chapters built from the data (Jinja2 → Pandoc Markdown)
- `chapters/*.md`: prose in plain Markdown: a chapter of its own, or a block a template
  includes (`{{% include "introduction.md" %}}`)
- `bib/briefing.bib`: every work cited; `bib/chicago-author-date.csl` the citation style
{translating}
- `schemas/`: JSON schemas of the data files, for an editor's completion and checks
- `build/`: the outputs (ignored by git)

To start your own: add a source with `briefing source add`, write its actors and claims in
the seed it makes, name your perspectives in `briefing.toml`, then remove
`sources/example.md`, `seeds/example.yaml` and the `example` entry of `bib/briefing.bib`,
and rewrite `analysis.yaml` and the chapters' words. `briefing check` says what is missing.
"""
