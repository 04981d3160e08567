"""Prose files (chapters/*.md) in each edition: a gap where an edition has no
`NAME.<edition>.md` of its own, and a stale translation where the default edition's
`NAME.md` changed since the translation was recorded, exactly as for data texts
(model/records.py: `briefing translations update` records them, `--confirm` clears)."""

from __future__ import annotations

import functools

from briefing.errors import BriefingError
from briefing.model import records
from briefing.model.project import Project
from briefing.model.texts import Coverage, Gap, Stale, Translated

KEY = "the prose"  # its records' address: "chapters/NAME.<edition>.md the prose"


def originals(prose: dict[str, str], editions: list[str]) -> list[str]:
    """The default edition's prose files: every .md that is not NAME.<edition>.md."""
    return [name for name in prose
            if not any(name.endswith(f".{ident}.md") for ident in editions)]


def check(project: Project, prose: dict[str, str], coverage: Coverage) -> None:
    """Each edition but the default: its prose files found (gaps added to `coverage`)
    and compared with the records (stale ones added to coverage.stale)."""
    if len(project.editions) < 2 or not prose:
        return
    ids = [e.id for e in project.editions]
    default = project.default_edition.id
    folder = project.chapters_dir
    for edition in project.editions:
        if edition.default:
            continue
        items = []
        for name in originals(prose, ids):
            own = f"{name[:-len('.md')]}.{edition.id}.md"
            path = folder / name
            coverage.add(edition.id, path, own in prose, functools.partial(
                Gap, edition.id, path, 1, f"the prose of chapters/{name}",
                f"write it in chapters/{own} (the {edition.language} text of the same "
                "Markdown)"))
            if own in prose:
                items.append(Translated(edition.id, folder / own, 1, KEY, prose[name],
                                        prose[own]))
        coverage.translated += items
        try:
            recorded = records.read(records.path_for(project.locale_dir, edition.id),
                                    project.inputs)
        except BriefingError:  # the data texts' check reports this file
            continue
        for item in items:
            record = recorded.get(records.address(item, project.root))
            if records.is_stale(item, record, default):
                assert record is not None
                coverage.stale.append(Stale(edition.id, records.stale_problem(
                    item, default, record.get(f"{default} text"), project.root)))
            elif not (record and record.get(edition.id) == records.digest(item.text)):
                coverage.unrecorded[edition.id] += 1
