"""Images a chapter shows: what their name says, decodable, bounded, and an SVG inert."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from briefing import files
from briefing.errors import BriefingError
from briefing.model import images


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, "PNG")
    return out.getvalue()


def check(tmp_path: Path, name: str, data: bytes, megapixels: float = 40) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    images.check(path, files.Inputs(tmp_path, 16 * files.MIB, "limits.image_mib"), megapixels)


def refusal(tmp_path: Path, name: str, data: bytes, megapixels: float = 40) -> str:
    with pytest.raises(BriefingError) as caught:
        check(tmp_path, name, data, megapixels)
    (problem,) = caught.value.problems
    assert problem.path == tmp_path / name
    return problem.message


def test_an_image_is_told_by_its_first_bytes_not_its_name(tmp_path: Path):
    check(tmp_path, "good.png", png(4, 3))  # a real PNG passes
    assert refusal(tmp_path, "notes.png", b"just some text\n") == (
        "not a PNG image: its content is no image")
    assert refusal(tmp_path, "photo.jpg", png(4, 3)) == "not a JPEG image: its content is PNG"
    assert refusal(tmp_path, "slides.pdf", b"%PDF-1.7\n").startswith(
        ".pdf is not an image type")


def test_a_cut_short_image_and_one_too_large_are_refused(tmp_path: Path):
    data = png(40, 40)
    assert refusal(tmp_path, "cut.png", data[:len(data) // 2]).startswith(
        "image cannot be decoded")
    # 2,000 × 1,000 pixels, read from the header, against a bound of 1 megapixel.
    assert refusal(tmp_path, "big.png", png(2000, 1000), megapixels=1).startswith(
        "image of 2,000 × 1,000 pixels (2 megapixels) passes limits.image_megapixels (1)")


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">{}</svg>'


@pytest.mark.parametrize(("body", "message"), [
    ("<script>alert(1)</script>", "SVG with a <script> element"),
    ('<rect width="5" height="5" onclick="alert(1)"/>', "SVG with an event handler (onclick)"),
    ('<image xmlns:x="http://www.w3.org/1999/xlink" x:href="https://example.org/a.png"/>',
     "SVG that refers to 'https://example.org/a.png'"),
], ids=["script", "handler", "external-image"])
def test_an_svg_that_runs_or_loads_anything_is_refused(tmp_path: Path, body, message):
    check(tmp_path, "plain.svg", SVG.format('<rect width="5" height="5" fill="#123"/>').encode())
    assert refusal(tmp_path, "active.svg", SVG.format(body).encode()) == message
