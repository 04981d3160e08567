"""How sure a finding is: an evidence rating and an agreement rating from a fixed
vocabulary, the confidence they give, and the rules that hold a rating to the data.

The scale follows the IPCC's guidance note for the authors of its Fifth Assessment Report
on the consistent treatment of uncertainties (2010): evidence is limited, medium or
robust; agreement low, medium or high; together they give a confidence in five levels,
very low to very high. The guidance leaves the step from the two to the confidence to the
authors' judgement; we fix it so that every edition and every version says the same: each
step up in evidence or in agreement is one step up in confidence (limited evidence and low
agreement: very low; robust evidence and high agreement: very high).

The engine cannot judge a finding, but it can count what a rating claims to rest on
(`Basis`): the sources its claims cite, the voices that hold them, whether they reach us
first-hand or as reported speech, and whether one of them is attacked or undercut with no
answer in the data. `check` turns a rating the count contradicts into a problem at the
rating's line (Rating's docstring lists them, and so docs/format.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from briefing.errors import Collector, Problem
from briefing.model.texts import Text

if TYPE_CHECKING:
    from pathlib import Path

    from briefing.model.analysis import Analysis
    from briefing.model.sources import ArgumentBase

EVIDENCE = ("limited", "medium", "robust")
AGREEMENT = ("low", "medium", "high")
LEVELS = ("very low", "low", "medium", "high", "very high")

# The printed words, one fixed phrase per rating (msgids of the engine's words: each
# language's catalogue translates the phrase whole, so Dutch inflects as it must).
EVIDENCE_WORDS = {"limited": "limited evidence", "medium": "medium evidence",
                  "robust": "robust evidence"}
AGREEMENT_WORDS = {"low": "low agreement", "medium": "medium agreement",
                   "high": "high agreement"}
LEVEL_WORDS = {"very low": "very low confidence", "low": "low confidence",
               "medium": "medium confidence", "high": "high confidence",
               "very high": "very high confidence"}


class Rating(BaseModel):
    """How sure the finding is: the evidence its claims give and how far they agree. The
    confidence follows from the two (model/confidence.py) and is printed in the edition's
    words, with a legend. The engine holds the rating to the data: robust evidence needs
    two sources and two voices at least; high agreement, no unanswered attack or undercut on
    a claim the finding rests on (a warning; an error with --strict); a finding whose claims
    all reach us as reported speech cannot be rated above medium confidence (a warning; an
    error with --strict)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    evidence: Literal["limited", "medium", "robust"]
    """How much the evidence is: limited, medium or robust (its amount, kind, quality and
    independence: how many sources and voices, first-hand or reported)."""
    agreement: Literal["low", "medium", "high"]
    """How far the claims it rests on, and the perspectives, agree: low, medium or high."""
    reason: Text
    """Why these ratings, in a sentence or two: printed after them."""


def level(rating: Rating) -> str:
    """The confidence the two ratings give: one of LEVELS."""
    return LEVELS[EVIDENCE.index(rating.evidence) + AGREEMENT.index(rating.agreement)]


def words(rating: Rating, word: Callable[[str], str]) -> tuple[str, str, str]:
    """(confidence, evidence, agreement) in an edition's words (`word`: msgid -> text)."""
    return (word(LEVEL_WORDS[level(rating)]), word(EVIDENCE_WORDS[rating.evidence]),
            word(AGREEMENT_WORDS[rating.agreement]))


def msgids() -> list[str]:
    """The engine's words of the vocabulary, for its catalogue and the editions' gaps."""
    return [*LEVEL_WORDS.values(), *EVIDENCE_WORDS.values(), *AGREEMENT_WORDS.values()]


@dataclass
class Basis:
    """What a finding rests on, counted from the data."""

    sources: list[str] = field(default_factory=list)
    """The sources its claims cite (ids, in order)."""
    voices: list[str] = field(default_factory=list)
    """Who holds its claims (actor ids, in order)."""
    reported: list[str] = field(default_factory=list)
    """Its claims that reach us as reported speech: their reporter is none of their holders."""
    unanswered: list[tuple[str, str, str]] = field(default_factory=list)
    """(attacker, attacks|undercuts, claim) for each attack or undercut on one of its claims
    that no claim of the data attacks or undercuts in turn."""


def basis(claims: list[str], base: ArgumentBase) -> Basis:
    found = Basis()
    answered = {r.target for r in base.relations if r.type in ("attacks", "undercuts")}
    for cid in claims:
        claim = base.claims.get(cid)
        if claim is None:
            continue  # an unknown claim is reported by analysis.load
        for cite in base.citations(claim):
            if cite.source.id not in found.sources:
                found.sources.append(cite.source.id)
        for holder in claim.holders:
            if holder not in found.voices:
                found.voices.append(holder)
        if base.reporter(claim).id not in claim.holders:
            found.reported.append(cid)
        found.unanswered += [(r.source, r.type, cid) for r in base.relations
                             if r.target == cid and r.type in ("attacks", "undercuts")
                             and r.source not in answered]
    return found


def check(found: Analysis, base: ArgumentBase, path: Path,
          line: Callable[[tuple], int | None], problems: Collector,
          warnings: list[Problem]) -> None:
    """Each key point's rating against what its claims are (the rules of Rating)."""
    for k, finding in enumerate(found.key_points):
        rating = finding.confidence
        loc = ("key_points", k, "confidence")
        if rating is None:
            warnings.append(Problem(
                f"key point {finding.id!r} has no confidence rating", path,
                line(("key_points", k)),
                "add 'confidence:' with evidence (limited, medium, robust), agreement (low, "
                "medium, high) and the reason for them"))
            continue
        counted = basis(finding.claims, base)
        if rating.evidence == "robust" and len(counted.sources) < 2:
            problems.add(
                f"key point {finding.id!r} is rated robust evidence, but its claims cite one "
                f"source only ({', '.join(counted.sources)})", path, line(loc + ("evidence",)),
                "robust evidence needs independent sources: rate it medium or limited, or "
                "rest it on claims of another source too")
        elif rating.evidence == "robust" and len(counted.voices) < 2:
            problems.add(
                f"key point {finding.id!r} is rated robust evidence, but its claims are held "
                f"by one voice only ({', '.join(counted.voices)})", path,
                line(loc + ("evidence",)),
                "robust evidence needs more than one voice: rate it medium or limited, or rest "
                "it on claims of other holders too")
        if rating.agreement == "high" and counted.unanswered:
            attacker, how, target = counted.unanswered[0]
            warnings.append(Problem(
                f"key point {finding.id!r} is rated high agreement, but claim {attacker!r} "
                f"{how} claim {target!r} it rests on, and nothing in the data answers it",
                path, line(loc + ("agreement",)),
                "rate the agreement medium or low, or record the claim that answers the "
                "attack (a relation that attacks or undercuts it)"))
        if (LEVELS.index(level(rating)) > LEVELS.index("medium")
                and len(counted.reported) == len(finding.claims)):
            warnings.append(Problem(
                f"key point {finding.id!r} is rated {level(rating)} confidence, but every "
                "claim it rests on reaches us as reported speech", path, line(loc),
                "reported speech gives at most medium confidence: lower the evidence or the "
                "agreement, or rest the finding on a claim its source makes itself"))
