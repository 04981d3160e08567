"""What templates see: view models of claims, actors, perspectives, sources and the
analysis (comparison, timeline, key points), in one edition's language, with labels,
links and citations made once here rather than in every template."""

from __future__ import annotations

from dataclasses import dataclass, field

from briefing.compose import language as i18n
from briefing.compose.markdown import citation, join_names
from briefing.model.analysis import Analysis
from briefing.model.config import Project
from briefing.model.sources import ArgumentBase, Claim, Quote


@dataclass
class ActorView:
    """An actor in one edition's words."""

    id: str
    name: str
    kind: str
    role: str


@dataclass
class ClaimView:
    """A claim as templates see it, in one edition's language: names resolved, citations
    ready to print."""

    id: str
    statement: str
    kind: str
    perspective: str | None
    holders: list[ActorView]
    reporter: ActorView
    cite: str
    quote: Quote | None
    quote_cite: str
    language: str  # the source's (and so the quote's) language
    note: str
    translation: str = ""  # the quote in the edition's language; "" when it is in it already
    # The actor whose words the quote is, when they are not the holders' (a paraphrase by
    # the reporter); None when the quote is a holder's own words.
    quote_words: ActorView | None = None
    stance: str = "position"
    label: str = ""
    supports: list[str] = field(default_factory=list)
    attacks: list[str] = field(default_factory=list)
    undercuts: list[str] = field(default_factory=list)

    @property
    def holder_names(self) -> str:
        return join_names([a.name for a in self.holders])


@dataclass
class SourceUse:
    """How much one perspective rests on one source: which paragraphs, how many claims."""

    title: str
    key: str
    paras: list[int]
    claims: int
    locators: tuple[str, str] = ("para.", "paras.")

    @property
    def cite(self) -> str:
        return citation([(self.key, p) for p in self.paras], self.locators)


@dataclass
class PerspectiveView:
    id: str
    title: str
    short: str
    key_point: str
    summary: str
    claims: list[ClaimView]
    sources: list[SourceUse] = field(default_factory=list)
    voices: list[tuple[str, int]] = field(default_factory=list)  # (actor name, claims held)
    # Who supplies the facts and testimony it draws on (claims of stance evidence).
    evidence: list[tuple[str, int]] = field(default_factory=list)


def views(project: Project, base: ArgumentBase, lang: i18n.Localised
          ) -> tuple[dict[str, ClaimView], list]:
    tr = lang.text
    actors = actor_views(base, tr)
    claims: dict[str, ClaimView] = {}
    for claim in base.claims.values():
        claims[claim.id] = _claim_view(base, claim, actors, lang)
    for rel in base.relations:
        getattr(claims[rel.source], rel.type).append(rel.target)
    # Labels come from the default edition's short names, so P3 is P3 in every edition.
    default = i18n.Localiser(project.default_edition, project.default_edition.id)
    _label(claims, [(pid, default(p.short)) for pid, p in project.config.perspectives.items()])
    perspectives = [
        PerspectiveView(pid, tr(p.title), tr(p.short), tr(p.key_point), tr(p.summary),
                        [c for c in claims.values() if c.perspective == pid])
        for pid, p in project.config.perspectives.items()
    ]
    for view in perspectives:
        _balance(base, view, lang.words.locators)
    return claims, perspectives


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


def _label(claims: dict[str, ClaimView], perspectives: list[tuple[str, str]]) -> None:
    """Short reader-facing labels (P1, T2, ...): a unique prefix per perspective, then order."""
    prefixes: dict[str | None, str] = {None: "B"}
    for pid, short in perspectives:
        word = "".join(ch for ch in short.upper() if ch.isalnum()) or pid.upper()
        size = 1
        while word[:size] in prefixes.values() and size < len(word):
            size += 1
        prefixes[pid] = word[:size] if word[:size] not in prefixes.values() else pid.upper()
    counts: dict[str | None, int] = {}
    for claim in claims.values():
        counts[claim.perspective] = counts.get(claim.perspective, 0) + 1
        claim.label = f"{prefixes.get(claim.perspective, 'B')}{counts[claim.perspective]}"


def actor_views(base: ArgumentBase, tr: i18n.Localiser) -> dict[str, ActorView]:
    return {aid: ActorView(aid, tr(a.name), a.kind, tr(a.role)) for aid, a in base.actors.items()}


def _claim_view(base: ArgumentBase, claim: Claim, actors: dict[str, ActorView],
                lang: i18n.Localised) -> ClaimView:
    cites = base.citations(claim)
    source = base.source_of(claim)
    quote = claim.quote
    translation = ""
    if quote is not None and not lang.edition.same_language(source.language):
        translation = lang.text(quote.translation)
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
    perspective: PerspectiveView
    text: str
    cite: str
    labels: list[str]
    links: list[str] = field(default_factory=list)  # "[P3](#claim-...)", as labels
    see: list[str] = field(default_factory=list)  # cross-references to other perspectives


@dataclass
class RowView:
    id: str
    title: str
    cells: list[CellView]


@dataclass
class ItemView:
    """A question for policy or a glossary term, with the claims it rests on."""

    id: str
    title: str
    text: str
    cite: str
    labels: list[str]
    beyond_sources: bool = False
    links: list[str] = field(default_factory=list)  # "[P3](#claim-...)", as labels


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
                   perspectives: list[PerspectiveView], tr: i18n.Localiser,
                   default: i18n.Localiser, locators: tuple[str, str]) -> dict:
    rows = Tracked([RowView(d.id, tr(d.title), [
        CellView(p, tr(cell.text), _cite_claims(base, cell.claims + cell.see, (), locators),
                 [claims[c].label for c in cell.claims], _links(claims, cell.claims),
                 _links(claims, cell.see))
        for p in perspectives for cell in [d.cells[p.id]]]) for d in found.comparison])
    questions = [ItemView(q.id, "", tr(q.text), _cite_claims(base, q.claims, (), locators),
                          [claims[c].label for c in q.claims], links=_links(claims, q.claims))
                 for q in found.questions]
    key_points = [ItemView(k.id, tr(k.title), tr(k.text),
                           _cite_claims(base, k.claims, tuple(k.cite), locators),
                           [claims[c].label for c in k.claims], links=_links(claims, k.claims))
                  for k in found.key_points]
    # A term's anchor comes from the default edition's term, the same in every edition;
    # the order is the reader's alphabet.
    glossary = [ItemView(default(t.term).lower().replace(" ", "-"), tr(t.term), tr(t.definition),
                         _cite_claims(base, t.claims, tuple(t.cite), locators),
                         [claims[c].label for c in t.claims], links=_links(claims, t.claims))
                for t in sorted(found.glossary, key=lambda t: tr(t.term).lower())]
    timeline = [ItemView(f"event-{i}", tr(e.when), tr(e.text),
                         _cite_claims(base, e.claims, tuple(e.cite), locators),
                         [claims[c].label for c in e.claims], links=_links(claims, e.claims))
                for i, e in enumerate(found.timeline)]
    for view, event in zip(timeline, found.timeline, strict=True):
        view.beyond_sources = event.beyond_sources
    return {"comparison": rows, "questions": questions, "glossary": glossary,
            "timeline": timeline, "key_points": key_points}
