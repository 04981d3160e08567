"""Every file a reader gets, from one composed document per edition.

formats() gives each format's Output class (base.py), as the format registry
(model/formats.py) names them, in the order they are finished: a new format is a module
with an Output class and one line in that registry. A class without a `name` serves
several formats, each line naming it once (its `self.name` is that line's format).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from briefing.model import formats as registry

if TYPE_CHECKING:
    from briefing.outputs.base import Output


def formats() -> dict[str, type[Output]]:
    """name -> Output class, in finishing order (the EPUB's cover is the PDF's page 1).
    Imported when asked for: the formats import outputs.base, so importing them while
    this package is being initialised would find it half made."""
    registry.check()
    found: dict[str, type[Output]] = {}
    for fmt in registry.REGISTRY:
        if fmt.output is not None:
            module, _, name = fmt.output.partition(":")
            cls = getattr(importlib.import_module(module), name)
            if getattr(cls, "name", None) is None:
                # A class that serves a family of formats (the citations, the argument
                # exports) leaves its name to the registry: one subclass per format.
                cls = type(f"{name}[{fmt.name}]", (cls,), {"name": fmt.name})
            assert cls.name == fmt.name, f"{fmt.output} is named {cls.name!r}, not {fmt.name!r}"
            found[fmt.name] = cls
    return found
