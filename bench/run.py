"""`make bench`: how fast briefing builds, measured against the raw tools and the targets of
issue 20, side by side in one run.

    python bench/run.py [--sizes 5,40,200] [--runs 3] [--peak 200] [--no-real] [--no-watch]
                        [--no-preview] [--out bench]

For each synthetic corpus (bench/corpus.py: 5, 40 or 200 chapters with 25, 200 or 1000
references) it measures, as medians of --runs runs:
- floor: the same Pandoc->HTML, WeasyPrint->PDF and Pandoc->EPUB calls run directly on the
  Markdown briefing composed, one after another, with no briefing code around them;
- cold: `briefing build` (PDF and EPUB) with an empty build/ (no cache);
- noop: the same build again with nothing changed;
- edit_claim / edit_bib: a rebuild after changing one claim / one cited bibliography entry;
- peak memory of the whole process tree during a cold build (sampled RSS sum);
- help: `briefing --help` start-up;
- typst: the peer route (Pandoc->Typst and typst.compile on the same Markdown).
--peak N measures only a cold build's peak memory on the N-chapter corpus (for a run that
leaves the slow full N-chapter measurements out).
On the real briefing (bench/real.py: both editions, every format): cold, no-op, one claim
edited, one sentence added to a chapter template, the PDF's size against one WeasyPrint
run, and in `briefing watch` the time from saving a claim edit to both PDFs written; in
`briefing preview` (bench/preview.py, issue 33) from saving a claim or a template edit to
the page reloaded and to both PDFs written.
Absolute times depend on the machine; the ratios (to the floor, to the cold build) are what
can be compared across machines. Results: bench/results.json and bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import generate  # noqa: E402
from preview import TARGETS as PREVIEW_TARGETS  # noqa: E402
from preview import measure_preview  # noqa: E402
from preview import section as preview_section  # noqa: E402
from real import measure_real, measure_watch  # noqa: E402
from tools import BIN, BRIEFING, ROOT, build_cmd, log, staged, timed  # noqa: E402

PRINT_CSS = ROOT / "src" / "briefing" / "templates" / "print.css"
REFS = {5: 25, 40: 200, 200: 1000}
# Issue 20's targets first, then the earlier ones: (name, value path, limit, unit, text).
TARGETS = [
    ("edit vs cold (40)", ("sizes", "40", "ratios", "edit_claim_vs_cold"), 0.12, "×",
     "40-chapter corpus: one-claim edit ≤ 0.12× cold"),
    ("edit vs typst (40)", ("sizes", "40", "ratios", "edit_claim_vs_typst"), 1.0, "×",
     "40-chapter corpus: one-claim edit faster than the Typst route's full rebuild "
     "(edit ÷ Typst)"),
    ("real edit vs cold", ("real", "ratios", "edit_claim_vs_cold"), 0.2, "×",
     "real briefing, both editions: one-claim edit ≤ 0.2× cold (`briefing build`)"),
    ("watch save to PDFs", ("watch", "medians", "save_to_pdfs"), 1.0, " s",
     "real briefing, `briefing watch`: save of a claim edit → both PDFs written ≤ 1.0 s"),
    ("cold vs floor (40)", ("sizes", "40", "ratios", "cold_vs_floor"), 0.7, "×",
     "40-chapter corpus: cold ≤ 0.7× the raw floor"),
    ("pdf size", ("real", "ratios", "pdf_size_vs_one_run"), 1.1, "×",
     "real briefing: PDF size, chapter-by-chapter book ≤ 1.1× one WeasyPrint run"),
    ("peak memory at 200 (MiB)", ("peak_mib", "200"), 1024, " MiB",
     "peak memory at 200 chapters (process tree) ≤ 1 GiB"),
    ("real template edit vs cold", ("real", "ratios", "edit_template_vs_cold"), 0.25, "×",
     "real briefing: one sentence added to a chapter template ≤ 0.25× cold"),
    ("no-op vs cold (40)", ("sizes", "40", "ratios", "noop_vs_cold"), 0.03, "×",
     "40-chapter corpus: no-op ≤ 0.03× cold"),
    ("growth 40→200", ("growth", "cold_200_vs_40"), 5.5, "×", "cold(200)/cold(40) ≤ 5.5"),
    ("--help (s)", ("sizes", "40", "medians", "help"), 0.3, " s", "`briefing --help` ≤ 0.3 s"),
    *PREVIEW_TARGETS,  # issue 33: bench/preview.py
]

# Why a target is missed (shown only next to a target the measurements say is missed). The
# stage tables under each corpus show where an edit's time goes; these notes read them.
EDIT_LEFT = (
    "Pandoc reads only the changed chapter, citeproc is skipped (the citations are "
    "unchanged) and only that chapter's HTML section is written, so Pandoc is no longer "
    "most of an edit. What is left, from the stage table below: every input loaded and "
    "checked and every chapter template rendered again (about 0.8 s on 40 chapters); about "
    "1.3 s from the Pandoc step to the page (the changed chapter read, the 40 chapters' JSON "
    "joined, numbered and written again, the chapter's HTML, the sanitiser), with Pandoc's "
    "whole-document EPUB writer, the one whole-document run left, on the other core; and "
    "about 2 s laying out the one chapter, joining all 43 parts into the book with pikepdf "
    "and merging fonts, then finishing the EPUB. The levers left: an EPUB made from cached "
    "chapter XHTML, a join that copies only the changed part, and keeping the loaded model "
    "and rendered chapters between builds.")
REAL_LEFT = (
    "Both editions change. The stage table below: about 1.6 s before the pages are ready "
    "(every input loaded and checked, both editions composed, the changed chapter read and "
    "its HTML section written per edition, the whole-document DOCX and EPUB runs started "
    "beside them), then about 2 s in which both editions' changed chapters are laid out side "
    "by side and each book is joined (14 parts, fonts merged) and its EPUB and DOCX "
    "finished. Pandoc's whole-document EPUB and DOCX writers are the only whole-document "
    "runs left; the join and the finishing of the archives repeat in full for every edit.")
HELD_BACK = {
    "edit vs cold (40)": EDIT_LEFT,
    "edit vs typst (40)": EDIT_LEFT + " The Typst route compiles the whole book in about half "
    "of that: one process, no separate EPUB, no tagged PDF/UA join.",
    "real edit vs cold": REAL_LEFT,
    "real template edit vs cold": REAL_LEFT + " A sentence in a chapter template shows in both "
    "editions.",
    "watch save to PDFs": (
        "Under watch the WeasyPrint workers are warm and unchanged YAML is not parsed again, "
        "but each save is still a full recipe: every input checked and both editions composed "
        "again, then the steps of the build above (the stage table below), both editions side "
        "by side. The next levers: keep the composed chapters and the loaded model between "
        "saves, and write the PDFs before finishing the EPUB and DOCX."),
    "cold vs floor (40)": (
        "The PDF is laid out chapter by chapter on both cores, but separately laid-out parts "
        "cost about 30% more CPU in all than one run (each part loads and lays out its fonts "
        "and writes its own tags), the page must be ready before layout starts, reading and "
        "writing chapter by chapter starts a Pandoc process per chapter (twice), and the "
        "contents page, the page-number layer and the join come after the parts."),
    "preview claim to page": (
        "The page is told when the whole build is done: build/ changes all at once, after "
        "every format of every edition has rendered (so a failed build leaves it as it was), "
        "and the HTML is written with the PDFs, EPUB and DOCX. `--format html` (the second "
        "session in the preview table) is the quick page; the full figure is the rebuild's."),
    "preview claim to PDFs": (
        "Under preview each save is the watch's rebuild (warm WeasyPrint workers, unchanged "
        "YAML not parsed again, the stage cache for unchanged chapters): every input checked "
        "and both editions composed again, each changed chapter laid out and each book joined, "
        "then the EPUB and DOCX finished before anything is written."),
    "preview template to PDFs": (
        "As for the claim edit: a template sentence shows in both editions, so both books "
        "lay out the chapter again and are joined again."),
    "growth 40→200": (
        "Pandoc's runs grow slightly faster than linearly with the document."),
    "peak memory at 200 (MiB)": (
        "The sampled sum of resident memory over the process tree at its peak: Pandoc's "
        "whole-document EPUB writer (about 470 MiB on 200 chapters, with +RTS -F1.5) beside "
        "the chapter-by-chapter Pandoc runs, briefing holding the 200-chapter document as "
        "JSON (about 300 MiB), and the WeasyPrint workers, which now load WeasyPrint with their "
        "first part and stop before the join. The sum also counts, at its parent's size, "
        "a child forked from briefing before it becomes Pandoc (its pages are shared, not "
        "used twice). Not met by this measure."),
}


def pandoc_binary() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    path.write_text(text.replace(old, new, 1), "utf-8")


def measure_size(chapters: int, runs: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"bench-{chapters}-"))
    project = generate(work / "project", chapters, REFS[chapters])
    build = build_cmd(project, "pdf", "epub")
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    raw: dict[str, list[float]] = {k: [] for k in (
        "cold", "peak_mib", "noop", "edit_claim", "edit_bib", "floor_html", "floor_pdf",
        "floor_epub", "floor", "typst", "help")}
    errors: dict[str, str] = {}
    for run in range(runs):
        log(f"{chapters} chapters, run {run + 1}/{runs}: cold build")
        shutil.rmtree(project / "build", ignore_errors=True)
        seconds, peak = timed(build, env=env, memory=True)
        raw["cold"].append(seconds)
        raw["peak_mib"].append(peak)
        raw["noop"].append(timed(build, env=env)[0])
        edit(project / "seeds" / "src0.yaml", 'statement: "', f'statement: "Edited {run} ')
        raw["edit_claim"].append(timed(build, env=env)[0])
        edit(project / "bib" / "briefing.bib", "title = {", f"title = {{Edited {run} ")
        raw["edit_bib"].append(timed(build, env=env)[0])
    pages = _pages(project / "build" / "briefing.pdf")
    edit(project / "seeds" / "src0.yaml", 'statement: "', 'statement: "Staged ')
    stages = staged(project, "pdf", "epub", env=env)  # where one claim edit's time goes
    _floor(project, work, runs, raw, errors)
    for _ in range(max(5, runs)):
        raw["help"].append(timed([*BRIEFING, "--help"])[0])
    medians = {k: statistics.median(v) for k, v in raw.items() if v}
    ratios = {}
    if "floor" in medians:
        ratios["cold_vs_floor"] = medians["cold"] / medians["floor"]
    ratios["noop_vs_cold"] = medians["noop"] / medians["cold"]
    ratios["edit_claim_vs_cold"] = medians["edit_claim"] / medians["cold"]
    ratios["edit_bib_vs_cold"] = medians["edit_bib"] / medians["cold"]
    if "typst" in medians:
        ratios["edit_claim_vs_typst"] = medians["edit_claim"] / medians["typst"]
    shutil.rmtree(work, ignore_errors=True)
    return {"chapters": chapters, "references": REFS[chapters], "pages": pages, "runs": runs,
            "raw": raw, "medians": medians, "ratios": ratios, "errors": errors,
            "edit_stages": stages}


def measure_peak(chapters: int) -> float:
    """Only the peak memory of one cold build of the corpus, in MiB."""
    work = Path(tempfile.mkdtemp(prefix=f"bench-peak-{chapters}-"))
    project = generate(work / "project", chapters, REFS[chapters])
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    log(f"{chapters} chapters: peak memory of a cold build")
    peak = timed(build_cmd(project, "pdf", "epub"), env=env, memory=True)[1]
    shutil.rmtree(work, ignore_errors=True)
    return peak


def _floor(project: Path, work: Path, runs: int, raw: dict, errors: dict) -> None:
    """The raw tools on the Markdown briefing composed (from the last build)."""
    pandoc = pandoc_binary()
    source = work / "floor.md"
    shutil.copy(project / "build" / ".work" / "briefing.md", source)
    shutil.copy(project / "build" / ".work" / "briefing.bib", work / "floor.bib")
    common = [pandoc, str(source), "--from=markdown", "--citeproc",
              f"--bibliography={work / 'floor.bib'}", f"--csl={project / 'bib' / 'style.csl'}",
              "--toc", "--number-sections"]
    env = dict(os.environ, SOURCE_DATE_EPOCH="0")
    for run in range(runs):
        log(f"floor run {run + 1}/{runs}")
        html = timed([*common, "--to=html5", "--standalone", "-o", str(work / "floor.html")])[0]
        pdf = timed([str(BIN / "python"), "-m", "weasyprint", str(work / "floor.html"),
                     str(work / "floor.pdf"), "-s", str(PRINT_CSS)], env=env)[0]
        epub = timed([*common, "--to=epub3", "-o", str(work / "floor.epub")], env=env)[0]
        raw["floor_html"].append(html)
        raw["floor_pdf"].append(pdf)
        raw["floor_epub"].append(epub)
        raw["floor"].append(html + pdf + epub)
        try:
            raw["typst"].append(_typst(common, work))
        except Exception as exc:  # the peer route failing is a finding, not a crash
            errors["typst"] = f"{type(exc).__name__}: {str(exc)[-300:]}"


def _typst(common: list[str], work: Path) -> float:
    import typst

    start = time.perf_counter()
    subprocess.run([*common, "--to=typst", "--standalone", "-o", str(work / "floor.typ")],
                   check=True, capture_output=True)
    typst.compile(str(work / "floor.typ"), output=str(work / "floor-typst.pdf"))
    return time.perf_counter() - start


def _pages(pdf: Path) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(str(pdf))
    try:
        return len(document)
    finally:
        document.close()


def _get(results: dict, path: tuple) -> float | None:
    node = results
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text())
    hb = subprocess.run("ldconfig -p | grep -q harfbuzz-subset", shell=True).returncode == 0
    versions = {}
    for name in ("briefing", "weasyprint", "pypandoc-binary", "typst"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    versions["pandoc"] = subprocess.run([pandoc_binary(), "--version"], capture_output=True,
                                        text=True).stdout.splitlines()[0]
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    return {"cpus": os.cpu_count(), "cpu": cpu,
            "memory_gib": round(int(mem.group(1)) / 1024 / 1024, 1) if mem else None,
            "python": platform.python_version(), "harfbuzz_subset": hb, "versions": versions,
            "commit": commit, "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}


class LoadSampler:
    """The machine's 1-minute load average through the run: above the core count, other
    work competed with the bench and the seconds are inflated."""

    EVERY = 15.0

    def __init__(self) -> None:
        self.samples = [os.getloadavg()[0]]
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.wait(self.EVERY):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> list[float]:
        self.done.set()
        self.thread.join()
        return [min(self.samples), statistics.median(self.samples), max(self.samples)]


def report(results: dict) -> str:
    m = results["machine"]
    lines = ["# Benchmark results", "",
             f"Measured {m['date']} at commit `{m['commit']}` on {m['cpus']} cores ({m['cpu']}), "
             f"{m['memory_gib']} GiB; Python {m['python']}; {m['versions']['pandoc']}; "
             f"WeasyPrint {m['versions']['weasyprint']}; typst {m['versions']['typst']}; "
             f"HarfBuzz-Subset {'present' if m['harfbuzz_subset'] else 'absent'}. "
             "Medians of the runs shown; compare ratios, not seconds, across machines."]
    if m.get("load_average"):  # other work on the machine slows every step
        low, middle, high = m["load_average"]
        lines[-1] += (f" The 1-minute load average during the run (sampled every "
                      f"{LoadSampler.EVERY:g} s): {low:.1f} to {high:.1f}, median {middle:.1f}, "
                      f"on {m['cpus']} cores.")
        if high > m["cpus"]:
            lines[-1] += (" Other work shared the cores during this run: a ratio of two steps "
                          "measured at different moments (cold against the floor above all) "
                          "can be off by a factor of several; judge the targets on a quiet "
                          "machine.")
    lines.append("")
    lines += _targets(results)
    for key, size in results["sizes"].items():
        lines += _size_table(key, size)
    if "real" in results:
        lines += _real_table(results["real"], results.get("watch"))
    if "preview" in results:
        lines += [*preview_section(results["preview"]), ""]
    if "200" not in results["sizes"] and "200" in results.get("peak_mib", {}):
        lines += ["## 200 chapters: peak memory only", "",
                  f"One cold build (PDF+EPUB): {results['peak_mib']['200']:.0f} MiB, the "
                  "process tree's resident memory at its peak.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _targets(results: dict) -> list[str]:
    lines = ["## Targets", "", "| target | measured | limit | met |", "|---|--:|--:|:-:|"]
    missed = []
    for name, path, limit, unit, text in TARGETS:
        value = _get(results, path)
        if value is None:
            lines.append(f"| {text} | not measured | {limit:g}{unit} | – |")
            continue
        met = value < limit if name == "edit vs typst (40)" else value <= limit
        shown = f"{value:.0f}" if unit == " MiB" else f"{value:.3f}" if unit == "×" \
            else f"{value:.2f}"
        lines.append(f"| {text} | {shown}{unit} | {limit:g}{unit} | {'yes' if met else 'no'} |")
        if not met and name in HELD_BACK:
            missed.append(f"- **{text}** (measured {shown}{unit}): {HELD_BACK[name]}")
    if missed:
        lines += ["", "### What holds the missed targets back", "", *missed]
    return [*lines, ""]


def _size_table(key: str, size: dict) -> list[str]:
    med, rat = size["medians"], size["ratios"]
    lines = [f"## {key} chapters, {size['references']} references, {size['pages']} pages "
             f"({size['runs']} run{'s' if size['runs'] > 1 else ''})", "",
             "| measurement | seconds | ratio |", "|---|--:|--:|"]
    rows = [("raw floor: Pandoc→HTML", "floor_html", None),
            ("raw floor: WeasyPrint→PDF", "floor_pdf", None),
            ("raw floor: Pandoc→EPUB", "floor_epub", None),
            ("raw floor, total", "floor", None),
            ("`briefing build` cold (PDF+EPUB)", "cold", ("cold_vs_floor", "× floor")),
            ("no-op rebuild", "noop", ("noop_vs_cold", "× cold")),
            ("rebuild after editing one claim", "edit_claim", ("edit_claim_vs_cold", "× cold")),
            ("rebuild after editing one bib entry", "edit_bib", ("edit_bib_vs_cold", "× cold")),
            ("Typst route (Pandoc→Typst + compile)", "typst", None),
            ("`briefing --help`", "help", None)]
    for label, name, ratio in rows:
        if name in med:
            shown = f"{rat[ratio[0]]:.3f}{ratio[1]}" if ratio and ratio[0] in rat else ""
            lines.append(f"| {label} | {med[name]:.2f} | {shown} |")
    if "peak_mib" in med:
        lines.append(f"| peak memory, process tree (MiB) | {med['peak_mib']:.0f} | |")
    for name, text in size["errors"].items():
        lines.append(f"| {name} | failed: {text} | |")
    return [*lines, "", *_stages(size.get("edit_stages"), "one more claim edit")]


def _stages(stages: list | None, what: str) -> list[str]:
    """Where an edit's time goes: each stage line `briefing build --progress plain` printed,
    and the seconds until the next (one run, so rougher than the medians above)."""
    if not stages:
        return []
    lines = [f"Where the time of {what} goes (one run, `--progress plain`):", "",
             "| stage | from (s) | seconds |", "|---|--:|--:|"]
    for (at, text), (until, _) in zip(stages, stages[1:], strict=False):
        lines.append(f"| {text.replace('|', '/')} | {at:.2f} | {until - at:.2f} |")
    lines.append(f"| total | | {stages[-1][0]:.2f} |")
    return [*lines, ""]


def _real_table(real: dict, watch: dict | None) -> list[str]:
    med, rat = real["medians"], real["ratios"]
    lines = [f"## The real briefing: both editions, every format ({real['runs']} run"
             f"{'s' if real['runs'] > 1 else ''})", "",
             "The claim edit changes one claim's statement in English and its Dutch "
             "translation in one save (an English-only edit leaves the Dutch translation "
             "stale, which stops the build); the template edit adds one sentence to one "
             "chapter template, outside its translated blocks.", "",
             "| measurement | seconds | ratio |", "|---|--:|--:|"]
    rows = [("`briefing build` cold", "cold", None),
            ("no-op rebuild", "noop", "noop_vs_cold"),
            ("rebuild after editing one claim", "edit_claim", "edit_claim_vs_cold"),
            ("rebuild after adding a sentence to a chapter template", "edit_template",
             "edit_template_vs_cold")]
    for label, name, ratio in rows:
        shown = f"{rat[ratio]:.3f}× cold" if ratio else ""
        lines.append(f"| {label} | {med[name]:.2f} | {shown} |")
    if watch:
        wm = watch["medians"]
        lines.append(f"| `briefing watch`: first build | {wm['first_build']:.2f} | |")
        lines.append(f"| `briefing watch`: save of a claim edit → both PDFs written "
                     f"({watch['runs']} saves; each: "
                     f"{', '.join(f'{v:.2f}' for v in watch['raw']['save_to_pdfs'])}) | "
                     f"{wm['save_to_pdfs']:.2f} | |")
        lines.append(f"| `briefing watch`: that rebuild as watch reports it | "
                     f"{wm['build']:.2f} | |")
    for edition, found in real.get("pdf_bytes", {}).items():
        lines.append(f"| PDF size ({edition}), bytes: chapter by chapter / one WeasyPrint run | "
                     f"{found['book']:,} / {found['one_run']:,} | "
                     f"{found['book'] / found['one_run']:.3f}× |")
    return [*lines, "", *_stages(real.get("edit_stages"), "one more claim edit")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="5,40,200",
                        help="corpus sizes measured in full (empty: none)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--runs-200", type=int, default=None,
                        help="runs for the 200-chapter corpus (default: --runs)")
    parser.add_argument("--peak", default="",
                        help="corpus sizes whose cold build's peak memory alone is measured")
    parser.add_argument("--no-real", action="store_true",
                        help="leave out the real briefing's builds")
    parser.add_argument("--no-watch", action="store_true",
                        help="leave out the `briefing watch` step")
    parser.add_argument("--no-preview", action="store_true",
                        help="leave out the `briefing preview` step (bench/preview.py)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite RESULTS.md from an existing results.json")
    args = parser.parse_args()
    if args.report_only:
        results = json.loads((args.out / "results.json").read_text("utf-8"))
        (args.out / "RESULTS.md").write_text(report(results), "utf-8")
        return
    results: dict = {"machine": machine(), "sizes": {}, "peak_mib": {}}
    load = LoadSampler()
    for size in (int(s) for s in args.sizes.split(",") if s):
        runs = args.runs_200 if size == 200 and args.runs_200 else args.runs
        results["sizes"][str(size)] = measure_size(size, runs)
        results["peak_mib"][str(size)] = results["sizes"][str(size)]["medians"]["peak_mib"]
    for size in (int(s) for s in args.peak.split(",") if s):
        if str(size) not in results["peak_mib"]:
            results["peak_mib"][str(size)] = measure_peak(size)
    if not args.no_real:
        results["real"] = measure_real(args.runs)
    if not args.no_watch:
        results["watch"] = measure_watch(args.runs)
    if not args.no_preview:
        results["preview"] = measure_preview(args.runs)
    sizes = results["sizes"]
    if "40" in sizes and "200" in sizes:
        results["growth"] = {"cold_200_vs_40": sizes["200"]["medians"]["cold"]
                             / sizes["40"]["medians"]["cold"]}
    results["machine"]["load_average"] = load.stop()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=1), "utf-8")
    (args.out / "RESULTS.md").write_text(report(results), "utf-8")
    log(f"wrote {args.out / 'results.json'} and {args.out / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
