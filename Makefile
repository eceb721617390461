# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test lint bench clean katex chromium

setup: $(STAMP)

# Reinstall only when the dependency declarations change; `make setup` is idempotent.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	# compile the regions kernels (numba) once here, so that no command or test pays it
	$(BIN)/python -c "from approxlab.regions.fastcut import compile_kernels; print(f'regions kernels compiled in {compile_kernels():.0f} s')"
	touch $(STAMP)

demo: setup
	$(BIN)/approxlab atlas --profile quick --out atlas/
	@echo "atlas written: $(CURDIR)/atlas/index.html"

test: setup
	$(BIN)/python -m pytest -n 2 -q

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

clean:
	rm -rf $(VENV) atlas run build src/*.egg-info .pytest_cache

# KaTeX for the atlas page, vendored from the npm registry into the package data so the
# page renders maths with the network blocked. Only the woff2 fonts are kept (every browser
# that runs plotly.js reads woff2), and the CSS is rewritten to name no other font file.
KATEX_VERSION := 0.19.1
KATEX_DIR     := src/approxlab/atlas/static/katex
katex:
	rm -rf build/katex && mkdir -p build/katex $(KATEX_DIR)/fonts
	cd build/katex && npm pack --silent katex@$(KATEX_VERSION) && tar xzf katex-$(KATEX_VERSION).tgz
	cp build/katex/package/dist/katex.min.js build/katex/package/LICENSE $(KATEX_DIR)/
	cp build/katex/package/dist/fonts/*.woff2 $(KATEX_DIR)/fonts/
	sed -E 's/,url\(fonts\/[A-Za-z0-9_-]+\.(woff|ttf)\) format\("(woff|truetype)"\)//g' \
		build/katex/package/dist/katex.min.css > $(KATEX_DIR)/katex.min.css
	echo "$(KATEX_VERSION)" > $(KATEX_DIR)/VERSION

# Debian's Chromium for the atlas page test (Playwright drives it; no browser download).
# Where it cannot be installed (no root, no apt) the browser tests skip and say why.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo -n)
chromium:
	@test -x /usr/bin/chromium || ($(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium) \
		|| echo "chromium could not be installed: the browser tests (atlas page, play) will skip"
