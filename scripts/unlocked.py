"""Print the packages installed in this environment that the lock file does not name
(`python scripts/unlocked.py requirements/lock.txt`), one a line, for `pip uninstall`.

`pip install -r` adds and changes but never removes: without this, a package dropped from
the lock would stay in an existing .venv and a test still importing it would pass here and
fail on a fresh clone.
"""

import re
import sys
from importlib.metadata import distributions
from pathlib import Path


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


locked = {canonical(m.group(1)) for m in re.finditer(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==",
                                                      Path(sys.argv[1]).read_text("utf-8"), re.M)}
# The project itself (installed editable after the lock) and the lock tool are not locked.
keep = locked | {"briefing", "uv"}
for dist in distributions():
    name = canonical(dist.metadata["Name"] or "")
    if name and name not in keep:
        print(name)
