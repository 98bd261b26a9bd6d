# The two commands of the README: `make run` and `make test`. Each sets itself up on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run test lint stress bench bench-quick screenshot browser clean

# A stamp per extra, so that a changed setup.cfg reinstalls and an unchanged one costs nothing.
$(VENV)/.installed: setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# The test suite runs the benchmark's --quick mode (so it never rots), which draws a plot: test needs bench too.
$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

## Index seeds/ and serve the web app on http://$(HOST):$(PORT)
run: $(VENV)/.installed
	$(BIN)/search --articles seeds --index index index
	$(BIN)/search --articles seeds --index index serve --host $(HOST) --port $(PORT)

## Lint (ruff: pyflakes, bugbear, complexity; settings in pyproject.toml), then the whole test suite (browser
## tests run when /usr/bin/chromium is installed)
test: $(VENV)/.installed-test
	$(BIN)/ruff check --quiet .
	$(BIN)/python -m pytest -q

## The lint gate alone (the first step of `make test`)
lint: $(VENV)/.installed-test
	$(BIN)/ruff check --quiet .

## The long reliability runs (kills, load, fuzzing); the figures of one run are recorded in stress/RESULTS.md
stress: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -m slow tests

## Benchmarks against SQLite FTS5 and naive Whoosh on ../shared/corpora
bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

bench-quick: $(VENV)/.installed-test
	$(BIN)/python -m bench --quick

## docs/screenshot.png from the real app in headless Chromium
screenshot: $(VENV)/.installed-test
	$(BIN)/python -m web.screenshot docs/screenshot.png

## Install Debian's Chromium for the browser tests (needs root). Quiet: apt's output is shown only if it fails.
browser:
	@if test -x /usr/bin/chromium; then echo "Chromium is installed: /usr/bin/chromium"; else \
	  log=$$(mktemp) && \
	  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >$$log 2>&1; \
	  then rm -f $$log; echo "Installed $$(/usr/bin/chromium --version 2>/dev/null || echo chromium)"; \
	  else cat $$log; rm -f $$log; echo "make browser: installing chromium failed (see above)" >&2; exit 1; fi; \
	fi

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
