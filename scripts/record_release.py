"""Record a release of an earlier commit of this repository, after the fact.

    .venv/bin/python scripts/record_release.py VERSION COMMIT [--note TEXT]
        [--summary EDITION=TEXT ...] [--before VERSION] [--unchecked] [--no-tag]

`briefing release` records the working tree as it builds now. A version published
before releases were recorded (the flagship's 0.1), or recorded in an older format (its
1.1), is recorded here instead, from the commit itself: the commit's inputs and its own
engine are exported into build/.release-VERSION/, built there by that engine (so the
paragraphs and the outputs' digests are the ones that commit publishes), and

- the paragraphs (anchor, number, text) are read from each edition's standalone HTML, each
  continuing the paragraph of the release --before that had its anchor;
- the argument base is read from the commit's inputs by today's loaders (with
  --unchecked, without the checks added to the engine after the first release:
  UNCHECKED: whose words a quote is; that a comparison cell rests on claims of its own
  perspective: they refuse what that commit published, and a record is what was
  published). The seeds' other checks and the analysis's schema still apply; the
  record's note says what was left out.

The record is written to releases/VERSION.json and the commit is tagged vVERSION.
"""

from __future__ import annotations

import argparse
import hashlib
import html.parser
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from briefing.compose import document, snapshot  # noqa: E402
from briefing.errors import Collector  # noqa: E402
from briefing.model import analysis, bibliography, config, releases, sources, yamlfile  # noqa: E402
from briefing.model import load as model_load  # noqa: E402
from briefing.model.project import ANALYSIS_NAME  # noqa: E402
from briefing.model.texts import Coverage  # noqa: E402
from briefing.outputs.paragraphs import tidy  # noqa: E402
from briefing.runtime import writing  # noqa: E402


class _Paragraphs(html.parser.HTMLParser):
    """Each <p> that carries a paragraph number: (anchor, number, text), the text as the
    engine records it (outputs/paragraphs.plain_text): without the number, citations and
    footnote references."""

    VOID = {"br", "img", "wbr", "hr", "input"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []
        self._p: list[str] | None = None
        self._anchor = self._label = ""
        self._open: list[tuple[bool, bool]] = []  # per open tag: (skipped, the number)

    def handle_starttag(self, tag, attrs):
        attr = dict(attrs)
        classes = (attr.get("class") or "").split()
        if tag == "p":
            self._p, self._anchor, self._label, self._open = [], "", "", []
            return
        if self._p is None or tag in self.VOID:
            return
        number = "pnum" in classes
        if number:
            self._anchor = attr.get("id") or ""
        skipped = bool(self._open and self._open[-1][0]) or number or bool(
            {"pcite", "citation", "footnote-ref", "pnum-alias"} & set(classes))
        self._open.append((skipped, number or bool(self._open and self._open[-1][1])))

    def handle_endtag(self, tag):
        if tag == "p" and self._p is not None:
            if self._anchor:
                text = tidy("".join(self._p))
                self.found.append((self._anchor, self._label, text))
            self._p = None
        elif self._p is not None and tag not in self.VOID and self._open:
            self._open.pop()

    def handle_data(self, data):
        if self._p is None:
            return
        if self._open and self._open[-1][1]:
            self._label += data.strip().lstrip("¶")
        elif not (self._open and self._open[-1][0]):
            self._p.append(data)


# Checks added to the engine in commit d7f8751, after the flagship's 1.0: whose words each
# quote is (seeds), and that a comparison cell rests on claims of its own perspective
# (analysis.yaml, read here by its schema alone).
UNCHECKED = ("whose words each quote is (words_of)",
             "that a comparison cell rests on claims of its own perspective")


def paragraphs(page: Path, before: releases.Edition | None) -> list[releases.Paragraph]:
    """The page's numbered paragraphs; each continues the paragraph of the release
    before that had its anchor (the engine of formats 1 kept an anchor, not a number)."""
    reader = _Paragraphs()
    reader.feed(page.read_text("utf-8"))
    earlier = {p.id for p in before.paragraphs} if before else set()
    return [releases.Paragraph(id=a, label=label, text=text,
                               was=a if a in earlier else None)
            for a, label, text in reader.found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version")
    parser.add_argument("commit")
    parser.add_argument("--note", default="")
    parser.add_argument("--summary", action="append", default=[], metavar="EDITION=TEXT",
                        help="why this version exists, in an edition's words (repeatable)")
    parser.add_argument("--before", help="the release this one updated (its paragraphs are "
                        "what this one's continue)")
    parser.add_argument("--unchecked", action="store_true",
                        help="read the argument base without the checks added after the "
                        "flagship's first release (UNCHECKED)")
    parser.add_argument("--no-tag", action="store_true")
    args = parser.parse_args()
    if releases.parse(args.version) is None:
        sys.exit(f"{args.version!r}: {releases.VERSION_HINT}")
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", f"{args.commit}^{{commit}}"],
                            check=True, capture_output=True, text=True).stdout.strip()
    tree = ROOT / "build" / f".release-{args.version}"
    shutil.rmtree(tree, ignore_errors=True)
    tree.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    # The commit's own engine builds the commit's inputs: the outputs it published.
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONPATH"] = str(tree / "src")
    subprocess.run([sys.executable, "-c", "import sys; sys.argv[0] = 'briefing'; "
                    "from briefing.cli import main; main()", "--project", str(tree),
                    "--progress", "none", "build"], check=True, env=env, cwd=tree)
    project = config.load(tree)
    bib = bibliography.load(project.bib_path, project.config.limits.bib_field_chars,
                            project.inputs)
    if args.unchecked:
        sources._check_speaker = lambda *args, **kwargs: None  # UNCHECKED
    coverage = Coverage()
    base = sources.load(project.seeds_dir, list(project.config.perspectives), bib.keys,
                        project.bib_path, editions=project.editions, coverage=coverage,
                        inputs=project.inputs)
    doc = yamlfile.load(tree / ANALYSIS_NAME, project.inputs)
    found_analysis = analysis.Analysis.model_validate(
        doc.data, context={"default_edition": project.default_edition.id})
    model = model_load.Model(project, bib, base, found_analysis,
                             model_load.epoch_for(project), coverage)
    problems = Collector()
    prepared = document.prepare(project, coverage, problems)
    problems.raise_if_any()
    before = None
    if args.before:
        before = releases.Record.model_validate_json(
            releases.path_for(ROOT, args.before).read_text("utf-8"))
    editions = {}
    for edition in project.editions:
        name = project.config.build.name
        page = tree / "build" / (f"{name}.{edition.id}.html" if edition.several
                                 else f"{name}.html")
        found = snapshot.snapshot(model, prepared.localised(project, edition))
        editions[edition.id] = releases.Edition(**found, paragraphs=paragraphs(
            page, before.editions.get(edition.id) if before else None))
    summary = dict(item.split("=", 1) for item in args.summary)
    note = args.note or (
        f"Recorded after the fact from commit {commit[:7]}: its own engine built the outputs "
        "and the paragraphs; the argument base was read by a later engine"
        + (" without the check of " + " and ".join(UNCHECKED) + ", which that commit did "
           "not make." if args.unchecked else "."))
    record = releases.Record(
        format=releases.FORMAT, version=args.version, date=project.config.document.date,
        commit=commit, note=note, digest=releases.digest(editions, summary or None),
        editions=editions, summary=summary,
        outputs={p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in sorted((tree / "build").iterdir())
                 if p.is_file() and not p.name.startswith(".")})  # not the build's lock
    path = releases.path_for(ROOT, args.version)
    writing.write_file(ROOT, path, releases.dump(record).encode("utf-8"))
    print(f"wrote {path.relative_to(ROOT)}: "
          + ", ".join(f"{ed}: {len(e.claims)} claims, {len(e.paragraphs)} paragraphs"
                      for ed, e in editions.items()))
    if not args.no_tag:
        subprocess.run(["git", "-C", str(ROOT), "tag", "-a", f"v{args.version}", commit,
                        "-m", f"Release {args.version} (recorded after the fact)"], check=True)
        print(f"tagged {commit[:7]} v{args.version}")


if __name__ == "__main__":
    main()
