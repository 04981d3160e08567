"""Nothing leaves the project: files outside it and URLs never reach an output.

A secret is planted next to (outside) the project; chapters try to pull it in as an
image, a link, a raw HTML attachment and through a symlink, and try http URLs while a
listener on 127.0.0.1 waits for a connection that must never come.
"""

from __future__ import annotations

import contextlib
import zipfile
from pathlib import Path

import pikepdf
import pytest

from conftest import digests, run_cli

SECRET = "TOP-SECRET-7f3a9c"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(SECRET + "\n")
    return path


def _all_output_bytes(build: Path) -> bytes:
    data = b""
    for path in build.rglob("*"):
        if path.is_file():
            data += path.read_bytes()
            if path.suffix == ".epub":
                # A scratch file in .work may be cut short: a failed build stops the EPUB run.
                with contextlib.suppress(zipfile.BadZipFile), zipfile.ZipFile(path) as epub:
                    data += b"".join(epub.read(n) for n in epub.namelist())
    return data


def _attempts(secret: Path, port: int, project: Path) -> dict[str, str]:
    (project / "chapters" / "leak.txt").symlink_to(secret)
    return {
        "image_absolute_path": f"![x]({secret})",
        "image_file_url": f"![x](file://{secret})",
        "image_dotdot": f"![x](../{secret.name})",
        "image_symlink_inside_project": "![x](chapters/leak.txt)",
        "image_http": f"![x](http://127.0.0.1:{port}/img.png)",
        "raw_html_img_https": f'<img src="https://127.0.0.1:{port}/a.png" alt="x">',
        "raw_html_attachment": f'<link rel="attachment" href="{secret}">',
        "raw_html_iframe": f'<iframe src="file://{secret}"></iframe>',
        "raw_html_object": f'<object data="{secret}"></object>',
        "css_url_import": f'<style>@import url("http://127.0.0.1:{port}/x.css");</style>',
    }


ATTEMPTS = ["image_absolute_path", "image_file_url", "image_dotdot",
            "image_symlink_inside_project", "image_http", "raw_html_img_https",
            "raw_html_attachment", "raw_html_iframe", "raw_html_object", "css_url_import"]


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_outside_files_and_urls_never_reach_outputs(minimal, secret, listener, attempt):
    port, hits = listener
    before = digests(minimal / "build")
    snippet = _attempts(secret, port, minimal)[attempt]
    chapter = minimal / "chapters" / "01-overview.md.j2"
    chapter.write_text(chapter.read_text("utf-8") + f"\n\n{snippet}\n\n", "utf-8")

    result = run_cli(minimal, "build")

    assert "Traceback" not in result.err
    assert SECRET.encode() not in _all_output_bytes(minimal / "build")
    assert hits == [], "briefing connected to the network"
    if result.code != 0:
        # A refusal is an error naming the chapter, and the old outputs stay.
        assert "chapters/01-overview.md.j2" in result.err, result.err
        assert digests(minimal / "build") == before


def test_link_to_a_local_file_is_refused_at_its_line(minimal, secret):
    """A file: link could never open for a reader, and it names a path on the author's disk."""
    chapter = minimal / "chapters" / "01-overview.md.j2"
    text = chapter.read_text("utf-8") + f"\n\nSee [the file](file://{secret}).\n"
    chapter.write_text(text)
    before = digests(minimal / "build")
    result = run_cli(minimal, "build")
    line = text.count("\n", 0, text.index("See [the file]")) + 1
    assert result.code == 1
    assert f"chapters/01-overview.md.j2:{line}: error: link to a file: URL" in result.err
    assert SECRET.encode() not in _all_output_bytes(minimal / "build")
    assert digests(minimal / "build") == before


def test_image_outside_project_is_refused_with_chapter_and_line(minimal, secret):
    chapter = minimal / "chapters" / "01-overview.md.j2"
    text = chapter.read_text("utf-8") + f"\n![x]({secret})\n"
    chapter.write_text(text, "utf-8")
    result = run_cli(minimal, "build", "--format", "pdf")
    line = text.count("\n", 0, text.index("![x]")) + 1
    assert result.code == 1
    assert f"chapters/01-overview.md.j2:{line}: error: refused to load" in result.err, result.err


def test_image_inside_project_reaches_both_outputs(minimal):
    figure = minimal / "figures" / "dot.svg"
    figure.parent.mkdir()
    figure.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
                      '<circle cx="20" cy="20" r="15" fill="#0072b2"/></svg>\n')
    chapter = minimal / "chapters" / "01-overview.md.j2"
    chapter.write_text(chapter.read_text("utf-8") + "\n![A blue dot](figures/dot.svg)\n")
    result = run_cli(minimal, "build")
    assert result.code == 0, result.err
    with zipfile.ZipFile(minimal / "build" / "briefing.epub") as epub:
        media = [n for n in epub.namelist() if n.startswith("EPUB/media/")]
        assert media and b"#0072b2" in epub.read(media[0])
    with pikepdf.open(minimal / "build" / "briefing.pdf") as pdf:
        assert any("/XObject" in page.obj.get("/Resources", {}) for page in pdf.pages)
