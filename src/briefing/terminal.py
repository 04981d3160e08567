"""Text from the inputs, made safe to print on a terminal.

A file name, a YAML text or a release record may hold characters a terminal obeys
rather than shows: C0 and C1 controls (ESC and U+009B start escape sequences that move
the cursor, erase lines, hide text or write the clipboard with OSC 52; CR returns to the
start of a line to forge one), DEL, the Unicode bidi controls ("Trojan source":
U+202A-U+202E, U+2066-U+2069, U+200E/F, U+061C reorder what is shown), the other
invisible format characters (zero-width spaces, tag characters), line and paragraph
separators, and lone surrogates (a file name that is not UTF-8, which would make the
print itself fail). Each is printed as its escape (`\\x1b`, `\\u202e`), so it can be seen
and never acts. Only a newline that the printed text's own format puts there is kept.
"""

from __future__ import annotations

import unicodedata

# Categories a terminal does not simply draw: controls (Cc), format characters (Cf),
# surrogates (Cs, from file names that are not UTF-8), line and paragraph separators.
UNSAFE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# The joiners spell words in Arabic, Persian and Indic scripts (and join emoji): they
# change how letters join, never the order or the line, so they stay as they are.
KEPT = frozenset({"\u200c", "\u200d"})


def unsafe(char: str) -> bool:
    return char not in KEPT and unicodedata.category(char) in UNSAFE


NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}  # as Python writes them


def _escape(char: str) -> str:
    code = ord(char)
    if char in NAMED:
        return NAMED[char]
    return (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000
            else f"\\U{code:08x}")


def safe(text: str, lines: bool = False) -> str:
    """`text` with every character a terminal would obey escaped; with `lines`, newlines
    stay (for text that is several lines by design: a report, a citation, JSON)."""
    if text.isprintable():  # nearly always: nothing to look at character by character
        return text
    return "".join(_escape(char) if unsafe(char) and not (lines and char == "\n") else char
                   for char in text)


def safe_json(text: str) -> str:
    """JSON text (from json.dumps) with the same characters written as JSON escapes
    (`\\u001b`), so it stays valid JSON that means the same; they can only stand inside
    its strings."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char == "\n" or not unsafe(char):
            out.append(char)
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:  # as a surrogate pair, as JSON writes a character beyond the BMP
            code = ord(char) - 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
    return "".join(out)
