"""`briefing schema --write DIR` (and `briefing new`): the JSON Schemas of model/schema.py
written as files, through the project door (runtime/writing.py): a link planted in DIR,
or DIR itself a link, is refused, never written through."""

from __future__ import annotations

import os
from pathlib import Path

from briefing import files
from briefing.errors import BriefingError
from briefing.model.schema import FILES, dumps, schema
from briefing.runtime import writing


def write_schemas(directory: Path, root: Path | None = None) -> list[Path]:
    """Write the three schemas into `directory` (made if missing), together; the paths
    written. The write stays inside `root`: the project, for `briefing new`; by default
    the working folder when `directory` lies in it (`briefing schema --write schemas`
    run in a project), else the nearest folder above `directory` that exists."""
    directory = Path(os.path.abspath(directory))
    if root is None:
        here = os.getcwd()
        root = Path(here) if files.within(str(directory), here) else directory.parent
        while not os.path.lexists(root):
            root = root.parent
        if not os.path.isdir(root):
            raise BriefingError.at(f"cannot write the folder for the schemas: {root} is not "
                                   "a folder", directory, None, "give a folder you can write to")
    contents = {directory / spec.file_name: dumps(schema(spec.name)).encode("utf-8")
                for spec in FILES}
    writing.write_files(root, contents)
    return list(contents)
