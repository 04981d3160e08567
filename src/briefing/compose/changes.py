"""What changed in the argument base between two versions, per edition.

Compares two snapshots (compose/snapshot.py: a release record's, or the working tree's)
item by item, by id: claims added, removed and reworded (with the words that changed),
translations changed, quotes and locators changed, relations added and removed,
comparison cells changed, sources added and removed. Each change is one entry of one
kind, so a change shows once in `briefing diff`, its JSON, and the changelog section.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from briefing.model.releases import Cell, Claim, Edition, Quote, Relation

# In the order the changelog lists them.
KINDS = ("claim-added", "claim-removed", "claim-reworded", "translation-changed",
         "claim-changed", "quote-changed", "locator-changed", "relation-added",
         "relation-removed", "cell-changed", "source-added", "source-removed")


@dataclass
class Change:
    kind: str
    id: str  # the claim's, the cell's (dimension/perspective), the source's, or the relation's
    label: str = ""  # the claim's label in the newer version (P3), or the older if removed
    old: str = ""
    new: str = ""
    words: list[tuple[str, str]] = field(default_factory=list)  # (equal|delete|insert, text)
    what: str = ""  # for claim-changed: which fields; for a cell: "dimension × perspective"
    link: str = ""  # the anchor in the newer version, when the item is still there

    def as_json(self) -> dict[str, Any]:
        found = asdict(self)
        found["words"] = [list(w) for w in self.words]
        return {k: v for k, v in found.items() if v not in ("", [])}


WORD_PAIRS = 4_000_000  # words of one text times words of the other, compared word by word


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The words that changed: runs of equal, deleted and inserted words, in order. Two
    texts too long to compare word by word (a crafted record's statement of 100,000
    words: difflib is quadratic) show as all deleted and all inserted."""
    a, b = re.findall(r"\S+", old), re.findall(r"\S+", new)
    if len(a) * len(b) > WORD_PAIRS:
        return [(op, text) for op, text in (("delete", old), ("insert", new)) if text]
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("equal", "delete", "replace"):
            runs.append(("equal" if op == "equal" else "delete", " ".join(a[i1:i2])))
        if op in ("insert", "replace"):
            runs.append(("insert", " ".join(b[j1:j2])))
    return runs


def _claim_anchor(cid: str) -> str:
    return f"claim-{cid}"


def _quote_locator(quote: Quote | None) -> str:
    return f"{quote.source} {quote.para}" if quote else ""


Snapshot = Edition | dict[str, Any]  # a record's edition, a snapshot, or their plain data


def compare(old: Mapping[str, Snapshot], new: Mapping[str, Snapshot], default: str
            ) -> dict[str, list[Change]]:
    """Per edition present in `new`, the changes from `old` (snapshots by edition id).
    `default` is the default edition's id: a statement changed in another edition while
    the default's stayed is a changed translation, not a reworded claim."""
    before = {ed: _typed(value) for ed, value in old.items()}
    after = {ed: _typed(value) for ed, value in new.items()}
    empty = Edition()
    return {ed: _compare_edition(before.get(ed, empty), after[ed],
                                 before.get(default, empty), after.get(default, empty),
                                 ed != default)
            for ed in after}


def _typed(value: Snapshot) -> Edition:
    """A snapshot as the model a record holds (a release's edition is one already)."""
    return value if isinstance(value, Edition) else Edition.model_validate(value)


def _compare_edition(old: Edition, new: Edition, old_default: Edition, new_default: Edition,
                     translated: bool) -> list[Change]:
    found: list[Change] = []
    oc, nc = old.claims, new.claims
    for cid, claim in nc.items():
        if cid not in oc:
            found.append(Change("claim-added", cid, claim.label, new=claim.statement,
                                link=_claim_anchor(cid)))
            continue
        found += _claim_changes(cid, oc[cid], claim, translated and _same_original(
            cid, old_default, new_default))
    for cid, claim in oc.items():
        if cid not in nc:
            found.append(Change("claim-removed", cid, claim.label, old=claim.statement))
    found += _relation_changes(old.relations, new.relations, nc, oc)
    for key in sorted(set(old.cells) | set(new.cells)):
        before, after = old.cells.get(key), new.cells.get(key)
        if before and after and (before.text, before.claims) == (after.text, after.claims):
            continue
        shown = after or before
        assert shown is not None
        old_text = before.text if before else ""
        new_text = after.text if after else ""
        if old_text == new_text:  # the same words, resting on other claims
            old_text = _rests_on(before, oc)
            new_text = _rests_on(after, nc)
        found.append(Change("cell-changed", key, old=old_text, new=new_text,
                            words=word_diff(old_text, new_text),
                            what=f"{shown.dimension} × {shown.perspective}"))
    found += [Change("source-added", sid, new=s.title) for sid, s in new.sources.items()
              if sid not in old.sources]
    found += [Change("source-removed", sid, old=s.title) for sid, s in old.sources.items()
              if sid not in new.sources]
    return sorted(found, key=lambda c: KINDS.index(c.kind))


def _rests_on(cell: Cell | None, claims: dict[str, Claim]) -> str:
    """A cell's claims by label, for a cell whose text stayed while its claims changed."""
    if not cell:
        return ""
    return "→ " + ", ".join(claims[c].label if c in claims else c for c in cell.claims)


def _same_original(cid: str, old_default: Edition, new_default: Edition) -> bool:
    before, after = old_default.claims.get(cid), new_default.claims.get(cid)
    return bool(before and after and before.statement == after.statement)


def _claim_changes(cid: str, before: Claim, after: Claim, translation_only: bool
                   ) -> list[Change]:
    found = []
    link, label = _claim_anchor(cid), after.label
    if before.statement != after.statement:
        found.append(Change("translation-changed" if translation_only else "claim-reworded",
                            cid, label, before.statement, after.statement,
                            word_diff(before.statement, after.statement),
                            what="statement", link=link))
    other = [name for name in ("kind", "perspective", "holders")
             if getattr(before, name) != getattr(after, name)]
    if other:
        found.append(Change("claim-changed", cid, label, what=", ".join(other), link=link,
                            old="; ".join(f"{n}: {_plain(getattr(before, n))}" for n in other),
                            new="; ".join(f"{n}: {_plain(getattr(after, n))}" for n in other)))
    qa, qb = before.quote, after.quote
    text_a, text_b = qa.text if qa else "", qb.text if qb else ""
    if (qa and qa.text) != (qb and qb.text):
        found.append(Change("quote-changed", cid, label, text_a, text_b,
                            word_diff(text_a, text_b), what="quote", link=link))
    elif qa and qb and qa.translation != qb.translation:
        found.append(Change("translation-changed", cid, label, qa.translation or "",
                            qb.translation or "",
                            word_diff(qa.translation or "", qb.translation or ""),
                            what="quote", link=link))
    if _quote_locator(qa) != _quote_locator(qb) or before.cites != after.cites:
        found.append(Change("locator-changed", cid, label,
                            _locators(before), _locators(after), what="locator", link=link))
    return found


def _locators(claim: Claim) -> str:
    """Where a claim rests: the paragraphs it cites, and its quote's paragraph."""
    cites = ", ".join(claim.cites)
    quote = _quote_locator(claim.quote)
    return cites + (f"; quote: {quote}" if quote else "")


def _plain(value: Any) -> str:
    return ", ".join(value) if isinstance(value, list) else str(value)


def _relation_changes(old: list[Relation], new: list[Relation], nc: dict[str, Claim],
                      oc: dict[str, Claim]) -> list[Change]:
    def key(r: Relation) -> tuple[str, str, str]:
        return r.source, r.type, r.to

    def label(cid: str) -> str:
        claim = nc.get(cid) or oc.get(cid)
        return claim.label if claim else cid

    before, after = {key(r) for r in old}, {key(r) for r in new}
    found = []
    for kind, items in (("relation-added", sorted(after - before)),
                        ("relation-removed", sorted(before - after))):
        for src, typ, dst in items:
            text = f"{label(src)} {typ} {label(dst)}"
            found.append(Change(kind, f"{src} {typ} {dst}", f"{label(src)}",
                                new=text if kind == "relation-added" else "",
                                old=text if kind == "relation-removed" else "", what=typ,
                                link=_claim_anchor(src) if src in nc else ""))
    return found


def as_json(changes: dict[str, list[Change]], old: str, new: str) -> dict[str, Any]:
    return {"from": old, "to": new,
            "editions": {ed: [c.as_json() for c in found] for ed, found in changes.items()}}


def as_text(changes: dict[str, list[Change]], old: str, new: str) -> str:
    """For the terminal: one line per change, changed words as [-old-]{+new+}."""
    lines = [f"Changes from {old} to {new}"]
    for edition, found in changes.items():
        lines.append(f"\n[{edition}] {len(found)} change{'s' if len(found) != 1 else ''}")
        for change in found:
            name = change.what if change.kind == "cell-changed" else change.label or change.id
            lines.append(f"  {change.kind:<20} {name}: " + _text_of(change))
    return "\n".join(lines) + "\n"


def _text_of(change: Change) -> str:
    if change.words:
        return " ".join(text if op == "equal" else f"[-{text}-]" if op == "delete"
                        else f"{{+{text}+}}" for op, text in change.words if text)
    if change.kind == "claim-changed" or change.kind == "locator-changed":
        return f"{change.old} -> {change.new}"
    return change.new or change.old
