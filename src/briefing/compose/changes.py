"""What changed between two versions, per edition: everything a reader sees.

Compares two snapshots (compose/snapshot.py: a release record's, or the working tree's)
item by item, by key: claims added, removed, relabelled, reworded (with the words that
changed), their translations, quotes, locators and other fields; relations; key points,
perspectives, comparison cells, the timeline, questions, glossary, actors, sources and
references (added, removed, changed field by field); and, given the numbered paragraphs
of two versions, the paragraphs added, removed and reworded (`paragraph_changes`). Each
change is one entry of one kind, so a change shows once in `briefing diff`, its JSON, and
the changelog section.
"""

from __future__ import annotations

import collections
import difflib
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from pydantic import BaseModel

from briefing.model.releases import (
    FORMAT,
    Cell,
    Claim,
    Edition,
    Item,
    Paragraph,
    Quote,
    Reference,
    Relation,
    as_format,
)

# In the order the changelog lists them: the claims first, then as a reader meets the rest.
KINDS = ("claim-added", "claim-removed", "claim-relabelled", "claim-reworded",
         "translation-changed", "claim-changed", "quote-changed", "locator-changed",
         "relation-added", "relation-removed",
         "key-point-added", "key-point-removed", "key-point-changed",
         "perspective-added", "perspective-removed", "perspective-changed",
         "cell-changed",
         "event-added", "event-removed", "event-changed",
         "question-added", "question-removed", "question-changed",
         "term-added", "term-removed", "term-changed",
         "actor-added", "actor-removed", "actor-changed",
         "source-added", "source-removed", "source-changed",
         "reference-added", "reference-removed", "reference-changed",
         "paragraph-added", "paragraph-removed", "paragraph-reworded",
         "paragraph-renumbered")


@dataclass
class Change:
    kind: str
    id: str  # the item's key: a claim's id, a cell's dimension/perspective, a BibTeX key...
    label: str = ""  # how a reader names it in the newer version (P3), the older if removed
    old: str = ""
    new: str = ""
    words: list[tuple[str, str]] = field(default_factory=list)  # (equal|delete|insert, text)
    what: str = ""  # the field(s) changed; a relation's type; a cell's "dimension × perspective"
    link: str = ""  # the anchor in the newer version, when the item is still there
    item: str = ""  # what the item is: claim, key-point, event... (a translation's too)
    # Fields other than texts, each (name, old, new) as a reader sees the values (names,
    # titles); kind and stance as their ids, which the changelog puts in words.
    fields: list[tuple[str, str, str]] = field(default_factory=list)
    # A relation's ends ("from", "to") that are claims removed: named by their old label,
    # which the changelog strikes through (a label since given to another claim).
    gone: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        found = asdict(self)
        found["words"] = [list(w) for w in self.words]
        found["fields"] = [list(f) for f in self.fields]
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


def compare(old: Mapping[str, Snapshot], new: Mapping[str, Snapshot], default: str,
            recorded: int = FORMAT) -> dict[str, list[Change]]:
    """Per edition present in `new`, the changes from `old` (snapshots by edition id).
    `default` is the default edition's id: a text changed in another edition while the
    default's stayed is a changed translation, not a rewording. `recorded`: the oldest
    record format of the two sides; what it did not record is not compared."""
    before = {ed: as_format(_typed(value), recorded) for ed, value in old.items()}
    after = {ed: as_format(_typed(value), recorded) for ed, value in new.items()}
    empty = Edition()
    return {ed: _compare_edition(before.get(ed, empty), after[ed],
                                 before.get(default, empty), after.get(default, empty),
                                 ed != default)
            for ed in after}


def _typed(value: Snapshot) -> Edition:
    """A snapshot as the model a record holds (a release's edition is one already)."""
    return value if isinstance(value, Edition) else Edition.model_validate(value)


@dataclass(frozen=True)
class Group:
    """A kind of item other than claims and relations, as the changelog lists it."""

    item: str  # its name in change kinds: key-point -> key-point-added...
    part: str  # the field of Edition that holds them
    texts: tuple[str, ...]  # its text fields, word-diffed, in reading order
    named_by: str  # the text that names one for a reader ("" for none)

    def name(self, item: Any) -> str:
        if isinstance(item, Reference):
            return _reference_name(item)
        return getattr(item, self.named_by) if self.named_by else ""


def _reference_name(ref: Reference) -> str:
    """A reference as an author-date citation names it: "Creemers 2018"."""
    fields = ref.fields
    who = next((fields[k] for k in ("author", "editor", "organization", "institution",
                                    "publisher") if fields.get(k)), "")
    family = re.split(r"\s+and\s+", who)[0]
    family = family.split(",")[0] if "," in family else family
    year = (fields.get("date") or fields.get("year") or "")[:4]
    # Without an author, an author-date style puts the title first, as this does.
    first = family.strip() or fields.get("title", "")
    return " ".join(part for part in (first, year) if part)


GROUPS = (
    Group("key-point", "key_points", ("title", "text", "confidence"), "title"),
    Group("perspective", "perspectives", ("title", "short", "key_point", "summary"), "title"),
    Group("event", "timeline", ("when", "text"), "when"),
    Group("question", "questions", ("text",), ""),
    Group("term", "glossary", ("term", "definition"), "term"),
    Group("actor", "actors", ("name", "role"), "name"),
    Group("source", "sources", ("title",), "title"),
    Group("reference", "references", (), ""),
)
RESTS = ("claims", "see", "cite")  # what an item rests on, shown as "→ P1, P2 (B3); Key 2018"


@dataclass
class _Side:
    """One version of an edition, with what names its items for a reader. A claim is
    named by its label in the newer version (`newer`) while it is there: the label the
    reader sees in the body, on both sides of a change ("→ B12, P11" of 1.0 would name
    another claim than 1.1's B12)."""

    edition: Edition
    newer: Edition | None = None

    def claim(self, cid: str) -> str:
        claim = (self.newer.claims.get(cid) if self.newer else None) or self.edition.claims.get(
            cid)
        return claim.label if claim else cid

    def actor(self, aid: str | None) -> str:
        actor = self.edition.actors.get(aid or "")
        return actor.name if actor else aid or ""

    def perspective(self, pid: str | None) -> str:
        found = self.edition.perspectives.get(pid or "")
        return found.title if found else pid or ""

    def work(self, key: str) -> str:
        ref = self.edition.references.get(key)
        return _reference_name(ref) if ref else key

    def places(self, cites: list[str]) -> str:
        """Cited paragraphs ("<source id> <n>") as a reader's citation names them, each
        source once: "Open Streets Watch 2026, paras. 1, 7" ("para." and "paras." are put
        in the edition's words by the changelog)."""
        found: dict[str, list[str]] = {}
        for cite in cites:
            sid, _, para = cite.rpartition(" ")
            found.setdefault(sid, []).append(para)
        named = []
        for sid, paras in found.items():
            source = self.edition.sources.get(sid)
            name = self.work(source.key) if source else sid
            named.append(f"{name}, {'paras.' if len(paras) > 1 else 'para.'} "
                         + ", ".join(paras))
        return "; ".join(named)


def _compare_edition(old: Edition, new: Edition, old_default: Edition, new_default: Edition,
                     translated: bool) -> list[Change]:
    was, now = _Side(old, new), _Side(new)
    found: list[Change] = []
    oc, nc = old.claims, new.claims
    for cid, claim in nc.items():
        if cid not in oc:
            found.append(Change("claim-added", cid, claim.label, new=claim.statement,
                                link=_claim_anchor(cid), item="claim"))
            continue
        found += _claim_changes(cid, oc[cid], claim, was, now, translated and _same_original(
            cid, old_default, new_default))
    for cid, claim in oc.items():
        if cid not in nc:
            found.append(Change("claim-removed", cid, claim.label, old=claim.statement,
                                item="claim"))
    found += _relation_changes(old.relations, new.relations, was, now)
    for key in sorted(set(old.cells) | set(new.cells)):
        found += _cell_changes(key, old.cells.get(key), new.cells.get(key), was, now)
    for group in GROUPS:
        found += _group_changes(group, old, new, old_default, new_default, translated)
    return sorted(found, key=lambda c: KINDS.index(c.kind))


def _rests_on(item: BaseModel | None, side: _Side) -> str:
    """What an item rests on, by the labels a reader sees: "→ P2, P5 (B3); Creemers 2018"
    (the claims it rests on, in brackets the claims of other perspectives it refers to,
    then the works it cites)."""
    if item is None:
        return ""
    claims = ", ".join(side.claim(c) for c in getattr(item, "claims", []))
    see = ", ".join(side.claim(c) for c in getattr(item, "see", []))
    works = "; ".join(side.work(k) for k in getattr(item, "cite", []))
    text = "→ " + claims if claims else ""
    text += f" ({see})" if see else ""
    return "; ".join(part for part in (text.strip(), works) if part)


def _cell_changes(key: str, before: Cell | None, after: Cell | None, was: _Side, now: _Side
                  ) -> list[Change]:
    if before and after and (before.text, before.claims, before.see) == (
            after.text, after.claims, after.see):
        return []
    shown = after or before
    assert shown is not None  # the key is one side's
    old_text = before.text if before else ""
    new_text = after.text if after else ""
    if old_text == new_text:  # the same words, resting on other claims
        old_text, new_text = _rests_on(before, was), _rests_on(after, now)
    return [Change("cell-changed", key, old=old_text, new=new_text,
                   words=word_diff(old_text, new_text),
                   what=f"{shown.dimension} × {shown.perspective}", item="cell")]


def _same_original(cid: str, old_default: Edition, new_default: Edition) -> bool:
    before, after = old_default.claims.get(cid), new_default.claims.get(cid)
    return bool(before and after and before.statement == after.statement)


# A claim's fields compared one by one (claim-changed); the others have kinds of their own.
OWN_KINDS = ("label", "statement", "quote", "cites", "digest")


def _claim_changes(cid: str, before: Claim, after: Claim, was: _Side, now: _Side,
                   translation_only: bool) -> list[Change]:
    found = []
    link, label = _claim_anchor(cid), after.label
    if before.label != after.label:
        found.append(Change("claim-relabelled", cid, label, before.label, after.label,
                            what="label", link=link, item="claim"))
    if before.statement != after.statement:
        found.append(Change("translation-changed" if translation_only else "claim-reworded",
                            cid, label, before.statement, after.statement,
                            word_diff(before.statement, after.statement),
                            what="statement", link=link, item="claim"))
    fields = [(name, _shown(was, before, name), _shown(now, after, name))
              for name in type(after).model_fields
              if name not in OWN_KINDS and getattr(before, name) != getattr(after, name)]
    qa, qb = before.quote, after.quote
    if qa and qb and qa.words_of != qb.words_of:
        fields.append(("words_of", was.actor(qa.words_of), now.actor(qb.words_of)))
    if fields:
        found.append(Change("claim-changed", cid, label, what=", ".join(f[0] for f in fields),
                            link=link, item="claim", fields=fields,
                            old="; ".join(f"{n}: {o}" for n, o, _ in fields),
                            new="; ".join(f"{n}: {v}" for n, _, v in fields)))
    text_a, text_b = qa.text if qa else "", qb.text if qb else ""
    if (qa and qa.text) != (qb and qb.text):
        found.append(Change("quote-changed", cid, label, text_a, text_b,
                            word_diff(text_a, text_b), what="quote", link=link, item="claim"))
    elif qa and qb and qa.translation != qb.translation:
        found.append(Change("translation-changed", cid, label, qa.translation or "",
                            qb.translation or "",
                            word_diff(qa.translation or "", qb.translation or ""),
                            what="quote", link=link, item="claim"))
    if _quote_locator(qa) != _quote_locator(qb) or before.cites != after.cites:
        found.append(Change("locator-changed", cid, label, _locators(before, was),
                            _locators(after, now), what="locator", link=link, item="claim"))
    return found


def _shown(side: _Side, claim: Claim, name: str) -> str:
    """A claim's field as a reader knows it: actors by name, a perspective by its title."""
    value = getattr(claim, name)
    if name == "holders":
        return ", ".join(side.actor(a) for a in value)
    if name == "reporter":
        return side.actor(value)
    if name == "perspective":
        return side.perspective(value)
    return _plain(value)


def _locators(claim: Claim, side: _Side) -> str:
    """Where a claim rests, as its citations name it: the paragraphs it cites, and its
    quote's paragraph ("Open Streets Watch 2026, paras. 1, 7; quote: …, para. 7")."""
    quote = _quote_locator(claim.quote)
    return side.places(claim.cites) + (f"; quote: {side.places([quote])}" if quote else "")


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _relation_changes(old: list[Relation], new: list[Relation], was: _Side, now: _Side
                      ) -> list[Change]:
    def key(r: Relation) -> tuple[str, str, str]:
        return r.source, r.type, r.to

    def label(cid: str) -> str:  # the newer label, the older for a claim removed
        return (now if cid in now.edition.claims else was).claim(cid)

    before, after = {key(r) for r in old}, {key(r) for r in new}
    found = []
    for kind, items in (("relation-added", sorted(after - before)),
                        ("relation-removed", sorted(before - after))):
        for src, typ, dst in items:
            # label: the claim that bears; old/new: the claim it bears on; what: how.
            found.append(Change(kind, f"{src} {typ} {dst}", label(src),
                                new=label(dst) if kind == "relation-added" else "",
                                old=label(dst) if kind == "relation-removed" else "",
                                what=typ, item="relation",
                                link=_claim_anchor(src) if src in now.edition.claims else "",
                                gone=[end for end, cid in (("from", src), ("to", dst))
                                      if cid not in now.edition.claims]))
    return found


def _group_changes(group: Group, old: Edition, new: Edition, old_default: Edition,
                   new_default: Edition, translated: bool) -> list[Change]:
    """Items of one kind added, removed, or changed: a change per text field reworded (a
    translation when the default edition's stayed), one for the other fields."""
    before: dict[str, Item] = getattr(old, group.part)
    after: dict[str, Item] = getattr(new, group.part)
    was, now = _Side(old, new), _Side(new)
    found = []
    for key, item in after.items():
        if key not in before:
            found.append(Change(f"{group.item}-added", key, group.name(item),
                                new=_texts(group, item), item=group.item))
    for key, item in before.items():
        if key not in after:
            found.append(Change(f"{group.item}-removed", key, group.name(item),
                                old=_texts(group, item), item=group.item))
    for key in after.keys() & before.keys():
        original = getattr(old_default, group.part).get(key)
        found += _item_changes(group, key, before[key], after[key], was, now, translated and (
            original is not None and original == getattr(new_default, group.part).get(key)))
    place = {key: i for i, key in enumerate(after)}  # in the newer version's order
    return sorted(found, key=lambda c: place.get(c.id, len(place)))


def _texts(group: Group, item: Any) -> str:
    """An item added or removed as a reader reads it, after its name: its other texts, or
    a reference's fields."""
    if isinstance(item, Reference):
        return "; ".join(item.fields.values())
    return " — ".join(text for name in group.texts
                      if name != group.named_by and (text := getattr(item, name) or ""))


def _item_changes(group: Group, key: str, before: Any, after: Any, was: _Side, now: _Side,
                  translation_only: bool) -> list[Change]:
    if before == after or (before.model_dump(exclude={"digest"}) ==
                           after.model_dump(exclude={"digest"})):
        return []
    found = []
    label = group.name(after)
    for name in group.texts:
        old_text, new_text = getattr(before, name) or "", getattr(after, name) or ""
        if old_text != new_text:
            found.append(Change("translation-changed" if translation_only else
                                f"{group.item}-changed", key, label, old_text, new_text,
                                word_diff(old_text, new_text), what=name, item=group.item))
    if isinstance(after, Reference):
        fields = [(name, before.fields.get(name, ""), after.fields.get(name, ""))
                  for name in dict.fromkeys([*after.fields, *before.fields])
                  if before.fields.get(name) != after.fields.get(name)]
        if before.type != after.type:
            fields.insert(0, ("type", before.type, after.type))
    else:
        fields = [(name, _plain(getattr(before, name)), _plain(getattr(after, name)))
                  for name in type(after).model_fields
                  if name not in (*group.texts, *RESTS, "digest")
                  and getattr(before, name) != getattr(after, name)]
        old_rests, new_rests = _rests_on(before, was), _rests_on(after, now)
        if old_rests != new_rests:
            fields.append(("rests", old_rests, new_rests))
    if fields:
        found.append(Change(f"{group.item}-changed", key, label, what=", ".join(
            f[0] for f in fields), item=group.item, fields=fields,
            old="; ".join(f"{n}: {o}" for n, o, _ in fields),
            new="; ".join(f"{n}: {v}" for n, _, v in fields)))
    return found


WORD_RE = re.compile(r"\w+")


def _tokens(text: str) -> str:
    """A text's lower-cased words: all a format-1 record holds of a paragraph."""
    return " ".join(WORD_RE.findall(text.lower()))


def paragraph_changes(old: list[Paragraph], new: list[Paragraph],
                      continued: bool | None = None) -> list[Change]:
    """The numbered paragraphs added, removed and reworded between two versions, in the
    newer version's order (a removed one after the paragraph it followed). A paragraph
    continues the released one its `was` names (from format 2 on, where `was` None means
    new), else, in a format-1 record, the one with its identifier. `continued`: whether
    `new` is of format 2 or later; None: so if any of its paragraphs has a `was`.
    Reworded: its words differ (case and punctuation apart, which a format-1 record does
    not hold); the word diff is of the plain texts, or of their words when the older is a
    format-1 record's."""
    if continued is None:
        continued = any(p.was is not None for p in new)
    place = {p.id: i for i, p in enumerate(old)}
    matched: dict[int, int] = {}  # the new paragraph's place -> the old one's
    for j, para in enumerate(new):
        source = place.get((para.was or "") if continued else para.id)
        if source is not None:
            matched[j] = source
            del place[old[source].id]  # continued once (a crafted record may say twice)
    kept = set(matched.values())
    gone = collections.deque(i for i in range(len(old)) if i not in kept)
    found: list[Change] = []

    def removed_before(limit: int) -> None:
        while gone and gone[0] < limit:
            para = old[gone.popleft()]
            found.append(Change("paragraph-removed", para.id, para.label, old=para.text,
                                item="paragraph"))

    for j, para in enumerate(new):
        if j not in matched:
            found.append(Change("paragraph-added", para.id, para.label, new=para.text,
                                link=para.id, item="paragraph"))
            continue
        released = old[matched[j]]
        removed_before(matched[j])
        if released.label != para.label:  # a renumbering (briefing release --renumber)
            found.append(Change("paragraph-renumbered", para.id, para.label, released.label,
                                para.label, link=para.id, item="paragraph"))
        if _tokens(released.text) == _tokens(para.text):
            continue
        words_only = released.text == _tokens(released.text)
        new_text = _tokens(para.text) if words_only else para.text
        found.append(Change("paragraph-reworded", para.id, para.label, released.text,
                            para.text, word_diff(released.text, new_text),
                            what=released.label, link=para.id, item="paragraph"))
    removed_before(len(old))
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
        field = f"({change.what}) " if change.item not in ("claim", "cell", "paragraph") \
            and change.what else ""
        return field + " ".join(text if op == "equal" else f"[-{text}-]" if op == "delete"
                                else f"{{+{text}+}}" for op, text in change.words if text)
    if change.fields or change.kind == "locator-changed" or change.kind == "claim-relabelled":
        return f"{change.old} -> {change.new}"
    if change.item == "relation":
        return f"{change.what} {change.new or change.old}"
    return change.new or change.old
