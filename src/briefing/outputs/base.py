"""The interface every output format implements (as Sphinx builders or Pelican writers
are): adding a format is adding a module with an Output class and naming it in the
format registry (model/formats.py: its name, file name suffix, what it needs), not a
branch in the recipe. What the formats of one edition share
(the Pandoc runs, the cache) is its Job (job.py).

A format starts its slow work early (a Pandoc run in a thread, WeasyPrint workers
importing) and is finished later, in a fixed order, so that independent work runs in
parallel while the error reported for a broken input is always the same one.
"""

from __future__ import annotations

from typing import ClassVar

from briefing.outputs.job import Job


class Output:
    """One format of one edition."""

    name: ClassVar[str]  # its name in the registry (model/formats.py); left unset by a class
    # that serves several formats: outputs.formats() makes a subclass per registry line
    uses_page: ClassVar[bool] = False  # needs Pandoc's HTML page (Job.page)

    def start(self, job: Job) -> None:
        """Begin the slow work, in the background where it can run beside the others."""

    def finish(self, job: Job) -> bytes:
        """The finished file; outputs finish in the order outputs.formats() gives."""
        raise NotImplementedError

    def close(self) -> None:
        """Release what start() took (processes, memory), whether or not it finished."""
