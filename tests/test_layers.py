"""The package tree is the pipeline: imports run one way only.

    errors, files, terminal, (package root) used by every layer
    runtime/    model/                      never import each other
    compose/    authoring/                   may use model/ and runtime/ (authoring: compose/)
    outputs/                                 may use compose/, model/, runtime/
    recipe.py                                names the steps
    release.py  whereabouts.py  watching.py  exporting.py  questions.py
                                             commands above the recipe
    cli.py                                   the command line

`python tests/test_layers.py` prints the module graph (module -> what it imports).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "briefing"
RANK = {"errors": 0, "files": 0, "__init__": 0, "runtime": 1, "model": 1, "compose": 2,
        "terminal": 0,  # makes text from the inputs safe to print: used by errors and cli
        "authoring": 2,  # writes an author's inputs: may use model/ and compose/'s words
        "outputs": 3, "recipe": 4,
        "release": 5,  # a clean build (recipe), recorded
        "whereabouts": 5,  # a cited paragraph followed through the releases (recipe)
        "watching": 5,  # `briefing watch`: when to build; the build is the CLI's callback
        "exporting": 5,  # `briefing export`: the argument exports of the loaded model
        "questions": 5,  # `briefing check --questions`: the open critical questions
        "cli": 6}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _executed(tree: ast.AST):
    """Every node of the tree but those under `if TYPE_CHECKING:`: an import only a type
    checker reads never runs, so it neither layers nor cycles."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def graph() -> dict[str, set[str]]:
    """Every module of the package and the package modules it imports (anywhere in it,
    function-level imports included)."""
    modules = {module_name(p): p for p in SRC.rglob("*.py")}
    found: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in _executed(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and (
                    node.module == "briefing" or node.module.startswith("briefing.")):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    targets.add(full if full in modules else node.module)
            elif isinstance(node, ast.Import):
                targets |= {a.name for a in node.names if a.name.startswith("briefing")}
        found[name] = {t for t in targets if t != name}
    return found


def test_no_import_runs_up_a_layer_and_model_and_runtime_stay_apart():
    wrong = []
    for source, targets in graph().items():
        for target in targets:
            a, b = layer(source), layer(target)
            if target == "briefing" or a == b:
                continue
            if RANK[b] > RANK[a] or {a, b} == {"model", "runtime"}:
                wrong.append(f"{source} -> {target}")
    assert not wrong, wrong


def test_no_import_cycle():
    edges = graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges.get(node, ())):
            if target not in edges:
                continue
            if state.get(target) == 1:
                cycles.append(path[path.index(target):] + [target] if target in path
                              else [node, target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert not cycles, cycles


if __name__ == "__main__":
    for source, targets in sorted(graph().items()):
        print(source, "->", ", ".join(sorted(targets)) or "-")
    sys.exit(0)
