"""Authoring: starting a project (`briefing new`) and adding a source to it
(`briefing source add`). Writes an author's inputs; never reads build/ or renders."""
