"""The bench steps on the real briefing (a copy of this repository's project: both editions,
every format in briefing.toml): `briefing build` cold, no-op and after two kinds of edit;
the PDF's size against one WeasyPrint run; and `briefing watch` from a save to both PDFs.

The claim edit changes one claim's statement in English and its Dutch translation in the
same save: an English-only edit makes the Dutch translation stale, which stops a build of
both editions (as it should), and both PDFs must change for the watch measurement. The
template edit adds a sentence outside the translated blocks of one chapter template, so
that both editions show it.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from tools import BRIEFING, ROOT, build_cmd, log, staged, timed

PDFS = ("briefing.en.pdf", "briefing.nl.pdf")
WATCH_SECONDS = 600  # the first build under watch, on a busy machine


def copy_real(target: Path) -> Path:
    """The project's inputs, as the engine lists them, copied without build/."""
    listed = subprocess.run([*BRIEFING, "--project", str(ROOT), "inputs"], check=True,
                            capture_output=True, text=True).stdout.split()
    for name in listed:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target / name)
    return target


def edit_claim(project: Path, tag: str) -> None:
    """One claim's statement, in English and in Dutch, in one write."""
    seed = sorted((project / "seeds").glob("*.yaml"))[0]
    text = seed.read_text("utf-8")
    at = text.index("\nclaims:")
    for lang, word in (("en", "Edited"), ("nl", "Bewerkt")):
        found = re.compile(rf"^\s+statement:\n(?:.*\n)*?\s+{lang}: >-\n(\s+)", re.M).search(
            text, at)
        if found is None:
            raise RuntimeError(f"{seed.name}: no folded {lang} statement to edit")
        text = text[:found.end()] + f"{word} {tag}. " + text[found.end():]
    seed.write_text(text, "utf-8")


def edit_template(project: Path, tag: str) -> None:
    """One sentence added to one chapter template (the fourth), outside its trans blocks."""
    chapter = sorted(p for p in (project / "chapters").glob("*.md.j2")
                     if not p.name.startswith("_"))[3]
    with chapter.open("a", encoding="utf-8") as handle:
        handle.write(f"\nA sentence added to this chapter ({tag}).\n")


def measure_real(runs: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-real-"))
    project = copy_real(work / "real")
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    raw: dict[str, list[float]] = {k: [] for k in ("cold", "noop", "edit_claim",
                                                   "edit_template")}
    sizes: dict = {}
    for run in range(runs):
        log(f"real briefing, run {run + 1}/{runs}: cold build")
        shutil.rmtree(project / "build", ignore_errors=True)
        raw["cold"].append(timed(build_cmd(project), env=env)[0])
        if run == 0:
            sizes = pdf_sizes(project, work)
        raw["noop"].append(timed(build_cmd(project), env=env)[0])
        edit_claim(project, f"run {run}")
        raw["edit_claim"].append(timed(build_cmd(project), env=env)[0])
        edit_template(project, f"run {run}")
        raw["edit_template"].append(timed(build_cmd(project), env=env)[0])
    edit_claim(project, "staged")
    stages = staged(project, env=env)  # where one claim edit's time goes
    shutil.rmtree(work, ignore_errors=True)
    medians = {k: statistics.median(v) for k, v in raw.items()}
    ratios = {"noop_vs_cold": medians["noop"] / medians["cold"],
              "edit_claim_vs_cold": medians["edit_claim"] / medians["cold"],
              "edit_template_vs_cold": medians["edit_template"] / medians["cold"]}
    if sizes:
        ratios["pdf_size_vs_one_run"] = max(s["book"] / s["one_run"] for s in sizes.values())
    return {"runs": runs, "raw": raw, "medians": medians, "ratios": ratios,
            "pdf_bytes": sizes, "edit_stages": stages}


def pdf_sizes(project: Path, work: Path) -> dict:
    """Each edition's PDF as built (chapter by chapter) and as one WeasyPrint run over the
    same HTML page, in bytes."""
    from briefing.model import config
    from briefing.model.load import epoch_for
    from briefing.outputs.pdf import book

    loaded = config.load(project)
    bounds = loaded.config.limits
    found = {}
    for edition, workdir in (("en", ".work"), ("nl", ".work-nl")):
        page = (project / "build" / workdir / "briefing.html").read_text("utf-8")
        scratch = work / f"one-run-{edition}"
        scratch.mkdir()
        settings = book.Settings(project, epoch_for(loaded), scratch, bounds.weasyprint_seconds,
                                 bounds.weasyprint_memory_mib, ("bench",))
        log(f"real briefing: the {edition} PDF in one WeasyPrint run, for its size")
        found[edition] = {"book": (project / "build" / f"briefing.{edition}.pdf").stat().st_size,
                          "one_run": len(book.whole(page, settings))}
    return found


def measure_watch(runs: int) -> dict:
    """`briefing watch` on a copy of the real briefing: after its first build, save a claim
    edit and time until both editions' PDFs have been replaced, `runs` times."""
    work = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    project = copy_real(work / "real")
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    proc = subprocess.Popen([*BRIEFING, "--project", str(project), "watch"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = _reader(proc)
    raw: dict[str, list[float]] = {"first_build": [], "save_to_pdfs": [], "build": []}
    try:
        start = time.perf_counter()
        _wait_for(lines, "watching for changes", WATCH_SECONDS)
        raw["first_build"].append(time.perf_counter() - start)
        for run in range(runs):
            log(f"watch, run {run + 1}/{runs}: save a claim edit")
            before = {name: (project / "build" / name).read_bytes() for name in PDFS}
            time.sleep(1.0)  # a quiet watcher, as after an author's pause
            saved = time.perf_counter()
            edit_claim(project, f"watch {run}")
            _until_replaced(project / "build", before, saved + WATCH_SECONDS)
            raw["save_to_pdfs"].append(time.perf_counter() - saved)
            built = _wait_for(lines, "watching for changes", WATCH_SECONDS)
            raw["build"].append(float(re.search(r"built in ([\d.]+) s", built).group(1)))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    return {"runs": runs, "raw": raw,
            "medians": {k: statistics.median(v) for k, v in raw.items() if v}}


def _until_replaced(build: Path, before: dict[str, bytes], deadline: float) -> None:
    """Poll until every PDF named in `before` holds other bytes. Outputs are renamed into
    place whole, so a file with a new inode is a finished one; only then are bytes read."""
    seen = {name: _identity(build / name) for name in before}
    waiting = set(before)
    while waiting:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"watch: {sorted(waiting)} not rewritten in time")
        for name in sorted(waiting):
            now = _identity(build / name)
            if now != seen[name]:
                seen[name] = now
                if (build / name).read_bytes() != before[name]:
                    waiting.discard(name)
        time.sleep(0.005)


def _identity(path: Path) -> tuple[int, int, int]:
    found = path.stat()
    return found.st_ino, found.st_mtime_ns, found.st_size


def _reader(proc: subprocess.Popen) -> queue.Queue:
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line)
        lines.put(None)  # the watcher ended

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue, text: str, seconds: float) -> str:
    deadline = time.perf_counter() + seconds
    seen: list[str] = []
    while (left := deadline - time.perf_counter()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            raise RuntimeError("watch ended: " + "".join(seen[-10:]))
        seen.append(line)
        if "build failed" in line:
            raise RuntimeError("watch: the build failed: " + "".join(seen[-10:]))
        if text in line:
            return line
    raise RuntimeError(f"watch: no {text!r} within {seconds} s: " + "".join(seen[-10:]))
