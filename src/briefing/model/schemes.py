"""Argument schemes and their critical questions: which a claim's argument follows, and
what the sources leave open about it.

A claim (or a relation) may name its scheme (`scheme: expert-opinion`). Each scheme
comes with critical questions, in the tradition of Walton's schemes and Carneades'
assumptions and exceptions; the wording here is our own, in English and Dutch. A question
with a resolver is answered when the data answer it (RESOLVERS: independent sources, a
holder's recorded role, first-hand or reported, contested by an attack, a quote in the
holder's own words, support from another claim); a question without one, or whose
resolver finds nothing, stays open, and the open ones are what the appendix "What the
sources leave open" lists and `briefing check --questions` prints. A project adds schemes
of its own in schemes.yaml, in the same form.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from briefing.errors import BriefingError, Collector
from briefing.model import texts, validation, yamlfile
from briefing.model.texts import Edition, Text

if TYPE_CHECKING:
    from briefing.model.sources import ArgumentBase, Claim

ID = r"^[a-z0-9][a-z0-9-]*$"
FILE_NAME = "schemes.yaml"

Resolver = Literal["independent-sources", "other-voices", "role", "quote", "first-hand",
                   "contested", "supported"]
# What each resolver asks of the data; the question is answered when it finds it.
RESOLVERS: dict[str, str] = {
    "independent-sources": "the claim and the claims that support it cite two sources or more",
    "other-voices": "a claim of someone who is not among its holders supports or attacks it",
    "role": "every holder's role is recorded (actors[].role)",
    "quote": "a quote in the holders' own words is recorded",
    "first-hand": "it reaches us first-hand: its reporter is one of its holders",
    "contested": "a claim attacks or undercuts it",
    "supported": "a claim supports it",
}


class Strict(BaseModel):
    # The docstring under each key is its description in `briefing schema` and docs/format.md.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class CriticalQuestion(Strict):
    """A question a reader should ask of an argument of the scheme."""

    id: str = Field(pattern=ID)
    """The question's id, unique in its scheme."""
    text: Text
    """The question, in our words."""
    resolver: Resolver | None = None
    """What in the data answers it (see model/schemes.py RESOLVERS): independent-sources,
    other-voices, role, quote, first-hand, contested, supported; none: always open."""


class Scheme(Strict):
    """An argument scheme: a common form of argument, with its critical questions."""

    id: str = Field(pattern=ID)
    """The scheme's id, named by claims and relations (scheme: <id>)."""
    name: Text
    """Its name as printed ("argument from expert opinion")."""
    questions: list[CriticalQuestion] = Field(min_length=1)
    """Its critical questions."""


class SchemesFile(Strict):
    """schemes.yaml: a project's own argument schemes, added to the engine's."""

    schemes: list[Scheme] = Field(min_length=1)
    """The schemes; an id must not be one of the engine's."""


def _q(ident: str, en: str, nl: str, resolver: str | None = None) -> dict:
    return {"id": ident, "text": {"en": en, "nl": nl}, "resolver": resolver}


# The engine's catalogue: the schemes of the issue, their questions in our own words.
ENGINE: list[dict] = [
    {"id": "expert-opinion",
     "name": {"en": "argument from expert opinion",
              "nl": "argument op gezag van een deskundige"},
     "questions": [
         _q("field", "Is the holder an expert in the field the claim is about?",
            "Is wie dit stelt deskundig op het terrein waarover de bewering gaat?", "role"),
         _q("others", "Do other experts say the same, or the opposite?",
            "Zeggen andere deskundigen hetzelfde, of het tegendeel?", "other-voices"),
         _q("words", "Do we have the expert's own words?",
            "Hebben we de eigen woorden van de deskundige?", "quote"),
         _q("basis", "Does anything in the sources back the judgement?",
            "Steunt iets in de bronnen het oordeel?", "supported"),
         _q("stake", "Does the expert have a stake in the outcome?",
            "Heeft de deskundige belang bij de uitkomst?")]},
    {"id": "witness-testimony",
     "name": {"en": "argument from witness testimony", "nl": "argument op grond van getuigenis"},
     "questions": [
         _q("saw", "Was the witness where they could see what they report?",
            "Was de getuige op een plek waar die kon zien wat die meldt?"),
         _q("first-hand", "Does the testimony reach us first-hand, not relayed?",
            "Bereikt de getuigenis ons uit de eerste hand, niet doorgegeven?", "first-hand"),
         _q("others", "Does anyone else testify to the same, or against it?",
            "Getuigt iemand anders hetzelfde, of het tegendeel?", "other-voices"),
         _q("against", "Does anything in the sources speak against the testimony?",
            "Spreekt iets in de bronnen de getuigenis tegen?", "contested")]},
    {"id": "position-to-know",
     "name": {"en": "argument from a position to know",
              "nl": "argument van iemand die het kan weten"},
     "questions": [
         _q("position", "Is the holder in a position to know (what is their role)?",
            "Is wie dit stelt in een positie om het te weten (wat is diens rol)?", "role"),
         _q("honest", "Is the holder a reliable and honest source on this?",
            "Is wie dit stelt hierover een betrouwbare en eerlijke bron?"),
         _q("said", "Do we have the holder's own words, or only a paraphrase?",
            "Hebben we de eigen woorden van wie dit stelt, of alleen een parafrase?", "quote"),
         _q("confirmed", "Does a source independent of the holder confirm it?",
            "Bevestigt een bron die los staat van wie dit stelt het?", "independent-sources")]},
    {"id": "analogy",
     "name": {"en": "argument from analogy", "nl": "argument op grond van analogie"},
     "questions": [
         _q("alike", "Are the two cases alike in the respects that matter?",
            "Lijken de twee gevallen op elkaar in de opzichten die ertoe doen?"),
         _q("differ", "Does anything in the sources show a difference that undoes the "
            "comparison?", "Toont iets in de bronnen een verschil dat de vergelijking "
            "onderuithaalt?", "contested"),
         _q("counter", "Is there another case that suggests the opposite?",
            "Is er een ander geval dat op het tegendeel wijst?")]},
    {"id": "cause-to-effect",
     "name": {"en": "argument from cause to effect", "nl": "argument van oorzaak naar gevolg"},
     "questions": [
         _q("evidence", "Is there evidence that the cause brings about this effect?",
            "Is er bewijs dat de oorzaak dit gevolg heeft?", "supported"),
         _q("against", "Does anything in the sources speak against the link?",
            "Spreekt iets in de bronnen het verband tegen?", "contested"),
         _q("other-causes", "Could something else bring the effect about, or prevent it?",
            "Kan iets anders het gevolg veroorzaken, of verhinderen?")]},
    {"id": "consequences",
     "name": {"en": "argument from consequences", "nl": "argument op grond van gevolgen"},
     "questions": [
         _q("likely", "How likely are the consequences it names?",
            "Hoe waarschijnlijk zijn de gevolgen die het noemt?"),
         _q("evidence", "What evidence is there that they will follow?",
            "Welk bewijs is er dat ze zullen volgen?", "supported"),
         _q("other-side", "Do the sources name consequences that weigh against them?",
            "Noemen de bronnen gevolgen die ertegen opwegen?", "contested")]},
    {"id": "sign",
     "name": {"en": "argument from a sign", "nl": "argument op grond van een teken"},
     "questions": [
         _q("reliable", "How reliably does the sign point to what it is taken for?",
            "Hoe betrouwbaar wijst het teken op waarvoor het wordt gehouden?"),
         _q("other-explanation", "Does anything in the sources explain the sign otherwise?",
            "Verklaart iets in de bronnen het teken anders?", "contested"),
         _q("more-signs", "Do other sources point the same way?",
            "Wijzen andere bronnen dezelfde kant op?", "independent-sources")]},
    {"id": "popular-opinion",
     "name": {"en": "argument from popular opinion",
              "nl": "argument op grond van de publieke opinie"},
     "questions": [
         _q("shown", "What shows that the view is widely held?",
            "Waaruit blijkt dat de opvatting breed gedeeld wordt?", "supported"),
         _q("whose", "Whose view is it, and do they speak for the many?",
            "Wiens opvatting is het, en spreken zij voor velen?"),
         _q("wrong", "Does anything in the sources suggest the many are wrong here?",
            "Wijst iets in de bronnen erop dat de velen zich hier vergissen?", "contested")]},
]


@dataclass
class Catalogue:
    """The schemes a project can name: the engine's, then its own (schemes.yaml)."""

    schemes: dict[str, Scheme] = field(default_factory=dict)
    own: set[str] = field(default_factory=set)  # the project's scheme ids


def engine() -> Catalogue:
    found = [Scheme.model_validate(s) for s in ENGINE]
    return Catalogue({s.id: s for s in found})


def load(root: Path, editions: list[Edition], coverage: texts.Coverage, inputs=None,
         ) -> Catalogue:
    """The engine's schemes and the project's schemes.yaml, checked; a project's texts
    have gaps per edition like every other text."""
    catalogue = engine()
    path = root / FILE_NAME
    if not os.path.lexists(path):
        return catalogue
    try:
        doc = yamlfile.load(path, inputs)
    except BriefingError as exc:
        if [p.message for p in exc.problems] == ["file is empty"]:  # its hint is a seed's
            raise BriefingError.at("file is empty", path, 1, "schemes.yaml holds a "
                                   "'schemes:' list; remove the file if you add none") from None
        raise
    if not isinstance(doc.data, dict):
        raise doc.error("schemes.yaml must be a mapping with a 'schemes:' list")
    default = next(e.id for e in editions if e.default)
    try:
        own = SchemesFile.model_validate(doc.data, context={"default_edition": default})
    except ValidationError as exc:
        source = validation.Source(path, doc.line, "yaml")
        raise BriefingError(validation.problems(exc.errors(), SchemesFile, source)) from None
    problems = Collector()
    texts.check_texts(own, path, doc.line, editions, coverage, problems)
    for i, scheme in enumerate(own.schemes):
        if scheme.id in catalogue.schemes:
            problems.add(f"scheme {scheme.id!r} is defined twice" if scheme.id in
                         catalogue.own else f"scheme {scheme.id!r} is one of the engine's",
                         path, doc.line(("schemes", i, "id")),
                         "give your scheme an id of its own (the engine's: "
                         f"{', '.join(s['id'] for s in ENGINE)})")
            continue
        ids = [q.id for q in scheme.questions]
        for j, ident in enumerate(ids):
            if ident in ids[:j]:
                problems.add(f"question {ident!r} twice in scheme {scheme.id!r}", path,
                             doc.line(("schemes", i, "questions", j, "id")),
                             "each question of a scheme has an id of its own")
        catalogue.schemes[scheme.id] = scheme
        catalogue.own.add(scheme.id)
    problems.raise_if_any()
    return catalogue


def check(base: ArgumentBase, catalogue: Catalogue, problems: Collector) -> None:
    """Every scheme a claim or relation names is in the catalogue."""
    for key, where in base.where.items():
        if key[0] != "scheme":
            continue
        name = base.scheme_names[key[1]]
        if name not in catalogue.schemes:
            near = difflib.get_close_matches(name, list(catalogue.schemes), n=1)
            problems.add(f"unknown scheme {name!r}", where.path, where.line,
                         f"did you mean {near[0]!r}?" if near else
                         f"schemes are: {', '.join(catalogue.schemes)} (or add yours to "
                         f"{FILE_NAME})")


@dataclass(frozen=True)
class Asked:
    """One critical question asked of one argument: open, or answered by the data."""

    claim: str
    """The claim whose argument it is (for a relation's scheme: the claim that bears)."""
    scheme: Scheme
    question: CriticalQuestion
    target: str | None = None
    """For a relation's scheme: the claim the argument bears on."""
    answered: bool = False


def answered(resolver: str | None, claim: Claim, base: ArgumentBase) -> bool:
    """Whether the data answer a question of `resolver` about `claim`."""
    if resolver is None:
        return False
    towards = [r for r in base.relations if r.target == claim.id]
    if resolver == "independent-sources":
        ids = [claim.id, *(r.source for r in towards if r.type == "supports")]
        found = {c.source.id for cid in ids if cid in base.claims
                 for c in base.citations(base.claims[cid])}
        return len(found) >= 2
    if resolver == "other-voices":
        own = set(claim.holders)
        return any(r.type in ("supports", "attacks") and r.source in base.claims
                   and not own & set(base.claims[r.source].holders) for r in towards)
    if resolver == "role":
        return all(base.actors[h].role is not None for h in claim.holders if h in base.actors)
    if resolver == "quote":
        quote = claim.quote
        return quote is not None and (quote.words_of is None or quote.words_of in claim.holders)
    if resolver == "first-hand":
        return base.reporter(claim).id in claim.holders
    if resolver == "contested":
        return any(r.type in ("attacks", "undercuts") for r in towards)
    if resolver == "supported":
        return any(r.type == "supports" for r in towards)
    raise ValueError(resolver)  # the model allows no other


def asked(base: ArgumentBase, catalogue: Catalogue) -> list[Asked]:
    """Every critical question of every scheme the data name, in seed order: a claim's
    own scheme, then the schemes of the relations it bears on others with."""
    found: list[Asked] = []
    for claim in base.claims.values():
        arguments: list[tuple[str, str | None]] = []
        if claim.scheme:
            arguments.append((claim.scheme, None))
        arguments += [(r.scheme, r.target) for r in base.relations
                      if r.source == claim.id and r.scheme]
        for name, target in arguments:
            scheme = catalogue.schemes.get(name)
            if scheme is None:
                continue  # reported by check
            found += [Asked(claim.id, scheme, q, target, answered(q.resolver, claim, base))
                      for q in scheme.questions]
    return found


def text(value, edition: Edition, tr) -> str:
    """A catalogue text in the edition's language: the engine's come in English and Dutch
    (another language reads them in English); a project's are localised like its data."""
    if isinstance(value, dict) and edition.primary not in value and edition.id not in value:
        return value.get("en") or next(iter(value.values()))
    if isinstance(value, dict) and edition.id not in value:
        return value[edition.primary]
    return tr(value)


def report(base: ArgumentBase, root: Path, edition: Edition, tr) -> list[str]:
    """The open critical questions for the author (`briefing check --questions`): one line
    each, `file:line: claim, scheme: question`, at the line that names the scheme; then how
    many are open of how many asked."""
    every = asked(base, base.catalogue)
    lines = []
    for item in every:
        if item.answered:
            continue
        key = item.claim if item.target is None else next(
            (k for k in base.scheme_names if k.startswith(f"{item.claim}>{item.target}>")), "")
        where = base.where.get(("scheme", key))
        place = ""
        if where is not None:
            path = where.path.relative_to(root) if where.path.is_relative_to(root) else where.path
            place = f"{path}:{where.line}: " if where.line else f"{path}: "
        about = item.claim + (f" → {item.target}" if item.target else "")
        lines.append(f"{place}{about}, {text(item.scheme.name, edition, tr)}: "
                     f"{text(item.question.text, edition, tr)}")
    lines.append(f"{len(lines)} critical question(s) left open by the sources, of "
                 f"{len(every)} asked")
    return lines
