"""DOCX for policy staff who paste into Word: Pandoc writes it, we give it our look.

Pandoc's sandbox keeps it from reading a --reference-doc's images and its clock, so we
restyle the finished document instead: the briefing's heading colour and fonts go into
the styles and theme, and the dates that the sandbox leaves at 1970 are set properly.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from .epub import rewrite_zip

HEADING_COLOUR = (b"0F4761", b"1D2F4A")  # Pandoc's default -> our print headings
FONTS = {b"Aptos Display": b"Noto Sans", b"Aptos": b"Noto Serif"}
# Pandoc copies all metadata into custom properties, including the absolute paths of
# --bibliography and --csl: drop those, so the file neither leaks nor depends on them.
PATH_PROPS_RE = re.compile(rb'<property [^>]*name="(?:bibliography|csl)"[^>]*>.*?</property>')
DATE_RE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def finish(raw: Path, epoch: int) -> bytes:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch)).encode()

    def styles(data: bytes) -> bytes:
        return data.replace(b'w:val="' + HEADING_COLOUR[0] + b'"',
                            b'w:val="' + HEADING_COLOUR[1] + b'"')

    def theme(data: bytes) -> bytes:
        for old, new in FONTS.items():
            data = data.replace(b'typeface="' + old + b'"', b'typeface="' + new + b'"')
        return data

    def core(data: bytes) -> bytes:
        return DATE_RE.sub(lambda m: m.group(1) + stamp + m.group(2), data)

    def custom(data: bytes) -> bytes:
        return PATH_PROPS_RE.sub(b"", data)

    return rewrite_zip(raw, epoch, {"word/styles.xml": styles, "word/theme/theme1.xml": theme,
                                    "docProps/core.xml": core, "docProps/custom.xml": custom})
