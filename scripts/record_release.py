"""Record a release of an earlier commit of this repository, after the fact.

    .venv/bin/python scripts/record_release.py VERSION COMMIT [--note TEXT] [--no-tag]

`briefing release` records the working tree as it builds now. A version published
before releases were recorded (the flagship's 1.0) is recorded here instead, from the
commit itself: the commit's inputs and its own engine are exported into
build/.release-VERSION/, built there by that engine (so the paragraphs and the outputs'
digests are the ones that commit publishes), and

- the paragraphs (identifier, number, words) are read from each edition's standalone HTML;
- the argument base is read from the commit's inputs by today's loaders, without the
  checks added to the engine after that commit (UNCHECKED: whose words a quote is; that a
  comparison cell rests on claims of its own perspective): they refuse what the commit
  published, and a record is what was published. The seeds' other checks and the
  analysis's schema still apply; the record's note says what was left out.

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
from briefing.model.texts import Coverage  # noqa: E402
from briefing.outputs.paragraphs import WORD_RE  # noqa: E402


class _Paragraphs(html.parser.HTMLParser):
    """Each <p> that carries a paragraph number: (anchor, number, words)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []
        self._p: list[str] | None = None
        self._anchor = self._label = ""
        self._skip = 0  # inside the number itself, or a footnote reference

    def handle_starttag(self, tag, attrs):
        attr = dict(attrs)
        classes = (attr.get("class") or "").split()
        if tag == "p":
            self._p, self._anchor, self._label = [], "", ""
        elif self._p is not None and "pnum" in classes:
            self._anchor, self._skip = attr.get("id") or "", self._skip + 1
        elif self._p is not None and ("footnote-ref" in classes or self._skip):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "p" and self._p is not None:
            if self._anchor:
                words = " ".join(WORD_RE.findall(" ".join(self._p).lower()))
                self.found.append((self._anchor, self._label, words))
            self._p = None
        elif self._skip and tag in ("span", "a", "sup"):
            self._skip -= 1

    def handle_data(self, data):
        if self._p is None:
            return
        if self._skip:
            if self._anchor and not self._label:
                self._label = data.strip().lstrip("¶")
            return
        self._p.append(data)


# Checks added to the engine in commit d7f8751, after the flagship's 1.0: whose words each
# quote is (seeds), and that a comparison cell rests on claims of its own perspective
# (analysis.yaml, read here by its schema alone).
UNCHECKED = ("whose words each quote is (words_of)",
             "that a comparison cell rests on claims of its own perspective")


def paragraphs(page: Path) -> list[releases.Paragraph]:
    reader = _Paragraphs()
    reader.feed(page.read_text("utf-8"))
    return [releases.Paragraph(id=a, label=label, text=words)
            for a, label, words in reader.found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version")
    parser.add_argument("commit")
    parser.add_argument("--note", default="")
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
    sources._check_speaker = lambda *args, **kwargs: None  # UNCHECKED
    coverage = Coverage()
    base = sources.load(project.seeds_dir, list(project.config.perspectives), bib.keys,
                        project.bib_path, editions=project.editions, coverage=coverage,
                        inputs=project.inputs)
    doc = yamlfile.load(tree / config.ANALYSIS_NAME, project.inputs)
    found_analysis = analysis.Analysis.model_validate(
        doc.data, context={"default_edition": project.default_edition.id})
    model = model_load.Model(project, bib, base, found_analysis,
                             model_load.epoch_for(project), coverage)
    problems = Collector()
    prepared = document.prepare(project, coverage, problems)
    problems.raise_if_any()
    editions = {}
    for edition in project.editions:
        name = project.config.build.name
        page = tree / "build" / (f"{name}.{edition.id}.html" if edition.several
                                 else f"{name}.html")
        found = snapshot.snapshot(model, prepared.localised(project, edition))
        editions[edition.id] = releases.Edition(**found, paragraphs=paragraphs(page))
    note = args.note or (
        f"Recorded after the fact from commit {commit[:7]}: its own engine built the outputs "
        "and the paragraphs; the argument base was read by a later engine without the check "
        "of " + " and ".join(UNCHECKED) + ", which that commit did not make.")
    record = releases.Record(
        format=releases.FORMAT, version=args.version, date=project.config.document.date,
        commit=commit, note=note, digest=releases.digest(editions), editions=editions,
        outputs={p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in sorted((tree / "build").iterdir())
                 if p.is_file() and not p.name.startswith(".")})  # not the build's lock
    path = releases.path_for(ROOT, args.version)
    path.parent.mkdir(exist_ok=True)
    path.write_text(releases.dump(record), "utf-8")
    print(f"wrote {path.relative_to(ROOT)}: "
          + ", ".join(f"{ed}: {len(e.claims)} claims, {len(e.paragraphs)} paragraphs"
                      for ed, e in editions.items()))
    if not args.no_tag:
        subprocess.run(["git", "-C", str(ROOT), "tag", "-a", f"v{args.version}", commit,
                        "-m", f"Release {args.version} (recorded after the fact)"], check=True)
        print(f"tagged {commit[:7]} v{args.version}")


if __name__ == "__main__":
    main()
