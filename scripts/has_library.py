"""Exit 0 if a shared library can be loaded (`python scripts/has_library.py pango-1.0`).

The Makefile uses it where apt-get and ldconfig are missing (macOS, other Linux): loading
the library is the question WeasyPrint will ask, whatever installed it.
"""

import ctypes
import ctypes.util
import sys

name = sys.argv[1]
found = ctypes.util.find_library(name)
candidates = [found] if found else [f"lib{name}.so.0", f"lib{name}.0.dylib", f"lib{name}.dylib"]
for candidate in candidates:
    try:
        ctypes.CDLL(candidate)
    except OSError:
        continue
    sys.exit(0)
sys.exit(1)
