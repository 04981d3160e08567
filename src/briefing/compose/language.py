"""Each edition's language: the chapters' own words (gettext, from the catalogue
`locale/<edition>.po`), the engine's words (from its catalogue
`src/briefing/locale/<lang>.po`, which a project's may override), dates (Babel), and the
gaps in them, found where the templates use a message. Reading a catalogue is
model/catalogues.py; the texts of the data fields and their gaps are model/texts.py.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from briefing import LOCALE
from briefing.errors import BriefingError, Collector, Problem
from briefing.model import confidence
from briefing.model.catalogues import Catalogue, Fuzzy, clip, load_catalogue
from briefing.model.records import difference
from briefing.model.texts import MARKER, Coverage, Edition, Gap, Localiser, Stale, _rel

ENGINE_LOCALE = LOCALE


class Messages:
    """gettext for one edition. Template messages: the default edition's text is the
    msgid itself, another edition's comes from the project's catalogue. The engine's own
    (English) words: the project's catalogue, then the engine's for the language."""

    def __init__(self, edition: Edition, project: Catalogue, engine: Catalogue, default: bool):
        self.edition, self.project, self.engine, self.default = edition, project, engine, default

    def lookup(self, msgid: str, engine: bool = False) -> str | None:
        if not engine:
            if self.default:
                return msgid
            # A stale (fuzzy) translation is printed as it is: the build stops on it
            # unless --allow-stale asks for a draft, like `msgfmt --use-fuzzy`.
            fuzzy = self.project.stale.get(msgid)
            return self.project.messages.get(msgid) or (fuzzy.string if fuzzy else None)
        found = self.project.messages.get(msgid) or self.engine.messages.get(msgid)
        if found is None and self.edition.primary == "en":
            found = msgid  # the engine's words are English already
        return found

    def template(self, msgid: str) -> str:
        found = self.lookup(msgid)
        return found if found is not None else MARKER + msgid

    def word(self, msgid: str) -> str:
        found = self.lookup(msgid, engine=True)
        return found if found is not None else MARKER + msgid


def newstyle(lookup: Callable[[str], str]) -> tuple[Callable, Callable]:
    """gettext/ngettext as Jinja2's new-style i18n calls them: the callable formats the
    %(name)s values itself (and turns %% into %), in the translated string."""

    def gettext(__string: str, **variables) -> str:
        return lookup(__string) % variables

    def ngettext(__singular: str, __plural: str, __num: int, **variables) -> str:
        variables.setdefault("num", __num)
        return lookup(__singular if __num == 1 else __plural) % variables

    return gettext, ngettext


def extract(env, templates: dict[Path, str]) -> list[tuple[Path, int, str]]:
    """Every message of the chapter templates (path -> text) as the engine looks it up:
    (template, line, msgid), the {{ name }} of a {% trans %} block as %(name)s. A template
    that does not parse is left out (parse_templates reports it)."""
    found: list[tuple[Path, int, str]] = []
    for path, source in templates.items():
        try:
            calls = list(env.extract_translations(source))
        except Exception:  # noqa: BLE001 - syntax errors are reported by parse_templates
            continue
        for line, _func, strings in calls:
            # _("x", name=...) extracts as ("x", None, ...); ngettext as (one, many, None).
            found += [(path, line, message) for message in (
                [strings] if isinstance(strings, str) else
                [m for m in strings if isinstance(m, str)])]
    return found


def template_gaps(env, templates: dict[Path, str], edition: Edition, catalogue: Catalogue,
                  coverage: Coverage, root: Path) -> None:
    """Every message the chapter templates (path -> text) use must be in the edition's
    catalogue, and not stale; an entry no template uses is a warning, and the likely old
    text of a message that has none."""
    target = _rel(root / "locale" / f"{edition.id}.po", root)
    found = extract(env, templates)
    used = {message for _path, _line, message in found}
    engine = set(engine_msgids())
    unused = {msgid: line for msgid, line in catalogue.lines.items()
              if msgid not in used and msgid not in engine}
    for msgid, line in unused.items():
        coverage.unused.append(Problem(
            f"the message {clip(msgid)!r} is used by no template", catalogue.path, line,
            "its template text changed or went: `briefing translations update` keeps its "
            "translation for the new text, marked stale, or moves it to the obsolete entries"))
    reported: set[str] = set()
    hints = _Hints(catalogue, unused, target, edition)
    for path, line, message in found:
        fuzzy = catalogue.stale.get(message)
        if fuzzy is not None and message not in reported:
            reported.add(message)
            coverage.stale.append(Stale(edition.id, _stale(message, fuzzy, target, edition,
                                                           catalogue.path)))
        coverage.add(edition.id, path, message in catalogue.messages or fuzzy is not None,
                     functools.partial(hints.gap, path, line, message))


# Entries compared for the likely old text of the messages that have none, per edition:
# each comparison is difflib's, and a catalogue of 12,000 unused entries took `check` 36 s
# for 30 messages. Past it, the hint says how to add the message, without the old text.
NEAR_COMPARISONS = 20_000


@dataclass
class _Hints:
    """The hint of each message a template uses and the catalogue lacks: made only for a
    gap, once per message, within NEAR_COMPARISONS."""

    catalogue: Catalogue
    unused: dict[str, int]
    target: str
    edition: Edition
    left: int = NEAR_COMPARISONS
    made: dict[str, str] = field(default_factory=dict)

    def gap(self, path: Path, line: int, message: str) -> Gap:
        if message not in self.made:
            near = len(self.unused) <= self.left
            self.left -= len(self.unused) if near else 0
            self.made[message] = _gap_hint(message, self.catalogue, self.unused, self.target,
                                           self.edition, near)
        return Gap(self.edition.id, path, line, f"the message {clip(message)!r}",
                   self.made[message])


def _stale(message: str, fuzzy: Fuzzy, target: str, edition: Edition,
           path: Path | None) -> Problem:
    change = f" ({difference(fuzzy.previous, message)})" if fuzzy.previous else ""
    return Problem(
        f"the {edition.id} translation of the message {clip(message)!r} is stale "
        "(marked fuzzy)", path, fuzzy.line,
        f"its template text changed since it was translated{change}; update the msgstr "
        "and remove the '#, fuzzy' line, or run `briefing translations update --confirm "
        f"{target}:{fuzzy.line}` if it still holds")


def _gap_hint(message: str, catalogue: Catalogue, unused: dict[str, int], target: str,
              edition: Edition, compare: bool = True) -> str:
    """How to add a message; when an entry no template uses is close to it (its old
    text, or a msgid copied from the template with {{ n }}), where it is and how they
    differ, in full (the entries are compared only if `compare`)."""
    if message in catalogue.empty:
        return (f"write its msgstr at {target}:{catalogue.empty[message]}: the "
                f"{edition.language} text")
    near = difflib.get_close_matches(message, list(unused), n=1, cutoff=0.6) if compare else []
    placeholders = placeholder_hint(f"{near[0] if near else ''} {message}")
    if near:
        return (f"{target}:{unused[near[0]]} has an entry no template uses, probably its old "
                f"text: {difference(near[0], message)}; run `briefing translations update` "
                "(it keeps that translation, marked stale) or correct the msgid"
                + (f" ({placeholders})" if placeholders else ""))
    return (f"add it to {target} with `briefing translations update`, or by hand"
            + (f" ({placeholders})" if placeholders else "")
            + f", then write its msgstr: the {edition.language} text")


def placeholder_hint(text: str) -> str:
    """How a catalogue writes what a template writes as {{ n }} ("" if text has none)."""
    found = re.search(r"\{\{\s*(\w+)\s*\}\}|%\((\w+)\)s", text)
    if not found:
        return ""
    name = found.group(1) or found.group(2)
    return f"a placeholder {{{{ {name} }}}} is written %({name})s"


# The engine's own words: what it prints around the project's texts. Their msgids are
# English; the engine's catalogue for each language translates them, and a project can
# override any of them in its own locale/<edition>.po.
WORDS = {
    "contents": "Contents",
    "references": "References",
    "how_to_cite": "How to cite this briefing",
    "version": "Version",
    "page": "Page",
    "of": "of",
    "translation": "Our translation",
    "cover": "Cover",
    "title_page": "Title page",
    "and": "and",
    "background": "background",
    "accessibility": (
        "Structured text with a navigable table of contents, headings for every chapter and "
        "section, numbered paragraphs, tables with header cells, and figures that carry a "
        "text alternative; quotations in another language are marked with their language."),
    "cite_paragraph": (
        "To cite a paragraph, add its number after the citation: ¶3.4 is the paragraph "
        "printed with that number, and #p3.4 its anchor in the HTML and the EPUB. A "
        "paragraph keeps its number in later versions; one added later gets a letter "
        "(¶3.4a), and a number is never given to another paragraph. Section numbers have "
        "no ¶."),
    # After a link between claims that the briefing draws, not the source (a relation
    # marked `ours`), wherever it is printed.
    "our_reading": "our reading",
    # The EPUB's and the DOCX's own page saying what they are (outputs/colophon.lua).
    "about_edition": "About this edition",
    # The standalone HTML: shown, with the paragraph's citation, when its number is followed.
    "cite_this_paragraph": "Cite this paragraph",
    # The map's text alternative: short, since the list after the map says it all in words.
    "map_summary": ("Argument map of %(claims)s claims and %(relations)s relations, grouped "
                    "by perspective; the list below the map gives each claim and what it "
                    "bears on."),
    # Locator labels of the paragraph citations, as citeproc parses them in the language.
    "para": "para.",
    "paras": "paras.",
    # The changelog section (compose/changelog.py), from the previous release.
    "changes": "What changed in this version",
    "changes_updates": "This updates version %(version)s of %(date)s.",
    "changes_history": "Versions released",
    "changes_version": "Version %(version)s of %(date)s",
    "changes_none": ("No claim, relation, key point, perspective, comparison cell, timeline "
                     "entry, question, glossary entry, person or organisation, source or "
                     "reference has changed since."),
    "changes_legend_title": "How to read this list:",
    "changes_legend": (
        "struck-through words were deleted, highlighted words inserted. A claim is named by "
        "its label in this version, a removed claim by its label in version %(version)s; "
        "“R1 → B5”: the claim labelled R1 then is B5 now. “→ P2, P5 (B3)”: the claims an "
        "entry rests on, in brackets the claims of other perspectives it refers to; works "
        "it cites follow a semicolon."),
    "changes_claim_added": "Claims added",
    "changes_claim_removed": "Claims removed",
    "changes_claim_relabelled": "Claims with a new label",
    "changes_claim_reworded": "Claims reworded",
    "changes_translation_changed": "Translations changed",
    "changes_claim_changed": "Claims changed otherwise (kind, perspective, voices, reporter, "
                             "stance)",
    "changes_quote_changed": "Quotes changed",
    "changes_locator_changed": "Paragraphs cited changed",
    "changes_relation_added": "Relations added",
    "changes_relation_removed": "Relations removed",
    "changes_key_point_added": "Key points added",
    "changes_key_point_removed": "Key points removed",
    "changes_key_point_changed": "Key points changed",
    "changes_perspective_added": "Perspectives added",
    "changes_perspective_removed": "Perspectives removed",
    "changes_perspective_changed": "Perspectives changed",
    "changes_cell_changed": "Comparison cells changed",
    "changes_event_added": "Timeline entries added",
    "changes_event_removed": "Timeline entries removed",
    "changes_event_changed": "Timeline entries changed",
    "changes_question_added": "Questions for policy added",
    "changes_question_removed": "Questions for policy removed",
    "changes_question_changed": "Questions for policy changed",
    "changes_term_added": "Glossary entries added",
    "changes_term_removed": "Glossary entries removed",
    "changes_term_changed": "Glossary entries changed",
    "changes_actor_added": "People and organisations added",
    "changes_actor_removed": "People and organisations removed",
    "changes_actor_changed": "People and organisations changed",
    "changes_source_added": "Sources added",
    "changes_source_removed": "Sources removed",
    "changes_source_changed": "Sources changed",
    "changes_reference_added": "References added",
    "changes_reference_removed": "References removed",
    "changes_reference_changed": "References changed",
    "changes_paragraphs": "Numbered paragraphs",
    "changes_paragraphs_none": "No numbered paragraph was added, removed or reworded.",
    "changes_paragraph_added": "Paragraphs added",
    "changes_paragraph_removed": "Paragraphs removed",
    "changes_paragraph_reworded": "Paragraphs reworded",
    "changes_paragraph_renumbered": "Paragraphs renumbered (the number before → the number now)",
    # What a changed entry names: the fields of an item, and of a bibliography entry.
    "changes_field_kind": "kind",
    "changes_field_perspective": "perspective",
    "changes_field_holders": "voiced by",
    "changes_field_reporter": "reported by",
    "changes_field_stance": "stance",
    "changes_field_words_of": "words of",
    "changes_field_quote": "quote",
    "changes_field_title": "title",
    "changes_field_short": "short name",
    "changes_field_key_point": "key point",
    "changes_field_summary": "summary",
    "changes_field_text": "text",
    "changes_field_when": "when",
    "changes_field_term": "term",
    "changes_field_definition": "definition",
    "changes_field_name": "name",
    "changes_field_role": "role",
    "changes_field_rests": "rests on",
    "changes_field_beyond_sources": "beyond the sources",
    "changes_field_language": "language",
    "changes_field_key": "citation key",
    "changes_field_type": "type of work",
    "changes_field_author": "author",
    "changes_field_editor": "editor",
    "changes_field_translator": "translator",
    "changes_field_date": "date",
    "changes_field_url": "web address",
    "changes_field_urldate": "accessed",
    "changes_field_publisher": "publisher",
    "changes_field_organization": "organisation",
    "changes_field_institution": "institution",
    "changes_field_journaltitle": "journal",
    "changes_field_volume": "volume",
    "changes_field_number": "issue",
    "changes_field_pages": "pages",
    "changes_field_location": "place",
    "changes_field_doi": "DOI",
    "changes_stance_position": "position",
    "changes_stance_evidence": "evidence",
    "changes_yes": "yes",
    "changes_no": "no",
    "changes_field_confidence": "confidence",
    "changes_field_scheme": "argument scheme",
    # The legend printed with the key points' ratings (model/confidence.py).
    "confidence_legend_title": "How sure we are:",
    "confidence_legend": (
        "each key point is rated for its evidence (limited, medium or robust: how many "
        "sources and voices it rests on, and whether they speak first-hand) and for "
        "agreement (low, medium or high: how far its claims and the readings agree, and "
        "whether a claim is attacked without an answer). Together they give the confidence, "
        "in five steps from very low to very high: each step up in evidence or in agreement "
        "is one step up in confidence. The scale follows the IPCC's guidance note for its "
        "authors on the consistent treatment of uncertainties (2010); the words are used in "
        "that sense only, and each rating is checked against the data."),
}
KINDS = {"fact": "fact", "interpretation": "interpretation", "value": "value judgement",
         "prediction": "prediction", "recommendation": "recommendation"}
RELATIONS = {"supports": "supports", "attacks": "attacks", "undercuts": "undercuts"}
COLOURS = {"blue": "blue", "orange": "orange", "green": "green", "pink": "pink",
           "yellow": "yellow", "grey": "grey"}


def engine_msgids() -> list[str]:
    return [*WORDS.values(), *KINDS.values(), *RELATIONS.values(), *COLOURS.values(),
            *confidence.msgids()]


def engine_gaps(edition: Edition, messages: Messages, coverage: Coverage, root: Path) -> None:
    if edition.primary == "en":
        return  # the msgids are the English words
    engine_file = ENGINE_LOCALE / f"{edition.primary}.po"
    target = root / "locale" / f"{edition.id}.po"
    for msgid in engine_msgids():
        # Its entry may be in the project's catalogue already, its msgstr empty (as
        # `translations update` writes it): then the message names that line.
        line = messages.project.empty.get(msgid)
        coverage.add(edition.id, engine_file, messages.lookup(msgid, engine=True) is not None,
                     functools.partial(
                         Gap, edition.id, target, line, f"the engine's word {clip(msgid)!r}",
                         f"write its msgstr at {_rel(target, root)}:{line}: the "
                         f"{edition.language} text" if line else
                         f"briefing has no {edition.primary} catalogue with it: add it to "
                         f"{_rel(target, root)}"))


@dataclass
class Words:
    """The engine's words in one edition, as templates and the engine use them."""

    labels: dict[str, str]
    kinds: dict[str, str]
    relations: dict[str, str]
    colours: dict[str, str]
    # How sure a key point is, by rating: one fixed phrase each, translated whole.
    confidence: dict[str, str] = field(default_factory=dict)
    """The confidence's words by level: confidence["medium"] is "medium confidence"."""
    evidence: dict[str, str] = field(default_factory=dict)
    """The evidence rating's words: evidence["limited"] is "limited evidence"."""
    agreement: dict[str, str] = field(default_factory=dict)
    """The agreement rating's words: agreement["high"] is "high agreement"."""

    @property
    def locators(self) -> tuple[str, str]:
        return self.labels["para"], self.labels["paras"]

    @classmethod
    def of(cls, messages: Messages) -> Words:
        word = messages.word
        return cls({k: word(v) for k, v in WORDS.items()},
                   {k: word(v) for k, v in KINDS.items()},
                   {k: word(v) for k, v in RELATIONS.items()},
                   {k: word(v) for k, v in COLOURS.items()},
                   {k: word(v) for k, v in confidence.LEVEL_WORDS.items()},
                   {k: word(v) for k, v in confidence.EVIDENCE_WORDS.items()},
                   {k: word(v) for k, v in confidence.AGREEMENT_WORDS.items()})


@dataclass
class Localised:
    """Everything one edition needs to speak its language: the edition, its data texts,
    its messages and the engine's words."""

    edition: Edition
    text: Localiser
    messages: Messages
    words: Words

    @classmethod
    def make(cls, edition: Edition, default: str, project: Catalogue,
             engine: Catalogue) -> Localised:
        messages = Messages(edition, project, engine, edition.id == default)
        return cls(edition, Localiser(edition, default), messages, Words.of(messages))

    def date(self, day) -> str:
        return format_date(day, self.edition)


def format_date(day, edition: Edition) -> str:
    from babel.dates import format_date as babel_date

    return babel_date(day, "long", locale=edition.babel_locale)


def raise_gaps(gaps: list[Gap], allow_missing: bool) -> list[Problem]:
    """Stop on any gap, or (a draft: --allow-missing) hand them back as warnings."""
    problems = [g.problem() for g in gaps]
    if problems and not allow_missing:
        raise BriefingError(problems)
    return problems


def localised(project, ident: str) -> Localised:
    """One edition's language straight from the project's files, for the commands that
    need no full load (`briefing cite`). Problems in a catalogue are reported."""
    edition = project.edition(ident)
    problems = Collector()
    ours = load_catalogue(project.locale_dir / f"{edition.id}.po", problems, project.inputs)
    engine = load_catalogue(ENGINE_LOCALE / f"{edition.primary}.po", problems)
    problems.raise_if_any()
    return Localised.make(edition, project.default_edition.id, ours, engine)
