"""What every bench step shares: the briefing command, timing a command, the peak memory of
its process tree."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BRIEFING = [str(BIN / "briefing")]


def log(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def timed(cmd: list[str], cwd: Path | None = None, env: dict | None = None,
          memory: bool = False) -> tuple[float, float]:
    """Wall time of a command (and the peak RSS sum of its process tree, in MiB)."""
    peak = [0.0]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    if memory:
        done = threading.Event()
        sampler = threading.Thread(target=_sample, args=(proc.pid, peak, done), daemon=True)
        sampler.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - start
    if memory:
        done.set()
        sampler.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}… failed: {err.decode()[-400:]}")
    return elapsed, peak[0]


def _sample(root: int, peak: list[float], done: threading.Event) -> None:
    while not done.is_set():
        peak[0] = max(peak[0], tree_rss(root))
        time.sleep(0.05)


def descendants(root: int, parents: dict[int, int]) -> set[int]:
    """`root` and every process below it, from each process's parent (pid -> ppid)."""
    tree, changed = {root}, True
    while changed:
        changed = False
        for pid, ppid in parents.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                changed = True
    return tree


def tree_rss(root: int) -> float:
    """The resident memory of a process and all its descendants, in MiB."""
    parents, rss = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        ppid = re.search(r"^PPid:\s+(\d+)", status, re.M)
        vmrss = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        parents[int(entry.name)] = int(ppid.group(1)) if ppid else 0
        rss[int(entry.name)] = int(vmrss.group(1)) if vmrss else 0
    tree = descendants(root, parents)
    return sum(rss.get(pid, 0) for pid in tree) / 1024


def staged(project: Path, *formats: str, env: dict | None = None) -> list[tuple[float, str]]:
    """One `briefing build` with plain progress: each stage line with the second, from the
    start, at which it was printed (its stage began), and the end as "done"."""
    cmd = [*BRIEFING, "--project", str(project), "--progress", "plain", "build",
           *(arg for fmt in formats for arg in ("--format", fmt))]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stderr is not None
    found = [(time.perf_counter() - start, line[2:].strip())
             for line in proc.stderr if line.startswith("· ")]
    if proc.wait() != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}… failed")
    return [*found, (time.perf_counter() - start, "done")]


def build_cmd(project: Path, *formats: str) -> list[str]:
    """`briefing build` of a project: the formats named, or briefing.toml's."""
    return [*BRIEFING, "--project", str(project), "--quiet", "build",
            *(arg for fmt in formats for arg in ("--format", fmt))]
