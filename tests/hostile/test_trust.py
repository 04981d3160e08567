"""Nothing from build/ is trusted that this machine did not write (review round 3, #1, #2).

A project can ship build/: its stage cache, its sanitiser verdicts, its outputs and its
manifest. Each test plays both sides with the real CLI: the attacker builds on their
machine (their own key, XDG_CACHE_HOME=attacker), plants active content in what they
ship, and the victim builds on theirs. The victim gets a cold build's bytes, or, when the
planted entry is signed with the victim's own key (a stage gone wrong), a refusal from
the last wall (outputs/inert.py) with nothing written.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import sys
import zipfile
from pathlib import Path

import pikepdf
import pytest

from briefing.outputs import inert
from briefing.runtime import trust
from conftest import FIXTURES, copy_project, digests, run_cli

from .test_hostile_inputs import tree_digests, untouchable


def machine(tmp_path: Path, name: str) -> dict[str, str]:
    """The environment of a build on another machine: its own key."""
    home = tmp_path / f"machine-{name}"
    home.mkdir(exist_ok=True)
    return {"XDG_CACHE_HOME": str(home)}


def sign_as(env: dict[str, str], stage: str, key: str, payload: bytes,
            monkeypatch: pytest.MonkeyPatch) -> bytes:
    """A cache entry as a build with `env`'s key writes it."""
    monkeypatch.setenv("XDG_CACHE_HOME", env["XDG_CACHE_HOME"])
    trust.key.cache_clear()
    try:
        return trust.sign("cache", stage, key, payload) + payload
    finally:
        monkeypatch.undo()
        trust.key.cache_clear()


def poisoned_pdf(clean: bytes) -> bytes:
    """The PDF with an /OpenAction JavaScript and a /Launch link on page 1."""
    with pikepdf.open(io.BytesIO(clean)) as pdf:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                                 JS=pikepdf.String("app.alert('RTPOISON')"))
        launch = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                                    Rect=[0, 0, 100, 100],
                                    A=pikepdf.Dictionary(S=pikepdf.Name.Launch,
                                                         F=pikepdf.String("/bin/sh")))
        page = pdf.pages[0]
        page.Annots = pdf.make_indirect(pikepdf.Array([*page.get("/Annots", []), launch]))
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def pdf_entry(project: Path) -> tuple[Path, bytes]:
    """The cache entry whose payload is build/briefing.pdf."""
    pdf = (project / "build" / "briefing.pdf").read_bytes()
    for entry in sorted((project / "build" / ".cache" / "pdf").glob("*/*")):
        if entry.read_bytes()[32:] == pdf:
            return entry, pdf
    raise AssertionError("no pdf cache entry holds build/briefing.pdf")


@pytest.fixture
def attacker(tmp_path: Path) -> Path:
    """The minimal project built on the attacker's machine (their key)."""
    project = copy_project(FIXTURES / "minimal", tmp_path / "attacker")
    result = run_cli(project, "build", env=machine(tmp_path, "attacker"))
    assert result.code == 0, result.err
    return project


def ship(attacker: Path, target: Path, keep: tuple[str, ...]) -> Path:
    """The project as shipped: its inputs, and of build/ only what `keep` names."""
    project = copy_project(attacker, target)
    for rel in keep:
        source = attacker / "build" / rel
        if source.is_dir():
            shutil.copytree(source, project / "build" / rel)
        else:
            (project / "build" / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, project / "build" / rel)
    return project


def cold_build(project: Path, tmp_path: Path) -> dict[str, str]:
    cold = copy_project(project, tmp_path / "cold")
    result = run_cli(cold, "build", env=machine(tmp_path, "cold"))
    assert result.code == 0, result.err
    return digests(cold / "build")


def test_a_shipped_pdf_cache_entry_with_javascript_is_not_used(
        tmp_path: Path, attacker: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """#1: the attacker's PDF, in an entry their own machine signed, shipped alone."""
    entry, clean = pdf_entry(attacker)
    evil = poisoned_pdf(clean)
    assert inert.scan_pdf(evil), "the poisoned PDF must be caught by the scanner"
    entry.write_bytes(sign_as(machine(tmp_path, "attacker"), "pdf", entry.name, evil,
                              monkeypatch))
    victim = ship(attacker, tmp_path / "victim", (".cache/pdf",))
    result = run_cli(victim, "build", env=machine(tmp_path, "victim"))
    assert result.code == 0, result.err
    assert "pdf" not in result.err.split("Reused from the cache", 1)[-1].split("\n")[0]
    data = (victim / "build" / "briefing.pdf").read_bytes()
    assert data != evil and inert.scan_pdf(data) == []
    assert digests(victim / "build") == cold_build(victim, tmp_path)
    assert not (victim / "build" / ".cache" / "pdf" / entry.parent.name / entry.name
                ).read_bytes().endswith(evil), "the planted entry is still there"


def test_shipped_outputs_and_manifest_are_not_up_to_date(
        tmp_path: Path, attacker: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """#1, variant: the outputs, one replaced by a poisoned PDF, and a manifest that
    records them, signed on the attacker's machine (where it is up to date), on a fresh
    copy: the victim's build rebuilds."""
    import hashlib
    import json

    evil = poisoned_pdf((attacker / "build" / "briefing.pdf").read_bytes())
    (attacker / "build" / "briefing.pdf").write_bytes(evil)
    manifest = attacker / "build" / ".cache" / "manifest.json"
    signed = json.loads(manifest.read_text("utf-8"))
    signed["state"]["outputs"]["briefing.pdf"] = hashlib.sha256(evil).hexdigest()
    monkeypatch.setenv("XDG_CACHE_HOME", machine(tmp_path, "attacker")["XDG_CACHE_HOME"])
    trust.key.cache_clear()
    signed["mac"] = trust.sign("manifest", json.dumps(signed["state"], sort_keys=True)).hex()
    monkeypatch.undo()
    trust.key.cache_clear()
    manifest.write_text(json.dumps(signed), "utf-8")
    at_home = run_cli(attacker, "build", env=machine(tmp_path, "attacker"))
    assert "Up to date" in at_home.err, "the planted manifest must hold where it was made"

    victim = ship(attacker, tmp_path / "victim", (".cache/manifest.json",))
    for path in (attacker / "build").glob("briefing*"):
        shutil.copy2(path, victim / "build" / path.name)
    result = run_cli(victim, "build", env=machine(tmp_path, "victim"))
    assert result.code == 0, result.err
    assert "Up to date" not in result.err
    assert inert.scan_pdf((victim / "build" / "briefing.pdf").read_bytes()) == []
    # And the victim's own manifest makes the next build a no-op, as before.
    again = run_cli(victim, "build", env=machine(tmp_path, "victim"))
    assert again.code == 0 and "Up to date" in again.err, again.err


def test_a_stage_result_signed_with_this_users_key_still_meets_the_last_wall(
        tmp_path: Path, attacker: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even an entry the victim's own key signed (a stage gone wrong) cannot put
    JavaScript into an output: the build stops at the output, nothing is written."""
    victim_env = machine(tmp_path, "victim")
    victim = ship(attacker, tmp_path / "victim", ())
    assert run_cli(victim, "build", env=victim_env).code == 0
    entry, clean = pdf_entry(victim)
    entry.write_bytes(sign_as(victim_env, "pdf", entry.name, poisoned_pdf(clean),
                              monkeypatch))
    (victim / "build" / ".cache" / "manifest.json").unlink()  # make the stages run
    before = tree_digests(victim / "build")
    kept = untouchable(victim, tmp_path / "machine-victim")
    result = run_cli(victim, "build", "-q", env=victim_env)
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert lines[0].startswith("build/briefing.pdf: error: refused to write briefing.pdf: "
                               "it would carry "), result.err
    assert "JavaScript" in lines[0] or "Launch" in lines[0], result.err
    assert lines[1].startswith("  hint: ") and "build/.cache" in lines[1]
    assert tree_digests(victim / "build") == before
    assert untouchable(victim, tmp_path / "machine-victim") == kept


def test_planted_clean_verdicts_do_not_let_a_handler_or_a_script_link_out(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """#2: "clean" sanitiser verdicts for a chapter with an event handler and a
    javascript: link. Made on another machine they are not read; made with the victim's
    own key (the verdicts skip the sanitiser), the last wall refuses the outputs."""
    project = copy_project(FIXTURES / "minimal", tmp_path / "p")
    chapter = project / "chapters" / "01-overview.md.j2"
    chapter.write_text(chapter.read_text("utf-8") + "\n\n[Tap here]{onclick=\"alert(1)\"} and "
                       "[the source](javascript:alert('RTXSS-link')).\n", "utf-8")
    for name in ("attacker", "victim"):
        env = machine(tmp_path, name)
        monkeypatch.setenv("XDG_CACHE_HOME", env["XDG_CACHE_HOME"])
        trust.key.cache_clear()
        _plant_clean_verdicts(project, monkeypatch)
        monkeypatch.delenv("XDG_CACHE_HOME")
        trust.key.cache_clear()
        before = tree_digests(project / "build")
        result = run_cli(project, "build", "-q", env=machine(tmp_path, "victim"))
        assert result.code == 1, result.err
        assert "Traceback" not in result.err
        first = result.err.strip().splitlines()[0]
        if name == "attacker":  # not read: the sanitiser names the chapter line
            assert first.startswith("chapters/01-overview.md.j2:"), result.err
        else:  # read, and skipped the sanitiser: the outputs are refused
            assert first.startswith("build/briefing"), result.err
            assert "refused to write" in first, result.err
            assert "onclick" in first or "javascript" in first, result.err
        assert tree_digests(project / "build") == before


def _plant_clean_verdicts(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Build in this process with a sanitiser that passes everything, so that its
    verdicts ("clean") are written into build/.cache/sanitised under the current key."""
    from briefing import recipe
    from briefing.errors import BriefingError
    from briefing.outputs import sanitise

    with monkeypatch.context() as patch:
        patch.setattr(sanitise, "check", lambda fragment, kind: [])
        patch.setattr(sanitise, "walk_html", lambda fragment, kind: [])
        patch.setattr(sanitise, "walk_xhtml", lambda document: [])
        with pytest.raises(BriefingError, match="refused to write"):
            recipe.build(project, force=True)
    planted = list((project / "build" / ".cache" / "sanitised").glob("*/*"))
    assert planted, "no verdict was recorded"


# --- the last wall, format by format -------------------------------------------------

def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize("markup,found", [
    ('<p onclick="x()">a</p>', "event handler"),
    ("<script>alert(1)</script>", "<script>"),
    ('<a href="javascript:alert(1)">x</a>', "javascript: link"),
    ('<a href="java\tscript:alert(1)">x</a>', "javascript: link"),
    ('<img src="https://example.org/x.png">', "a load from"),
    ('<img src="figures/x.png">', "self-contained"),
    ('<link rel="preload" href="x">', "<link rel="),
    ('<meta http-equiv="refresh" content="0;url=https://e.org">', "refresh"),
    ('<svg><set attributeName="href" to="javascript:x"/></svg>', "<set>"),
    ('<p style="background:url(https://e.org/x)">a</p>', "style"),
    ("<style>@import 'https://e.org/x.css';</style>", "stylesheet"),
    ('<iframe srcdoc="&lt;script&gt;"></iframe>', "<iframe>"),
])
def test_the_wall_finds_active_content_in_html(markup: str, found: str) -> None:
    problems = inert.scan_markup(f"<html><body>{markup}</body></html>", standalone=True)
    assert problems and any(found in p for p in problems), problems


def test_the_wall_finds_active_content_in_an_epub_and_a_docx() -> None:
    epub = _zip({"mimetype": b"application/epub+zip",
                 "EPUB/text/ch001.xhtml": b'<html><body><img src="../media/a.png" '
                                          b'onload="x()"/></body></html>',
                 "EPUB/styles/a.css": b"p { background: url(http://e.org/x) }",
                 "EPUB/content.opf": b'<package xmlns="http://www.idpf.org/2007/opf"><manifest>'
                                     b'<item id="a" href="a.xhtml" properties="scripted"/>'
                                     b"</manifest></package>"})
    found = inert.scan_epub(epub)
    assert any("onload" in p for p in found) and any("a.css" in p for p in found) and any(
        "scripted" in p for p in found), found
    rels = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/hyperlink" Target="javascript:alert(1)" TargetMode="External"/>'
            b'<Relationship Id="r2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            b'relationships/attachedTemplate" Target="http://e.org/t.dotm" '
            b'TargetMode="External"/></Relationships>')
    docx = _zip({"word/_rels/document.xml.rels": rels,
                 "word/document.xml": b'<w:document><w:instrText> INCLUDETEXT "x" </w:instrText>'
                                      b"</w:document>"})
    found = inert.scan_docx(docx)
    assert any("javascript" in p for p in found) and any("attachedTemplate" in p for p in found) \
        and any("INCLUDETEXT" in p for p in found), found


def test_the_wall_passes_every_output_of_the_real_briefing(built_real: Path) -> None:
    """No final output carries a PDF action other than internal links and http(s)/mailto
    URIs, nor anything else the wall refuses; and the PDFs do have links to check."""
    outputs = sorted((built_real / "build").glob("briefing*"))
    scanned = [p for p in outputs if p.suffix in inert.SCANNERS]
    assert {p.suffix for p in scanned} == {".pdf", ".epub", ".docx", ".html"}
    for path in scanned:
        assert inert.SCANNERS[path.suffix](path.read_bytes()) == [], path.name
    with pikepdf.open(built_real / "build" / "briefing.pdf") as pdf:
        kinds = {str(a.A.S) for page in pdf.pages for a in page.get("/Annots", [])
                 if "/A" in a}
    assert kinds == {"/URI"} or kinds <= {"/URI", "/GoTo"}, kinds


# --- the key ------------------------------------------------------------------------

def _fresh_key(monkeypatch: pytest.MonkeyPatch, base: Path) -> bytes:
    monkeypatch.setenv("XDG_CACHE_HOME", str(base))
    trust.key.cache_clear()
    try:
        return trust.key()
    finally:
        trust.key.cache_clear()


def test_the_key_is_made_once_private_and_kept(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    first = _fresh_key(monkeypatch, tmp_path)
    path = tmp_path / "briefing" / "key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert path.read_bytes() == first and len(first) == 32
    assert _fresh_key(monkeypatch, tmp_path) == first
    assert [p.name for p in path.parent.iterdir()] == ["key"]  # no temporary left


@pytest.mark.parametrize("spoil", ["group-readable", "link", "short"])
def test_a_key_that_is_not_ours_alone_is_never_used(tmp_path: Path, spoil: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "briefing"
    folder.mkdir(mode=0o700)
    planted = b"k" * 32
    if spoil == "group-readable":
        (folder / "key").write_bytes(planted)
        (folder / "key").chmod(0o640)
    elif spoil == "link":
        (tmp_path / "elsewhere").write_bytes(planted)
        (tmp_path / "elsewhere").chmod(0o600)
        (folder / "key").symlink_to(tmp_path / "elsewhere")
    else:
        (folder / "key").write_bytes(b"k" * 16)
        (folder / "key").chmod(0o600)
    one, two = _fresh_key(monkeypatch, tmp_path), _fresh_key(monkeypatch, tmp_path)
    assert planted not in (one, two) and one != two  # each process a key of its own
    assert len(one) == 32


def test_builds_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    import subprocess

    code = ("from briefing.runtime import trust; import sys; "
            "sys.stdout.write(trust.key().hex())")
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path))
    runs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=env)
            for _ in range(6)]
    keys = {run.communicate(timeout=60)[0] for run in runs}
    assert len(keys) == 1 and (tmp_path / "briefing" / "key").read_bytes().hex() == \
        keys.pop().decode()
