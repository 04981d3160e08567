"""`briefing check --questions`: the critical questions the sources leave open, for the
author, in the project's default edition's language (model/schemes.py asks them)."""

from __future__ import annotations

from pathlib import Path

from briefing.errors import Collector
from briefing.model import load, schemes
from briefing.model.texts import Localiser


def open_questions(root: Path) -> list[str]:
    """schemes.report of the project at root, in its default edition's language."""
    problems = Collector()
    model = load.load(root, problems)
    problems.raise_if_any()
    edition = model.project.default_edition
    return schemes.report(model.base, root, edition, Localiser(edition, edition.id))
