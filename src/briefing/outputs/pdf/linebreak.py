"""A fix for a WeasyPrint 70 line-breaking fault, installed in the PDF worker (worker.py).

WeasyPrint fits a text run into a line with `split_first_line`. A run that ends in a space
and is followed by an inline element (a link, a citation, a name's span) is measured with
that space: when the words fit and only the trailing space does not, WeasyPrint takes the
run for unbreakable where it is, keeps only its first word on the line and moves the rest
to the next ("...confusion of Sesame / Credit / with the state system.", "overheids- /
sys- / teem"). CSS lets a trailing space hang past the line's end, and WeasyPrint's own
caller allows for it (it subtracts the trailing space before it calls a line too wide), so
here a run whose words fit is measured as fitting. The minimal HTML that shows the fault
is in docs/weasyprint-notes.md; tests/test_typography.py checks the fix.
"""

from __future__ import annotations

import math

RATIO = 4  # WeasyPrint's own bound: a character is at least a quarter of the font size wide


def install() -> None:
    """Wrap the `split_first_line` that WeasyPrint's inline layout calls (once per process)."""
    from weasyprint.layout import inline

    if getattr(inline.split_first_line, "briefing_fixed", False):
        return
    inline.split_first_line = fixed(inline.split_first_line)


def fixed(original):
    """`split_first_line` (WeasyPrint's `original`) with the trailing spaces of a run hanging."""
    def split_first_line(text, style, context, max_width, justification_spacing,
                         is_line_start=True, minimum=False):
        found = original(text, style, context, max_width, justification_spacing,
                         is_line_start=is_line_start, minimum=minimum)
        words = text.rstrip(" ")
        if (found[2] is None or words == text or not words or max_width is None
                or math.isinf(max_width) or style["white_space"] != "normal"
                # a run that cannot fit (each character at least a quarter em) is not measured
                or len(words) * style["font_size"] > max_width * RATIO):
            return found
        alone = original(words, style, context, max_width, justification_spacing,
                         is_line_start=is_line_start, minimum=minimum)
        if alone[2] is not None or alone[3] > max_width:
            return found  # the words themselves do not fit: WeasyPrint's break stands
        # The words fit; the run's trailing spaces hang past the end of the line.
        return original(text, style, context, math.inf, justification_spacing,
                        is_line_start=is_line_start, minimum=minimum)

    split_first_line.briefing_fixed = True  # type: ignore[attr-defined]
    return split_first_line
