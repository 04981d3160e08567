"""The "What changed in this version" section, in the edition's language, from the
changes between the previous release and this version (compose/changes.py).

An unnumbered chapter, so that it numbers no paragraph and moves no paragraph number.
A template may print it where it wants (`{{ changelog }}`); otherwise it closes the
document, before a references section the engine adds.
"""

from __future__ import annotations

from briefing.compose.changes import KINDS, Change
from briefing.compose.language import Localised
from briefing.compose.markdown import md_escape
from briefing.model.releases import Release

ANCHOR = "{#changes"  # how the section's heading starts: found in the body, it is printed

# The group headings, in the order of changes.KINDS.
HEADINGS = {
    "claim-added": "changes_claim_added", "claim-removed": "changes_claim_removed",
    "claim-reworded": "changes_claim_reworded",
    "translation-changed": "changes_translation_changed",
    "claim-changed": "changes_claim_changed", "quote-changed": "changes_quote_changed",
    "locator-changed": "changes_locator_changed", "relation-added": "changes_relation_added",
    "relation-removed": "changes_relation_removed", "cell-changed": "changes_cell_changed",
    "source-added": "changes_source_added", "source-removed": "changes_source_removed",
}


def updates(previous: Release, lang: Localised) -> str:
    """"This updates version 1.0 of 23 November 2026." in the edition's words (Markdown)."""
    return md_escape(lang.words.labels["changes_updates"] % {
        "version": previous.version, "date": lang.date(previous.record.date)})


def section(changes: list[Change], previous: Release, lang: Localised) -> str:
    """The section's Markdown; every text from data is escaped."""
    labels = lang.words.labels
    lines = [f"# {md_escape(labels['changes'])} {{#changes .unnumbered .changes}}", "",
             updates(previous, lang), ""]
    if not changes:
        return "\n".join([*lines, md_escape(labels["changes_none"]), ""])
    for kind in KINDS:
        group = [c for c in changes if c.kind == kind]
        if not group:
            continue
        lines += [f"**{md_escape(labels[HEADINGS[kind]])}**", ""]
        lines += [f"- {_entry(c)}" for c in group]
        lines.append("")
    return "\n".join(lines)


def _entry(change: Change) -> str:
    name = md_escape(change.label) if change.label else ""
    if name and change.link:
        name = f"[{name}](#{change.link})"
    if change.kind == "cell-changed":
        name = f"*{md_escape(change.what)}*"
    elif change.kind.startswith("source-"):
        name = f"*{md_escape(change.new or change.old)}*"
        return name
    elif change.kind.startswith("relation-"):
        # "P3 undercuts B5", the first claim linked when it is still there.
        rest = md_escape((change.new or change.old)[len(change.label):])
        return f"{name} {rest}" if change.link else md_escape(change.new or change.old)
    if change.words:
        return f"{name}: {_words(change.words)}"
    if change.kind in ("claim-changed", "locator-changed"):
        return f"{name}: {md_escape(change.old)} → {md_escape(change.new)}"
    return f"{name}: {md_escape(change.new or change.old)}"


def _words(runs: list[tuple[str, str]]) -> str:
    """Deleted words struck through, inserted words underlined (every format shows both)."""
    out = []
    for op, text in runs:
        if not text:
            continue
        if op == "equal":
            out.append(md_escape(text))
        elif op == "delete":
            out.append(f"~~{md_escape(text)}~~")
        else:
            out.append(f"[{md_escape(text)}]{{.underline}}")
    return " ".join(out)
