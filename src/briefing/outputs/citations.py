"""The briefing's own citation as files beside every build (.bib, .ris, .json): an Output
each, like every other format, named in the format registry (model/formats.py) with its
file name suffix. The text itself is cite.py's, which `briefing cite` prints."""

from __future__ import annotations

from briefing.outputs import cite
from briefing.outputs.base import Output
from briefing.outputs.job import Job


class CitationOutput(Output):
    """One edition's citation in one reference manager's format (bibtex, ris, csl-json: the
    registry names it, one line per format); needs no Pandoc run."""

    def finish(self, job: Job) -> bytes:
        return cite.render(job.project, self.name, job.lang).encode("utf-8")
