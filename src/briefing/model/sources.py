"""The argument base: sources, actors, claims and relations from seeds/*.yaml.

Each seed file is the structured extraction of one source article. Loading checks
every file against the schema, then checks the whole base across files: ids are
unique, references resolve, and every quote stands verbatim in its paragraph.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefing.errors import BriefingError, Collector
from briefing.model import schemes, texts, validation, yamlfile
from briefing.model.texts import Edition, Name, Rendering, Text

ID = r"^[a-z0-9][a-z0-9-]*$"
MAX_QUOTE_WORDS = 50
MISQUOTE_WORDS = 1_000_000  # the default of limits.misquote_words
QUOTE_CHARS = 10_000  # a quote longer is no quote of 50 words: its closest passage is not sought


class Strict(BaseModel):
    # The docstring under each key is its description in `briefing schema` and docs/format.md,
    # read from this file when they are made (pydantic's use_attribute_docstrings would
    # parse it again for every class on every run).
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class SourceMeta(Strict):
    """The source article: what it is, and its text as numbered paragraphs."""

    id: str = Field(pattern=ID)
    """The source's id, used by claims of other seeds that cite it."""
    key: str = Field(min_length=1, description="BibTeX key in the bibliography")
    title: str = Field(min_length=1)
    """The article's title, in its own language."""
    language: str = Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    """The article's language as a BCP 47 tag (e.g. nl): its quotes need a translation
    only in editions of another language."""
    reporter: str = Field(pattern=ID, description="actor id of the author or publisher")
    # Keys are numbers in YAML; an editor sees them as strings of digits.
    paragraphs: dict[int, str] = Field(min_length=1, json_schema_extra={
        "propertyNames": {"pattern": "^[1-9][0-9]*$"}})
    """The article's text, paragraph by paragraph, numbered 1..n without gaps: the
    locators claims cite and the text quotes are checked against."""
    file: str | None = Field(None, min_length=1)
    """The file the paragraphs were copied from, relative to the project (e.g.
    sources/article.html); written by `briefing source add`."""
    sha256: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")
    """The file's SHA-256 when the paragraphs were copied: `briefing check` warns when the
    file no longer matches (model/provenance.py)."""


class Actor(Strict):
    """A person, organisation or group who holds, reports or is quoted in a claim."""

    id: str = Field(pattern=ID)
    """The actor's id, unique across all seeds; claims name holders by it."""
    name: Name
    """The name as printed: one string for every edition, or a mapping per edition."""
    kind: Literal["person", "organisation", "group"]
    """What the actor is."""
    role: Text | None = None
    """Who the actor is, in a few words (e.g. "member of the city council")."""


class CiteRef(Strict):
    """A paragraph of another source."""

    source: str = Field(pattern=ID)
    """The id of the source."""
    para: int = Field(ge=1)
    """The paragraph number in it."""


class Quote(Strict):
    """The source's exact words behind a claim, checked word for word."""

    para: int = Field(ge=1)
    """The paragraph the quote is from; the claim must cite it."""
    text: str = Field(min_length=1)
    """The exact words, in the source's language (at most 50 words)."""
    translation: Rendering | None = None
    """Our rendering, for editions in another language than the source's."""
    # Needed when the claim is reported by someone other than its holders: a journalist's
    # paraphrase must not read as the speaker's own.
    words_of: str | None = Field(None, pattern=ID)
    """Whose words these are (an actor id), when they are not the claim's holders'."""
    # A reporter's words hold a claim only where the source says whose claim it is: the
    # sentence before a quoted name, or a blurb's framing, must not become the named
    # person's view (review 2026-12-06, N12).
    ascribed: str | None = Field(None, min_length=1)
    """When the words are not the holders' own (words_of): the words of the same
    paragraph that ascribe the claim to its holders ("Volgens de Chinese overheid"),
    checked word for word like the quote."""


class Claim(Strict):
    """One claim the source makes or reports, with where it says so."""

    id: str = Field(pattern=ID)
    """The claim's id, unique across all seeds; relations and analysis.yaml name it."""
    perspective: str | None = None
    """The perspective it belongs to (an id under [perspectives] in briefing.toml); none
    for a background fact."""
    kind: Literal["fact", "interpretation", "value", "prediction", "recommendation"]
    """What sort of claim it is."""
    statement: Text
    """The claim in our words."""
    holders: list[str] = Field(min_length=1)
    """Who says it: actor ids."""
    reported_by: str | None = None
    """Who reports it, when not the source's reporter (an actor id)."""
    cites: list[int | CiteRef] = Field(min_length=1)
    """Where the source says it: paragraph numbers of this source, or {source, para} for
    another."""
    quote: Quote | None = None
    """The source's exact words behind the claim."""
    note: str = ""
    """A note for the editors; never printed."""
    orphan: bool = False
    """true: deliberately shown nowhere (kept as data only)."""
    stance: Literal["position", "evidence"] = "position"
    """position: its holders speak for the perspective (they are its voices); evidence: a
    fact or testimony the perspective draws on, whose holder need not share it."""
    scheme: str | None = Field(None, pattern=ID)
    """The argument scheme it follows (expert-opinion, witness-testimony, position-to-know,
    analogy, cause-to-effect, consequences, sign, popular-opinion, or one of schemes.yaml):
    its critical questions are asked of it, and those the data leave open are listed."""


class Relation(Strict):
    """How one claim bears on another (the argument map's arrows)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    source: str = Field(alias="from", pattern=ID)
    """The claim that bears on the other (a claim id)."""
    target: str = Field(alias="to", pattern=ID)
    """The claim it bears on (a claim id)."""
    type: Literal["supports", "attacks", "undercuts"]
    """supports or attacks the other claim; undercuts: attacks the link between it and
    what it supports."""
    ours: bool = False
    """true: the link is the briefing's reading, not one the source draws; printed as
    "our reading" wherever the relation is."""
    scheme: str | None = Field(None, pattern=ID)
    """The argument scheme of the link (e.g. sign: the claim is a sign of the other): its
    critical questions are asked of the claim that bears."""
    note: str = ""
    """A note for the editors; never printed."""


class SeedFile(Strict):
    """seeds/<source>.yaml: the structured extraction of one source article."""

    source: SourceMeta
    """The source article: what it is, and its text as numbered paragraphs."""
    actors: list[Actor] = []
    """Who speaks in it: people, organisations and groups."""
    claims: list[Claim] = []
    """The claims extracted from it."""
    relations: list[Relation] = []
    """How its claims bear on each other (and on claims of other seeds)."""


@dataclass(frozen=True)
class Where:
    path: Path
    line: int | None


@dataclass
class Citation:
    """A resolved pointer into a source: what students follow."""

    source: SourceMeta
    para: int

    @property
    def pandoc(self) -> str:
        return f"@{self.source.key}, para. {self.para}"


@dataclass
class ArgumentBase:
    """Everything the seeds say, with every reference resolved."""

    sources: dict[str, SourceMeta] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    claims: dict[str, Claim] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    where: dict[tuple[str, str], Where] = field(default_factory=dict)
    claim_source: dict[str, str] = field(default_factory=dict)  # claim id -> source id
    # What names a scheme ("<claim id>" or "<claim id>><target>><n>") -> the scheme's id;
    # where each is written: where[("scheme", that key)].
    scheme_names: dict[str, str] = field(default_factory=dict)
    catalogue: schemes.Catalogue = field(default_factory=schemes.engine)
    """The schemes the claims and relations may name (the engine's and schemes.yaml's)."""

    def citations(self, claim: Claim) -> list[Citation]:
        own = self.claim_source[claim.id]
        return [
            Citation(self.sources[ref.source if isinstance(ref, CiteRef) else own],
                     ref.para if isinstance(ref, CiteRef) else ref)
            for ref in claim.cites
        ]

    def reporter(self, claim: Claim) -> Actor:
        source = self.sources[self.claim_source[claim.id]]
        return self.actors[claim.reported_by or source.reporter]

    def source_of(self, claim: Claim) -> SourceMeta:
        return self.sources[self.claim_source[claim.id]]


def load(seeds_dir: Path, perspectives: list[str], bib_keys: dict[str, int] | None = None,
         bib_path: Path | None = None, declared_at=lambda pid: (None, None),
         editions: list[Edition] | None = None,
         coverage: texts.Coverage | None = None, inputs=None,
         misquote_words: int = MISQUOTE_WORDS) -> ArgumentBase:
    """Load every seeds/*.yaml, then check the base as a whole; report all problems.
    Gaps in the editions' texts go to `coverage` (reported by the caller, per edition).
    `misquote_words` (limits.misquote_words): the words all misquotes' closest passages
    may search together."""
    editions = editions or [texts.ENGLISH]
    default = next(e.id for e in editions if e.default)
    problems = Collector()
    files = sorted(seeds_dir.glob("*.yaml")) + sorted(seeds_dir.glob("*.yml"))
    if not files:
        raise BriefingError.at("no seed files found", seeds_dir,
                               hint="add one seeds/<source>.yaml per source article")
    docs: list[tuple[yamlfile.YamlDoc, SeedFile]] = []
    for path in files:
        try:
            doc = yamlfile.load(path, inputs)
            docs.append((doc, _validate(doc, default)))
        except BriefingError as exc:
            problems.extend(exc)
    problems.raise_if_any()
    base = ArgumentBase()
    for doc, seed in docs:
        _collect(base, doc, seed, problems)
    problems.raise_if_any()
    quotes = Quotes(misquote_words)
    for doc, seed in docs:
        _check_references(base, doc, seed, set(perspectives), problems, bib_keys, bib_path,
                          quotes)
        texts.check_texts(seed, doc.path, doc.line, editions, coverage or texts.Coverage(),
                         problems, same_language=seed.source.language)
    for pid in perspectives:
        if not any(c.perspective == pid for c in base.claims.values()):
            path, line = declared_at(pid)
            problems.add(f"perspective {pid!r} has no claims", path or seeds_dir, line,
                         f"give at least one claim in seeds/ 'perspective: {pid}'")
    problems.raise_if_any()
    return base


def _validate(doc: yamlfile.YamlDoc, default: str) -> SeedFile:
    if not isinstance(doc.data, dict):
        raise doc.error("a seed file must be a mapping with a 'source:' key")
    try:
        return SeedFile.model_validate(doc.data, context={"default_edition": default})
    except ValidationError as exc:
        source = validation.Source(doc.path, doc.line, "yaml")
        raise BriefingError(validation.problems(exc.errors(), SeedFile, source)) from None


def _collect(base: ArgumentBase, doc: yamlfile.YamlDoc, seed: SeedFile, problems: Collector):
    """Register every id, refusing duplicates with both places named."""

    def register(kind: str, table: dict, obj, loc: tuple) -> bool:
        key = (kind, obj.id)
        if key in base.where:
            first = base.where[key]
            problems.add(f"duplicate {kind} id {obj.id!r} (first defined at "
                         f"{first.path.name}:{first.line})", doc.path, doc.line(loc),
                         "ids must be unique across all seed files")
            return False
        base.where[key] = Where(doc.path, doc.line(loc))
        table[obj.id] = obj
        return True

    register("source", base.sources, seed.source, ("source", "id"))
    if seed.source.file is not None:  # where a changed source file is reported
        base.where[("source-file", seed.source.id)] = Where(
            doc.path, doc.line(("source", "sha256" if seed.source.sha256 else "file")))
    numbers = sorted(seed.source.paragraphs)
    if numbers != list(range(1, len(numbers) + 1)):
        problems.add("paragraphs must be numbered 1..n without gaps", doc.path,
                     doc.line(("source", "paragraphs")), f"found numbers {numbers}")
    for i, actor in enumerate(seed.actors):
        register("actor", base.actors, actor, ("actors", i))
    for i, claim in enumerate(seed.claims):
        if register("claim", base.claims, claim, ("claims", i)):
            base.claim_source[claim.id] = seed.source.id
            if claim.scheme:
                base.scheme_names[claim.id] = claim.scheme
                base.where[("scheme", claim.id)] = Where(
                    doc.path, doc.line(("claims", i, "scheme")))
    base.relations.extend(seed.relations)
    for i, rel in enumerate(seed.relations):
        base.where[("relation", f"{rel.source}>{rel.target}>{i}>{doc.path.name}")] = Where(
            doc.path, doc.line(("relations", i)))
        if rel.scheme:
            key = f"{rel.source}>{rel.target}>{i}>{doc.path.name}"
            base.scheme_names[key] = rel.scheme
            base.where[("scheme", key)] = Where(doc.path, doc.line(("relations", i, "scheme")))


def _check_references(base, doc, seed: SeedFile, perspectives: set[str], problems: Collector,
                      bib_keys, bib_path, quotes: Quotes):
    def need(table: dict, kind: str, ident: str, loc: tuple):
        if ident not in table:
            near = difflib.get_close_matches(ident, list(table), n=1)
            problems.add(f"unknown {kind} {ident!r}", doc.path, doc.line(loc),
                         f"did you mean {near[0]!r}?" if near else f"define the {kind} first")
            return False
        return True

    src = seed.source
    need(base.actors, "actor", src.reporter, ("source", "reporter"))
    if bib_keys is not None and src.key not in bib_keys:
        near = difflib.get_close_matches(src.key, list(bib_keys), n=1)
        problems.add(f"citation key {src.key!r} is not in {bib_path.name if bib_path else 'bib'}",
                     doc.path, doc.line(("source", "key")),
                     f"did you mean {near[0]!r}?" if near else "add the entry to bib/briefing.bib")
    for i, claim in enumerate(seed.claims):
        loc = ("claims", i)
        if claim.perspective is not None and claim.perspective not in perspectives:
            need({p: 1 for p in perspectives}, "perspective", claim.perspective,
                 loc + ("perspective",))
        for j, holder in enumerate(claim.holders):
            need(base.actors, "actor", holder, loc + ("holders", j))
        if claim.reported_by:
            need(base.actors, "actor", claim.reported_by, loc + ("reported_by",))
        for j, ref in enumerate(claim.cites):
            source_id = ref.source if isinstance(ref, CiteRef) else src.id
            para = ref.para if isinstance(ref, CiteRef) else ref
            if need(base.sources, "source", source_id, loc + ("cites", j)) and (
                    para not in base.sources[source_id].paragraphs):
                problems.add(f"paragraph {para} does not exist in source {source_id!r}",
                             doc.path, doc.line(loc + ("cites", j)),
                             f"it has paragraphs 1..{len(base.sources[source_id].paragraphs)}")
        if claim.quote is not None:
            _check_quote(claim, src, doc, loc + ("quote",), problems, quotes)
            _check_speaker(base, claim, src, doc, loc + ("quote",), problems, need, quotes)
    for i, rel in enumerate(seed.relations):
        need(base.claims, "claim", rel.source, ("relations", i, "from"))
        need(base.claims, "claim", rel.target, ("relations", i, "to"))
        if rel.source == rel.target:
            problems.add("a claim cannot relate to itself", doc.path, doc.line(("relations", i)))


def _check_speaker(base, claim: Claim, src: SourceMeta, doc, loc: tuple, problems: Collector,
                   need, quotes: Quotes) -> None:
    """A quote says whose words it is whenever the claim reaches us through a reporter:
    "kun je straks zien ..." in a news article may be the journalist's paraphrase of a
    speaker, and must not be printed as the speaker's words. And when the words are not
    the holders' own, the paragraph must ascribe the claim to them, in words the seed
    quotes (`ascribed`): a holder is who the source says holds it."""
    quote = claim.quote
    assert quote is not None  # checked only for a claim with a quote
    words_of = quote.words_of
    if words_of is not None:
        need(base.actors, "actor", words_of, loc + ("words_of",))
        if words_of not in claim.holders:
            _check_ascribed(claim, src, doc, loc, problems, quotes)
        return
    reporter = claim.reported_by or src.reporter
    if reporter not in claim.holders:
        holders = ", ".join(claim.holders)
        problems.add(f"quote of claim {claim.id!r}: whose words are these? The claim is held "
                     f"by {holders} and reported by {reporter}", doc.path, doc.line(loc),
                     f"add 'words_of: {claim.holders[0]}' if the source quotes them directly, "
                     f"or 'words_of: {reporter}' if the words are the reporter's own")


def _check_ascribed(claim: Claim, src: SourceMeta, doc, loc: tuple, problems: Collector,
                    quotes: Quotes) -> None:
    quote = claim.quote
    assert quote is not None and quote.words_of is not None
    holders = ", ".join(claim.holders)
    if quote.ascribed is None:
        problems.add(f"claim {claim.id!r} is held by {holders}, but its quote is "
                     f"{quote.words_of}'s words: where does paragraph {quote.para} say the "
                     "claim is theirs?", doc.path, doc.line(loc + ("words_of",)),
                     f"add 'ascribed:' with the words of paragraph {quote.para} that ascribe it "
                     f"to {claim.holders[0]} (e.g. \"Volgens ...\", \"... zegt\"); if the "
                     f"paragraph does not, the claim is {quote.words_of}'s: make them its "
                     "holder")
    elif quote.para in src.paragraphs and normalise(quote.ascribed) not in quotes.paragraph(
            src, quote.para):
        problems.add(f"the ascription of claim {claim.id!r} is not verbatim in paragraph "
                     f"{quote.para} of {src.id!r}", doc.path, doc.line(loc + ("ascribed",)),
                     quotes.closest(quote.ascribed, quotes.paragraph(src, quote.para)))


_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "`": "'",
                         "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"'})


def normalise(text: str) -> str:
    """Compare quotes modulo whitespace and typographic quote marks, nothing else."""
    return re.sub(r"\s+", " ", text.translate(_QUOTES)).strip()


@dataclass
class Quotes:
    """What checking the quotes of one load may spend: each source paragraph normalised
    once (not once per claim quoting it), and a budget of words for the closest passage
    to every misquote together, so that hundreds of misquotes of a huge paragraph cost a
    bounded time (each search reads the whole paragraph)."""

    words: int  # left to search
    normalised: dict[tuple[str, int], str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)  # a normalised paragraph's words

    def paragraph(self, source: SourceMeta, para: int) -> str:
        key = (source.id, para)
        if key not in self.normalised:
            self.normalised[key] = normalise(source.paragraphs[para])
        return self.normalised[key]

    def closest(self, quote: str, paragraph: str) -> str:
        """The closest passage's hint; once the budget is spent, the reason it is not given."""
        if len(quote) > QUOTE_CHARS:
            return (f"closest passage not searched: too large (the quote has {len(quote):,} "
                    "characters)")
        cost = self.sizes.get(paragraph) or self.sizes.setdefault(
            paragraph, paragraph.count(" ") + 1)
        if cost > self.words:
            return ("closest passage not searched: too large (the paragraph has "
                    f"{cost:,} words; limits.misquote_words allows {self.words:,} more "
                    "for all misquotes of the check)")
        self.words -= cost
        return f"closest passage: \"{closest_passage(quote, paragraph)}\""


def _check_quote(claim: Claim, src: SourceMeta, doc, loc: tuple, problems: Collector,
                 quotes: Quotes):
    quote = claim.quote
    assert quote is not None  # checked only for a claim with a quote
    own_paras = {ref for ref in claim.cites if isinstance(ref, int)}
    words = len(quote.text.split())
    if words > MAX_QUOTE_WORDS:
        problems.add(f"quote of claim {claim.id!r} has {words} words (at most "
                     f"{MAX_QUOTE_WORDS})", doc.path, doc.line(loc + ("text",)),
                     "shorten the quote and paraphrase the rest in the statement")
    # The words verbatim in another paragraph: `para` is what is wrong, not the cites or
    # the words (adding the wrong paragraph to the cites would compound the mistake).
    elsewhere = _verbatim_elsewhere(quote, src, quotes)
    if elsewhere is not None:
        also = "" if elsewhere in own_paras else f", and cite {elsewhere}"
        problems.add(f"the quote of claim {claim.id!r} is in paragraph {elsewhere} of "
                     f"{src.id!r}, not in paragraph {quote.para}", doc.path,
                     doc.line(loc + ("para",)),
                     f"these words are in paragraph {elsewhere}: set para: {elsewhere}{also}")
        return
    if quote.para not in own_paras:
        problems.add(f"quote of claim {claim.id!r} is from paragraph {quote.para}, "
                     "which the claim does not cite", doc.path, doc.line(loc + ("para",)),
                     f"add {quote.para} to the claim's cites")
    if quote.para not in src.paragraphs:
        problems.add(f"quote cites paragraph {quote.para}, which does not exist", doc.path,
                     doc.line(loc + ("para",)))
        return
    paragraph = quotes.paragraph(src, quote.para)
    if normalise(quote.text) not in paragraph:
        problems.add(
            f"misquote: the quote of claim {claim.id!r} is not verbatim in paragraph "
            f"{quote.para} of {src.id!r}", doc.path, doc.line(loc + ("text",)),
            quotes.closest(quote.text, paragraph))


def _verbatim_elsewhere(quote, src: SourceMeta, quotes: Quotes) -> int | None:
    """The paragraph that holds the quote's words verbatim when `para` does not (the
    first such), else None."""
    text = normalise(quote.text)
    if not text or (quote.para in src.paragraphs
                    and text in quotes.paragraph(src, quote.para)):
        return None
    return next((n for n in sorted(src.paragraphs) if n != quote.para
                 and text in quotes.paragraph(src, n)), None)


def closest_passage(quote: str, paragraph: str) -> str:
    """The run of words in paragraph most like quote, to show what the source says.

    Linear in the paragraph: every window of the quote's length is scored by the words it
    shares with the quote, kept up to date as the window slides; only the windows near
    the best one are then compared character by character."""
    words = normalise(paragraph).split(" ")
    target = normalise(quote)
    size = min(len(target.split(" ")), 2 * MAX_QUOTE_WORDS)
    if len(words) <= size:
        return " ".join(words)
    want = Counter(w.lower() for w in target.split(" "))
    have: Counter = Counter()
    shared, best, best_start = 0, -1, 0
    for i, word in enumerate(words):
        low = word.lower()
        have[low] += 1
        shared += have[low] <= want[low]
        if i >= size:
            old = words[i - size].lower()
            shared -= have[old] <= want[old]
            have[old] -= 1
        if i >= size - 1 and shared > best:
            best, best_start = shared, i - size + 1
    starts = range(max(0, best_start - size), min(len(words) - size, best_start + size) + 1)
    # Windows of the quote's words but many times its characters (words thousands of
    # letters long) are no closer, and would make difflib crawl: they are left out.
    near = [c for c in (" ".join(words[s:s + size]) for s in starts)
            if len(c) <= 4 * len(target) + 400]
    if not near:
        return " ".join(words[best_start:best_start + size])
    return max(near, key=lambda c: difflib.SequenceMatcher(None, target, c).ratio())
