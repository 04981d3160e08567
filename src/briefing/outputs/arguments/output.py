"""The argument exports as Outputs of the format registry (model/formats.py), so that
build.formats and `briefing build --format` make them like any other file. Each needs no
Pandoc run: it is made from the edition's model alone (base.make), once per edition and
shared by the formats derived from it."""

from __future__ import annotations

from collections.abc import Callable

from briefing.outputs.arguments import base, derived
from briefing.outputs.base import Output
from briefing.outputs.job import Job

# name -> what makes its bytes from the base JSON (the registry's names for them)
WRITERS: dict[str, Callable[[base.Arguments], bytes]] = {
    "arguments": base.render,
    "aif": derived.aif,
    "xaif": derived.xaif,
    "argdown": derived.argdown,
    "graphml": derived.graphml,
    "jsonld": derived.jsonld,
    "annotations": derived.web_annotations,
}


def arguments(job: Job) -> base.Arguments:
    """The edition's base JSON, made once for all its argument formats."""
    made = getattr(job, "_arguments", None)
    if made is None:
        assert job.model is not None, "the recipe gives every job its model"
        made = base.make(job.model, job.lang)
        job._arguments = made  # type: ignore[attr-defined]
    return made


class ArgumentOutput(Output):
    """Each argument format of one edition (the registry names it: one line per format)."""

    def finish(self, job: Job) -> bytes:
        return WRITERS[self.name](arguments(job))
