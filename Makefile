# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test bench clean

setup: $(STAMP)

# Reinstall only when the dependency declarations change; `make setup` is idempotent.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

demo: setup
	$(BIN)/approxlab atlas --profile quick --out atlas/
	@echo "atlas written: $(CURDIR)/atlas/index.html"

test: setup
	$(BIN)/python -m pytest -n 2 -q

clean:
	rm -rf $(VENV) atlas run build src/*.egg-info .pytest_cache

# Debian's Chromium for the atlas page test (Playwright drives it; no browser download).
chromium:
	test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)
