"""Language tags an author types (`--edition`, `--language`): BCP 47 in form, and a
language Babel knows, since hyphenation, dates and the CSL locale follow from it."""

from __future__ import annotations

import re

from babel import Locale, UnknownLocaleError

from briefing.model.settings import LANGUAGE


def fault(tag: str) -> str | None:
    """Why the tag cannot be used, or None."""
    if not re.match(LANGUAGE, tag):
        return "not a BCP 47 language tag"
    try:
        Locale.parse(tag.split("-")[0])
    except (UnknownLocaleError, ValueError):
        return "an unknown language"
    return None
