"""Authoring: starting a project (`briefing new`), adding a source to it (`briefing
source add`), bringing its translations up to date (`briefing translations update`).
Writes an author's inputs; never reads build/ or renders."""
