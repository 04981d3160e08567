"""briefing: structured arguments and a bibliography in, a cited briefing (PDF, EPUB) out."""

__version__ = "0.1.0"
