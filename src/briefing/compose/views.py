"""What templates see: view models of claims, actors, perspectives, sources and the
analysis (comparison, timeline, key points), in one edition's language, with labels,
links and citations made once here rather than in every template.

The docstring under each attribute is what docs/format.md says of it (compose/reference.py
reads them), and what a template error lists when a name is misspelt.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from briefing.compose.language import Localised
from briefing.compose.markdown import citation, join_names
from briefing.errors import Collector
from briefing.model import confidence, schemes
from briefing.model.analysis import Analysis
from briefing.model.project import Project
from briefing.model.releases import Edition, Release
from briefing.model.sources import ArgumentBase, Claim, Quote
from briefing.model.texts import MARKER, Localiser


@dataclass
class ActorView:
    """An actor in one edition's words."""

    id: str
    """The actor's id in seeds/."""
    name: str
    """The name, in the edition's language."""
    kind: str
    """person, organisation or group."""
    role: str
    """Who the actor is, in a few words ("" when the seed gives no role)."""


@dataclass
class QuestionAsked:
    """A critical question asked of a claim's argument (model/schemes.py)."""

    id: str
    """The question's id in its scheme."""
    text: str
    """The question, in the edition's language."""
    scheme: str
    """The name of the scheme it belongs to, in the edition's language."""
    open: bool
    """True when the data leave it open; False when they answer it (its resolver)."""
    resolver: str = ""
    """What in the data answers it ("" for none: always open)."""
    target: str = ""
    """For a relation's scheme: the id of the claim the argument bears on ("" for the
    claim's own scheme)."""


@dataclass
class ClaimView:
    """A claim as templates see it, in one edition's language: names resolved, citations
    ready to print."""

    id: str
    """The claim's id in seeds/ (its anchor is #claim-<id>)."""
    statement: str
    """The claim in our words, in the edition's language."""
    kind: str
    """fact, interpretation, value, prediction or recommendation (words.kinds[kind] is
    the word to print)."""
    perspective: str | None
    """The id of its perspective; None for a background fact."""
    holders: list[ActorView]
    """Who says it."""
    reporter: ActorView
    """Who reports it: the claim's reported_by, else the source's reporter."""
    cite: str
    """The Pandoc citation of the paragraphs it cites, e.g. [@key, para. 3]."""
    quote: Quote | None
    """The quote as written in the seed (text, para, words_of), or None."""
    quote_cite: str
    """The Pandoc citation of the quote's paragraph ("" without a quote)."""
    language: str
    """The source's (and so the quote's) language."""
    note: str
    """The seed's note for the editors; never meant to be printed."""
    translation: str = ""
    """The quote in the edition's language; "" when it is in that language already."""
    # None when the quote is a holder's own words.
    quote_words: ActorView | None = None
    """The actor whose words the quote is, when they are not the holders' (a paraphrase
    by the reporter)."""
    stance: str = "position"
    """position (its holders speak for the perspective) or evidence (a fact or testimony
    the perspective draws on)."""
    label: str = ""
    """Its short label, e.g. P3: the perspective's letter and the claim's number in it."""
    supports: list[str] = field(default_factory=list)
    """Ids of the claims it supports."""
    attacks: list[str] = field(default_factory=list)
    """Ids of the claims it attacks."""
    undercuts: list[str] = field(default_factory=list)
    """Ids of the claims whose link to what they support it attacks."""
    ours: list[str] = field(default_factory=list)
    """Ids of the claims among those it bears on whose link is the briefing's reading, not
    the source's (a relation marked `ours`)."""
    scheme: str = ""
    """The name of the argument scheme it follows, in the edition's language ("" for none)."""
    questions: list[QuestionAsked] = field(default_factory=list)
    """The critical questions of its scheme and of the schemes of the relations it bears on
    others with, each open or answered by the data."""

    @property
    def open_questions(self) -> list[QuestionAsked]:
        """Its critical questions the data leave open."""
        return [q for q in self.questions if q.open]

    @property
    def holder_names(self) -> str:
        """The holders' names joined for a sentence ("A, B and C")."""
        return join_names([a.name for a in self.holders])


@dataclass
class SourceUse:
    """How much one perspective rests on one source: which paragraphs, how many claims."""

    title: str
    """The source's title."""
    key: str
    """Its BibTeX key."""
    paras: list[int]
    """The paragraphs the perspective's claims cite, in order."""
    claims: int
    """How many of the perspective's claims come from it."""
    locators: tuple[str, str] = ("para.", "paras.")
    """The words for one and several paragraphs in a citation."""

    @property
    def cite(self) -> str:
        """The Pandoc citation of those paragraphs."""
        return citation([(self.key, p) for p in self.paras], self.locators)


@dataclass
class PerspectiveView:
    """A perspective of briefing.toml in the edition's words, with its claims."""

    id: str
    """Its id under [perspectives]."""
    title: str
    """Its title."""
    short: str
    """Its short name."""
    key_point: str
    """One sentence for the key points box."""
    summary: str
    """A paragraph saying what it holds."""
    claims: list[ClaimView]
    """Its claims, in seed order."""
    sources: list[SourceUse] = field(default_factory=list)
    """The sources its claims come from."""
    voices: list[tuple[str, int]] = field(default_factory=list)
    """(actor name, claims held) of the actors who speak for it, most claims first."""
    evidence: list[tuple[str, int]] = field(default_factory=list)
    """(actor name, claims held) of who supplies the facts and testimony it draws on
    (claims of stance evidence)."""

    @property
    def open_questions(self) -> int:
        """How many critical questions of its claims the data leave open."""
        return sum(len(c.open_questions) for c in self.claims)

    @property
    def questions(self) -> int:
        """How many critical questions are asked of its claims, open or answered."""
        return sum(len(c.questions) for c in self.claims)


@dataclass(frozen=True)
class ReleasedLabels:
    """The claim labels of the releases before this version: each claim's label in the
    latest (kept while its perspective's letter is the same), and every label ever given
    (never given to another claim)."""

    kept: dict[str, str] = field(default_factory=dict)
    given: frozenset[str] = frozenset()


def released_labels(history: list[Release], edition: str) -> ReleasedLabels:
    """From release records, oldest first (labels are the same in every edition)."""
    given: set[str] = set()
    kept: dict[str, str] = {}
    for release in history:
        claims = release.record.editions.get(edition, Edition()).claims
        kept = {cid: claim.label for cid, claim in claims.items()}
        given |= set(kept.values())
    return ReleasedLabels(kept, frozenset(given))


NO_RELEASE = ReleasedLabels()  # a briefing never released: labels by order


def views(project: Project, base: ArgumentBase, lang: Localised,
          released: ReleasedLabels | None = None) -> tuple[dict[str, ClaimView], list]:
    tr = lang.text
    actors = actor_views(base, tr)
    claims: dict[str, ClaimView] = {}
    for claim in base.claims.values():
        claims[claim.id] = _claim_view(base, claim, actors, lang)
    for rel in base.relations:
        getattr(claims[rel.source], rel.type).append(rel.target)
        if rel.ours:
            claims[rel.source].ours.append(rel.target)
    _questions(base, claims, lang)
    claims = _ordered(project, claims)
    # Labels come from the default edition's short names, so P3 is P3 in every edition.
    default = Localiser(project.default_edition, project.default_edition.id)
    _label(claims, [(pid, p.letter or default(p.short), p.letter is not None)
                    for pid, p in project.config.perspectives.items()],
           released or NO_RELEASE, project)
    perspectives = [
        PerspectiveView(pid, tr(p.title), tr(p.short), tr(p.key_point), tr(p.summary),
                        [c for c in claims.values() if c.perspective == pid])
        for pid, p in project.config.perspectives.items()
    ]
    for view in perspectives:
        _balance(base, view, lang.words.locators)
    return claims, perspectives


def _questions(base: ArgumentBase, claims: dict[str, ClaimView], lang: Localised) -> None:
    """Each claim's scheme and critical questions, in the edition's language."""
    def text(value) -> str:
        return schemes.text(value, lang.edition, lang.text)

    for cid, claim in base.claims.items():
        if claim.scheme and claim.scheme in base.catalogue.schemes:
            claims[cid].scheme = text(base.catalogue.schemes[claim.scheme].name)
    for asked in schemes.asked(base, base.catalogue):
        claims[asked.claim].questions.append(QuestionAsked(
            asked.question.id, text(asked.question.text), text(asked.scheme.name),
            not asked.answered, asked.question.resolver or "", asked.target or ""))


def _balance(base: ArgumentBase, view: PerspectiveView, locators: tuple[str, str]) -> None:
    """Which sources and voices a perspective rests on, for its sources list and the
    appendix's balance table: a reader sees at once how much hangs on one voice."""
    paras: dict[str, set[int]] = {}
    counts: dict[str, int] = {}
    voices: dict[str, int] = {}
    evidence: dict[str, int] = {}
    for claim in view.claims:
        for cite in base.citations(base.claims[claim.id]):
            paras.setdefault(cite.source.id, set()).add(cite.para)
        source_id = base.claim_source[claim.id]
        counts[source_id] = counts.get(source_id, 0) + 1
        tally = voices if claim.stance == "position" else evidence
        for actor in claim.holders:  # ActorViews: names in the edition's language
            tally[actor.name] = tally.get(actor.name, 0) + 1
    view.sources = [SourceUse(base.sources[sid].title, base.sources[sid].key,
                              sorted(paras[sid]), counts.get(sid, 0), locators)
                    for sid in base.sources if sid in paras]
    view.voices = sorted(voices.items(), key=lambda item: (-item[1], item[0]))
    view.evidence = sorted(evidence.items(), key=lambda item: (-item[1], item[0]))


def _ordered(project: Project, claims: dict[str, ClaimView]) -> dict[str, ClaimView]:
    """The claims with each perspective's `order` applied: its listed claims first, in
    that order, in the places its claims held; an id it lists that is not its claim is
    an error at the perspective's `order`."""
    problems = Collector()
    result = list(claims)
    for pid, perspective in project.config.perspectives.items():
        if not perspective.order:
            continue
        own = [cid for cid in result if claims[cid].perspective == pid]
        for cid in perspective.order:
            if cid not in own:
                near = difflib.get_close_matches(cid, own, n=1)
                problems.add(f"perspectives.{pid}.order names {cid!r}, which is not one of "
                             "its claims", project.config_path,
                             project.line_of("perspectives", pid, "order"),
                             f"did you mean {near[0]!r}?" if near else
                             "list the ids of claims whose perspective is this one")
        rank = {cid: i for i, cid in enumerate(dict.fromkeys(perspective.order))}
        places = [i for i, cid in enumerate(result) if claims[cid].perspective == pid]
        for place, cid in zip(places, sorted(own, key=lambda c: rank.get(c, len(rank))),
                              strict=True):
            result[place] = cid
    problems.raise_if_any()
    return {cid: claims[cid] for cid in result}


def _label(claims: dict[str, ClaimView], perspectives: list[tuple[str, str, bool]],
           released: ReleasedLabels, project: Project | None = None) -> None:
    """Short reader-facing labels (P1, T2, ...): a unique prefix per perspective (its
    `letter`, or the first letters of its short name), then a number. A claim keeps its
    label from the last release while its prefix is the same; a new claim takes the next
    number after every one its prefix was ever given, so a label means one claim in every
    version (a removed claim's is not given again)."""
    prefixes: dict[str | None, str] = {None: "B"}
    problems = Collector()
    for pid, letter, chosen in perspectives:
        if not chosen:
            continue
        taken = next((other for other, prefix in prefixes.items() if prefix == letter), "")
        if taken != "" and project is not None:
            problems.add(f"perspectives.{pid}.letter {letter!r} is "
                         + ("the background's" if taken is None else
                            f"perspective {taken!r}'s too"), project.config_path,
                         project.line_of("perspectives", pid, "letter"),
                         "give each perspective a letter of its own (B is the background's)")
        prefixes[pid] = letter
    problems.raise_if_any()
    for pid, short, chosen in perspectives:
        if chosen:
            continue
        word = "".join(ch for ch in short.upper() if ch.isalnum()) or pid.upper()
        size = 1
        while word[:size] in prefixes.values() and size < len(word):
            size += 1
        prefixes[pid] = word[:size] if word[:size] not in prefixes.values() else pid.upper()
    used: set[str] = set()
    for claim in claims.values():
        prefix = prefixes.get(claim.perspective, "B")
        old = released.kept.get(claim.id, "")
        if re.fullmatch(rf"{re.escape(prefix)}[1-9][0-9]*", old) and old not in used:
            claim.label = old
            used.add(old)
    highest = {prefix: max((int(label[len(prefix):]) for label in released.given | used
                            if label.startswith(prefix) and label[len(prefix):].isdigit()),
                           default=0)
               for prefix in prefixes.values()}
    for claim in claims.values():
        if not claim.label:
            prefix = prefixes.get(claim.perspective, "B")
            highest[prefix] = highest.get(prefix, 0) + 1
            claim.label = f"{prefix}{highest[prefix]}"


def actor_views(base: ArgumentBase, tr: Localiser) -> dict[str, ActorView]:
    return {aid: ActorView(aid, tr(a.name), a.kind, tr(a.role)) for aid, a in base.actors.items()}


def _claim_view(base: ArgumentBase, claim: Claim, actors: dict[str, ActorView],
                lang: Localised) -> ClaimView:
    cites = base.citations(claim)
    source = base.source_of(claim)
    quote = claim.quote
    translation = ""
    if quote is not None and not lang.edition.same_language(source.language):
        # None only in a draft (--allow-missing): the gap is marked where it shows.
        translation = lang.text(quote.translation) if quote.translation is not None else (
            MARKER.strip())
    words = quote.words_of if quote is not None else None
    return ClaimView(
        quote_words=actors[words] if words and words not in claim.holders else None,
        stance=claim.stance,
        id=claim.id, statement=lang.text(claim.statement), kind=claim.kind,
        perspective=claim.perspective,
        holders=[actors[h] for h in claim.holders], reporter=actors[base.reporter(claim).id],
        cite=citation([(c.source.key, c.para) for c in cites], lang.words.locators),
        quote=quote,
        quote_cite=citation([(source.key, quote.para)], lang.words.locators) if quote else "",
        language=source.language,
        note=claim.note,
        translation=translation,
    )


class Tracked(list):
    """A list that remembers whether a template read it (was the comparison shown?)."""

    used = False

    def __iter__(self):
        self.used = True
        return super().__iter__()


@dataclass
class CellView:
    """One cell of the comparison: what one perspective says on one dimension."""

    perspective: PerspectiveView
    """The perspective whose cell it is."""
    text: str
    """The cell's text."""
    cite: str
    """The Pandoc citation of its claims' paragraphs (and those of see)."""
    labels: list[str]
    """The labels of the claims it rests on (P1, P3)."""
    links: list[str] = field(default_factory=list)
    """Those claims as Markdown links, "[P3](#claim-...)"."""
    see: list[str] = field(default_factory=list)
    """Links to claims of other perspectives it mentions (cross-references)."""


@dataclass
class RowView:
    """One dimension of the comparison, with a cell per perspective."""

    id: str
    """The dimension's id."""
    title: str
    """The dimension compared."""
    cells: list[CellView]
    """One cell per perspective, in the perspectives' order."""


@dataclass
class ItemView:
    """An entry of the analysis with the claims (and works) it rests on."""

    id: str
    """Its anchor: the entry's id; a glossary term's from the default edition's term; a
    timeline entry's event-<n>."""
    title: str
    """A key point's title, a term, an event's date; "" for a question."""
    text: str
    """The key point, definition, event or question."""
    cite: str
    """The Pandoc citation of its claims' paragraphs and the works it cites."""
    labels: list[str]
    """The labels of the claims it rests on (P1, T2)."""
    beyond_sources: bool = False
    """An event from a work outside the seeds (timeline entries only)."""
    links: list[str] = field(default_factory=list)
    """Those claims as Markdown links, "[P3](#claim-...)"."""


@dataclass
class KeyPointView(ItemView):
    """A key point: a finding a reader can act on, with how sure it is."""

    confidence: str = ""
    """Its confidence: very low, low, medium, high or very high ("" when not rated);
    words.confidence[confidence] is the phrase to print ("medium confidence")."""
    evidence: str = ""
    """Its evidence rating: limited, medium or robust (words.evidence[evidence] to print)."""
    agreement: str = ""
    """Its agreement rating: low, medium or high (words.agreement[agreement] to print)."""
    reason: str = ""
    """Why it is rated so, in the edition's language."""


class EventView(ItemView):
    """An entry of the timeline: when (title) and what happened (text)."""


class QuestionView(ItemView):
    """A question for policy (its title is empty)."""


class TermView(ItemView):
    """A glossary entry: the term (title) and its definition (text)."""


def _links(claims: dict[str, ClaimView], ids: list[str]) -> list[str]:
    """Markdown links to the claims, by label: every mention of a claim can be followed."""
    return [f"[{claims[c].label}](#claim-{c})" for c in ids]


def _cite_claims(base: ArgumentBase, ids: list[str], keys: tuple[str, ...] = (),
                 locators: tuple[str, str] = ("para.", "paras.")) -> str:
    refs = [(c.source.key, c.para) for cid in ids for c in base.citations(base.claims[cid])]
    citation_text = citation(refs, locators) if refs else ""
    extra = "; ".join(f"@{k}" for k in keys)
    if extra:
        citation_text = f"[{citation_text[1:-1]}; {extra}]" if citation_text else f"[{extra}]"
    return citation_text


def analysis_views(base: ArgumentBase, found: Analysis, claims: dict[str, ClaimView],
                   perspectives: list[PerspectiveView], tr: Localiser,
                   default: Localiser, locators: tuple[str, str]) -> dict:
    rows = Tracked([RowView(d.id, tr(d.title), [
        CellView(p, tr(cell.text), _cite_claims(base, cell.claims + cell.see, (), locators),
                 [claims[c].label for c in cell.claims], _links(claims, cell.claims),
                 _links(claims, cell.see))
        for p in perspectives for cell in [d.cells[p.id]]]) for d in found.comparison])
    questions = [QuestionView(q.id, "", tr(q.text), _cite_claims(base, q.claims, (), locators),
                              [claims[c].label for c in q.claims],
                              links=_links(claims, q.claims))
                 for q in found.questions]
    key_points = [KeyPointView(k.id, tr(k.title), tr(k.text),
                               _cite_claims(base, k.claims, tuple(k.cite), locators),
                               [claims[c].label for c in k.claims],
                               links=_links(claims, k.claims))
                  for k in found.key_points]
    for point, finding in zip(key_points, found.key_points, strict=True):
        if finding.confidence is not None:
            point.confidence = confidence.level(finding.confidence)
            point.evidence = finding.confidence.evidence
            point.agreement = finding.confidence.agreement
            point.reason = tr(finding.confidence.reason)
    # A term's anchor comes from the default edition's term, the same in every edition;
    # the order is the reader's alphabet.
    glossary = [TermView(default(t.term).lower().replace(" ", "-"), tr(t.term), tr(t.definition),
                         _cite_claims(base, t.claims, tuple(t.cite), locators),
                         [claims[c].label for c in t.claims], links=_links(claims, t.claims))
                for t in sorted(found.glossary, key=lambda t: tr(t.term).lower())]
    timeline = [EventView(f"event-{i}", tr(e.when), tr(e.text),
                          _cite_claims(base, e.claims, tuple(e.cite), locators),
                          [claims[c].label for c in e.claims], links=_links(claims, e.claims))
                for i, e in enumerate(found.timeline)]
    for view, event in zip(timeline, found.timeline, strict=True):
        view.beyond_sources = event.beyond_sources
    return {"comparison": rows, "questions": questions, "glossary": glossary,
            "timeline": timeline, "key_points": key_points}
