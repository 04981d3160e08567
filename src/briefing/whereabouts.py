"""`briefing cite --paragraph 2.7 --version 0.1`: where a paragraph cited in one version
is now.

A paragraph's number is kept across releases (outputs/paragraphs.py), so a citation of
¶2.7 usually still means ¶2.7; where it does not (a renumbering, a deletion, a version
from before numbers were kept), this follows the paragraph through every release record
to the working tree, and says its number now, or the version it was deleted in.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from briefing import recipe
from briefing.errors import BriefingError
from briefing.model import config, releases
from briefing.outputs import paragraphs


@dataclass
class Found:
    asked: str       # "¶2.7 of version 0.1 (23 November 2026)"
    now: str | None  # its number in the current version, None if deleted
    version: str     # the current version, or the one it was deleted in
    date: str        # that version's date, in the edition's words
    anchor: str | None


def where(root: Path, label: str, version: str | None, edition: str | None) -> Found:
    label = label.removeprefix("¶").strip()
    project = config.load(root)
    history = releases.history(root, project.inputs, project.config.limits.record_items)
    current = project.config.document.version
    asked = version or current
    known = [r.version for r in history]
    if asked not in known and asked != current:
        raise BriefingError.at(
            f"no version {asked!r} to cite from", releases.path_for(root, asked).parent, None,
            "released: " + (", ".join(known) if known else "none yet") +
            f"; the working tree is version {current}")
    loaded, now = recipe.numbered(root, edition)
    lang = loaded.localised(loaded.model.editions([edition] if edition else None)[0])
    ed = lang.edition.id
    if asked == current and asked not in known:
        hit = next((p for p in now if p.label == label), None)
        if hit is None:
            raise BriefingError.at(f"version {asked} has no ¶{label}", None, None,
                                   "give the number as printed, e.g. 2.7 or 2.7a")
        return Found(_name(label, asked, project.config.document.date, lang), label, asked,
                     lang.date(project.config.document.date), hit.id)
    release = next(r for r in history if r.version == asked)
    numbered = [paragraphs.Numbered(p.label, p.id, p.was, p.text) for p in now]
    found = paragraphs.follow(history, ed, asked, label, (current, numbered))
    if found is None:
        raise BriefingError.at(f"version {asked} has no ¶{label}", release.path, None,
                               "give the number as printed in that version, e.g. 2.7 or 2.7a")
    date = (project.config.document.date if found.version == current and
            found.version not in known else
            next(r.record.date for r in history if r.version == found.version))
    return Found(_name(label, asked, release.record.date, lang), found.label, found.version,
                 lang.date(date), f"p{found.label}" if found.label else None)


def _name(label: str, version: str, date, lang) -> str:
    return f"¶{label} of version {version} ({lang.date(date)})"
