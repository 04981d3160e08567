"""Render one edition's document in every format asked for.

The formats' slow parts run side by side (Pandoc runs in threads, WeasyPrint in its
worker processes); they are finished in a fixed order so that the error reported for a
broken input is always the same one. A failure or Ctrl-C stops every child process.

start() begins an edition's slow work and returns; finish() can come later, so that the
recipe starts every edition before it finishes the first (one edition's Pandoc runs beside
another's WeasyPrint layout). A failure in started work is raised by its own edition's
finish() only: editions finished in order raise in order.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from briefing.errors import BriefingError, ResourceError
from briefing.model import formats as registry
from briefing.outputs import formats, locate
from briefing.outputs.base import Output
from briefing.outputs.job import Job
from briefing.runtime import limits


class Rendering:
    """One edition's formats, started: finish() them, or close() to give them up."""

    def __init__(self, job: Job, names: list[str]):
        self.job = job
        # Unknown names are refused by the settings' model. What a format needs is made
        # too, and alike for any subset (the EPUB's cover from the PDF, written or not);
        # what finish() gives is what was asked for, and the citations.
        self.wanted = registry.written(names)
        made = registry.made(names)
        self.outputs: list[Output] = [cls() for name, cls in formats().items()
                                      if name in made]
        self.paged = any(o.uses_page for o in self.outputs)
        documents = [o for o in self.outputs if o.name in registry.documents()]
        if documents and not self.paged:
            job.reading_stage = documents[0].name.upper()

    def start(self) -> None:
        try:
            if self.paged:
                self.job.start_page()
            for output in self.outputs:
                output.start(self.job)
        except BriefingError:
            # Not every child stopped: an edition started before this one goes on, and
            # its finish() comes first. This one's runs are waited for.
            self.close()
            raise
        except BaseException:
            limits.stop_all()
            self.close()
            raise

    def finish(self) -> dict[str, bytes]:
        job = self.job
        try:
            with self._stopping():
                if self.paged:
                    job.page()  # checked before anything is finished: the same error every time
                for output in self.outputs:
                    job.results[output.name] = output.finish(job)
        finally:
            self.close()
        return {name: data for name, data in job.results.items() if name in self.wanted}

    def close(self) -> None:
        """Release the threads and processes started; again is harmless. Work still running
        is waited for: limits.stop_all() first stops it."""
        self.job.pool.shutdown(wait=True, cancel_futures=True)
        for output in self.outputs:
            output.close()

    @contextlib.contextmanager
    def _stopping(self) -> Iterator[None]:
        try:
            yield
        except ResourceError as exc:  # a refused file: at the chapter line that asked for it
            limits.stop_all()
            self.close()
            raise locate.located(exc, self.job.composed) from None
        except BaseException:
            limits.stop_all()  # a failure or Ctrl-C: the other stages' children stop too
            self.close()
            raise


def start(job: Job, names: list[str]) -> Rendering:
    """Every format in `names` (and what they need, and the citations), started."""
    rendering = Rendering(job, names)
    rendering.start()
    return rendering


def render(job: Job, names: list[str]) -> dict[str, bytes]:
    """Every format in `names`, started and finished."""
    return start(job, names).finish()
