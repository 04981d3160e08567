"""The map of the engine in docs/engine.md ("The engine"), made from the package itself: every
module's path and the first sentence of its docstring (to its last clause that fits on
the line), folder by folder.

    python scripts/engine_map.py           print the map
    python scripts/engine_map.py --write   put it into docs/engine.md, between its markers

tests/test_engine_map.py fails when docs/engine.md's map is not the package's, so a module
added, moved or described anew is a map to regenerate, not one to remember.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "briefing"
README = ROOT / "docs" / "engine.md"  # where the map is shown
BEGIN = "<!-- engine map: made by scripts/engine_map.py --write; do not edit by hand -->"
END = "<!-- end of the engine map -->"
WIDTH = 100  # the README's code blocks, as the code's lines
COLUMN = 26  # where the descriptions start


def summary(path: Path) -> str:
    """The first sentence of a module's docstring ("" without one), cut to one line of
    the map at its last clause that fits (before ', ', '; ', ': ' or ' (')."""
    doc = ast.get_docstring(ast.parse(path.read_text("utf-8"))) or ""
    paragraph = " ".join(doc.split("\n\n")[0].split())
    found = re.match(r"(.+?[.?!])(?:\s|$)", paragraph)
    sentence = (found.group(1) if found else paragraph).removesuffix(".")
    room = WIDTH - COLUMN
    if len(sentence) <= room:
        return sentence
    cuts = [m.start() for m in re.finditer(r", |; |: | \(", sentence[:room + 1])
            if _closed(sentence[:m.start()])]
    if cuts and cuts[-1] >= room // 3:
        return sentence[:cuts[-1]]
    return sentence[:sentence.rindex(" ", 0, room - 1)] + " …"


def _closed(text: str) -> bool:
    """No bracket or code span left open: a cut there reads as a whole."""
    return text.count("(") == text.count(")") and text.count("`") % 2 == 0


def entries(folder: Path, depth: int = 1) -> list[tuple[str, str]]:
    """(indented name, summary) for the modules of a folder, then its packages, each
    with its own modules below it."""
    found = []
    for path in sorted(folder.glob("*.py")):
        found.append(("  " * depth + path.name, summary(path)))
    for package in sorted(p for p in folder.iterdir() if (p / "__init__.py").is_file()):
        found.append(("  " * depth + package.name + "/", ""))
        found += entries(package, depth + 1)
    return found


def engine_map() -> str:
    """The map as the README shows it, in a code block."""
    lines = ["```", "src/briefing/"]
    for name, text in entries(PACKAGE):
        if name.strip().startswith("__init__") and not text:
            continue
        if not text:
            lines.append(name)
            continue
        lines.append(name.ljust(COLUMN - 1) + " " + text)
    lines.append("```")
    return "\n".join(lines) + "\n"


def readme_map(text: str) -> str | None:
    """The map between the markers in the README's text (None without them)."""
    if BEGIN not in text or END not in text:
        return None
    return text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n") + "\n"


def write() -> None:
    text = README.read_text("utf-8")
    if readme_map(text) is None:
        sys.exit(f"docs/engine.md has no markers {BEGIN!r} ... {END!r}")
    before, rest = text.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    README.write_text(f"{before}{BEGIN}\n{engine_map()}{END}{after}", "utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        write()
    else:
        sys.stdout.write(engine_map())
