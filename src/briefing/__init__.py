"""briefing: structured arguments and a bibliography in, a cited briefing (PDF, EPUB) out.

The package follows the data (see README "The engine"): `model/` reads and checks the
inputs, `compose/` turns them into one Pandoc Markdown document per edition, `outputs/`
makes every file a reader gets, `runtime/` makes a run safe and fast without knowing any
stage, and `recipe.py` names the steps. The engine's own data lives beside the code:
"""

from pathlib import Path

__version__ = "0.1.0"

ENGINE_DIR = Path(__file__).resolve().parent       # the engine (its digest keys the cache)
TEMPLATES = ENGINE_DIR / "templates"               # CSS, Lua filters, fonts, page template
LOCALE = ENGINE_DIR / "locale"                     # the engine's own words, per language
