"""Render one edition's document in every format asked for.

The formats' slow parts run side by side (Pandoc runs in threads, WeasyPrint in its
worker processes); they are finished in a fixed order so that the error reported for a
broken input is always the same one. A failure or Ctrl-C stops every child process.
"""

from __future__ import annotations

from briefing.errors import ResourceError
from briefing.outputs import formats as registry
from briefing.outputs import locate
from briefing.outputs.base import Job
from briefing.runtime import limits


def render(job: Job, names: list[str]) -> dict[str, bytes]:
    """Every format in `names` (unknown names are refused by the settings' model)."""
    outputs = [cls() for name, cls in registry().items() if name in names]
    if outputs and not any(o.uses_page for o in outputs):
        job.reading_stage = outputs[0].name.upper()
    try:
        if any(o.uses_page for o in outputs):
            job.start_page()
        for output in outputs:
            output.start(job)
        if any(o.uses_page for o in outputs):
            job.page()  # checked before anything is finished: the same error every time
        for output in outputs:
            job.results[output.name] = output.finish(job)
    except ResourceError as exc:  # a refused file: at the chapter line that asked for it
        limits.stop_all()
        raise locate.located(exc, job.composed) from None
    except BaseException:
        limits.stop_all()  # a failure or Ctrl-C: the other stages' children stop too
        raise
    finally:
        job.pool.shutdown(wait=True, cancel_futures=True)
        for output in outputs:
            output.close()
    return job.results
