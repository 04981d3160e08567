"""The PDF: WeasyPrint in worker processes, chapter by chapter, joined into one tagged
book (PDF/UA)."""
