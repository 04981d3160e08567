"""`briefing release VERSION` and `briefing diff A B`.

A release is a clean build of a version that briefing.toml names, recorded in
releases/<version>.json (model/releases.py): each edition's argument base, its paragraph
identifiers and the outputs' digests; in a git repository the record is committed and the
commit tagged v<version>. `diff` compares two releases, or a release and the working tree.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from briefing import files, recipe
from briefing.compose import changes, snapshot
from briefing.errors import BriefingError
from briefing.model import config, releases
from briefing.model.project import Project
from briefing.runtime import writing

WORKING = "working"  # `briefing diff 1.0 working`: the working tree's argument base


@dataclass
class Released:
    path: Path
    record: releases.Record
    tag: str | None  # the git tag made, if the project is a git repository


def release(root: Path, version: str, step: Callable[[str], None] = lambda s: None,
            tag: bool = True, renumber: bool = False) -> Released:
    """Build and record `version`; with `renumber`, its paragraphs are numbered by place
    (only a new major version may: a paragraph's number is what readers cite)."""
    project = config.load(root)
    # releases/ a link out of the project, a broken one or a file: refused before its
    # records are read and before the build, as is anything where the record goes.
    files.check_folder(root / releases.FOLDER, root, f"{releases.FOLDER}/")
    history = releases.history(root, project.inputs, project.config.limits.record_items)
    _check_version(project, version, history)
    if renumber:
        _check_major(project, version, history)
    path = releases.path_for(root, version)
    writing.check_writable(root, path)
    repo = _git_root(root)
    if repo is not None and tag:
        _check_clean(project, repo)
        if _git(repo, "tag", "--list", f"v{version}").strip():
            raise BriefingError.at(f"the git tag v{version} exists already", repo, None,
                                   "a tag names one release: delete the stray tag (git tag -d "
                                   f"v{version}) if it is not one, or release the next version")
    step("Building every edition, warnings as errors")
    built = recipe.build(root, None, step, strict=True, force=True, renumber=renumber)
    # The argument base as the build read it, not read again (an edit in between would
    # record other content than the outputs show).
    loaded = built.loaded
    assert loaded is not None  # a forced build reads its inputs
    model = loaded.model
    editions = {}
    for edition in model.project.editions:
        found = snapshot.snapshot(model, loaded.localised(edition))
        editions[edition.id] = releases.Edition(
            **found, paragraphs=built.paragraphs.get(edition.id, []),
            retired=built.retired.get(edition.id, []))
    commit = _git(repo, "rev-parse", "HEAD").strip() if repo is not None else None
    # Why this version exists, in each edition's words: later changelogs list it.
    said = model.project.config.document.changes
    summary = {} if said is None else {e.id: loaded.localised(e).text(said)
                                       for e in model.project.editions}
    record = releases.Record(
        format=releases.FORMAT, version=version, date=model.project.config.document.date,
        commit=commit, digest=releases.digest(editions, summary), editions=editions,
        summary=summary, renumbered=renumber,
        outputs={output.name: hashlib.sha256(output.read_bytes()).hexdigest()
                 for output in sorted(built.outputs.values())})
    writing.write_file(root, path, releases.dump(record).encode("utf-8"))
    made = None
    if repo is not None and tag:
        rel = path.relative_to(repo).as_posix()
        _git(repo, "add", "--", rel)
        _git(repo, "commit", "--quiet", "-m", f"Release {version}", "--", rel)
        made = f"v{version}"
        _git(repo, "tag", "-a", made, "-m", f"Release {version}")
    return Released(path, record, made)


def _check_version(project: Project, version: str,
                   history: list[releases.Release]) -> None:
    where = (project.config_path, project.line_of("document", "version"))
    wanted = releases.parse(version)
    if wanted is None:
        raise BriefingError.at(f"{version!r} is not a release version", None, None,
                               releases.VERSION_HINT)
    said = project.config.document.version
    if said != version:
        raise BriefingError.at(f"briefing.toml says version {said!r}, not {version!r}", *where,
                               f'set version = "{version}" and the date of the release in '
                               "[document], then release (the outputs print both)")
    for earlier in history:
        if earlier.key == wanted:
            raise BriefingError.at(f"version {version} is already released",
                                   earlier.path, None, "a release is never made twice: "
                                   "choose the next version number")
    if history and history[-1].key > wanted:
        raise BriefingError.at(f"version {version} is lower than the last release, "
                               f"{history[-1].version}", history[-1].path, None,
                               f"release a version after {history[-1].version}")


def _check_major(project: Project, version: str,
                 history: list[releases.Release]) -> None:
    """--renumber gives paragraphs new numbers: only with a new major version, so that a
    citation's version says which numbering it uses."""
    if not history:
        raise BriefingError.at("--renumber: nothing was released before", None, None,
                               "the first release numbers its paragraphs by place already")
    last, wanted = history[-1], releases.parse(version)
    if wanted is None or wanted[0] <= last.key[0]:
        raise BriefingError.at(
            f"--renumber needs a new major version: {version} follows {last.version}",
            project.config_path, project.line_of("document", "version"),
            f'release as version "{last.key[0] + 1}.0" to renumber the paragraphs, or leave '
            "out --renumber (new paragraphs then get letters: ¶2.7a)")


def _git_root(root: Path) -> Path | None:
    try:
        found = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"],
                               capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(found.stdout.strip()) if found.returncode == 0 else None


def _git(repo: Path | None, *args: str) -> str:
    assert repo is not None
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          timeout=60)
    if done.returncode != 0:
        raise BriefingError.at(f"git {args[0]} failed: {done.stderr.strip()[-300:]}", repo,
                               None, "fix the repository's state, then release again")
    return done.stdout


def _check_clean(project: Project, repo: Path) -> None:
    """The release must be of committed inputs, so that its commit builds the same bytes."""
    paths = [p.relative_to(repo).as_posix() for p in project.input_paths() if p.exists()]
    paths += [p.relative_to(repo).as_posix() for p in (project.chapters_dir,
                                                       project.seeds_dir) if p.exists()]
    # -z: each entry "XY path", unquoted; a rename's or copy's old path follows as its own
    # entry. (Stripping the text stripped the status's leading blank: "riefing.toml".)
    entries = iter(_git(repo, "status", "--porcelain", "-z", "--untracked-files=all", "--",
                        *paths).split("\0"))
    changed = []
    for entry in entries:
        if len(entry) > 3:
            changed.append(entry[3:])
            if entry[0] in "RC":
                next(entries, None)
    if changed:
        first = changed[0]
        raise BriefingError.at(f"inputs are not committed ({len(changed)} changed, e.g. "
                               f"{first})", repo / first, None,
                               "commit them first: a release records a commit")


@dataclass
class Compared:
    old: str
    new: str
    changes: dict[str, list[changes.Change]]


def diff(root: Path, old: str, new: str = WORKING) -> Compared:
    """The changes from release `old` to release `new` (or the working tree). Between two
    releases the numbered paragraphs are compared too; the working tree's are known only
    once a build numbers them (its changelog lists them)."""
    project = config.load(root)
    files.check_folder(root / releases.FOLDER, root, f"{releases.FOLDER}/")
    history = {r.version: r for r in releases.history(
        root, project.inputs, project.config.limits.record_items)}
    default = project.default_edition.id

    def record(version: str) -> releases.Record | None:
        if version == WORKING:
            return None
        if version not in history:
            known = ", ".join(history) or "none yet"
            raise BriefingError.at(f"no release {version!r}", project.root / releases.FOLDER,
                                   None, f"releases: {known}; or '{WORKING}' for the working "
                                   "tree")
        return history[version].record

    def editions(found: releases.Record | None) -> dict[str, releases.Edition]:
        if found is not None:
            return dict(found.editions)
        loaded = recipe.load(root)
        return {e.id: releases.Edition(**snapshot.snapshot(loaded.model, loaded.localised(e)))
                for e in loaded.model.project.editions}

    was, now = record(old), record(new)
    before, after = editions(was), editions(now)
    recorded = min(r.format if r is not None else releases.FORMAT for r in (was, now))
    found = changes.compare(before, after, default, recorded)
    if was is not None and now is not None:
        for ed, listed in found.items():
            listed += changes.paragraph_changes(
                before.get(ed, releases.Edition()).paragraphs, after[ed].paragraphs,
                continued=now.format >= 2)
    return Compared(old, new, found)
