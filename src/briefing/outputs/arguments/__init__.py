"""The argument base as files other tools read (issue 35), one edition each.

base.py makes our own lossless JSON (briefing-arguments, with its JSON Schema from the
pydantic models); every other format is derived from that JSON alone (derived.py: AIF,
xAIF, Argdown, GraphML, JSON-LD with schema.org Claim, W3C Web Annotations), so what one
says the others cannot contradict. output.py makes each an Output of the format registry
(model/formats.py); `briefing export` writes one on its own.
"""
