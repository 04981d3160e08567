"""Plain text (.txt): the briefing for a screen reader, an e-mail or a diff of two versions.

Pandoc's plain writer, Project Gutenberg's conventions (headings set apart, the first
level in capitals, emphasis as _underscores_), from the same resolved document as every
other format and in the same sandbox: the contents, numbered paragraphs (¶2.7) and
citations as the PDF has them, with no markup at all. Nothing in it can run or load,
so the last wall (inert.py) has nothing to read in it. Its registry line is in
model/formats.py.
"""

from __future__ import annotations

from pathlib import Path

from briefing.compose.markdown import md_unescape
from briefing.outputs import pandoc
from briefing.outputs.base import Output
from briefing.outputs.job import Job


def _plain(inputs: pandoc.Inputs, output: Path, resources: Path) -> list[dict]:
    return pandoc.write(inputs, "plain+gutenberg", output, "txt")


class TextOutput(Output):
    """The plain text, its title block's date in the edition's words."""

    name = "txt"

    def start(self, job: Job) -> None:
        self.raw = job.pandoc_zip("txt", _plain)

    def finish(self, job: Job) -> bytes:
        text = self.raw.result().decode("utf-8")
        meta = job.composed.metadata
        # The title block ends at the first blank line; its date is Pandoc's ISO one.
        head, blank, body = text.partition("\n\n")
        head = head.replace(meta["date"], md_unescape(meta["date-display"]), 1)
        return (head + blank + body).encode("utf-8")
