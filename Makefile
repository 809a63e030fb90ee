# Two commands do all set-up on a fresh machine:  make run  |  make test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# Pins applied on install (torch: this machine's CPU wheel). `make install CONSTRAINTS=` lifts them (GPU).
CONSTRAINTS ?= constraints.txt
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml $(CONSTRAINTS) | cksum | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 7860
WORKERS ?= 2

.PHONY: run room test test-quick lint install browser nginx bench readme clean notebooks-strip plotly-bundle

$(STAMP): pyproject.toml $(CONSTRAINTS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(if $(CONSTRAINTS),-c $(CONSTRAINTS)) -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# Debian's chromium drives the browser tests (Playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else sudo -n apt-get update -qq && sudo -n apt-get install -y -qq chromium chromium-driver >/dev/null; fi; } \
	  || echo "warning: could not install chromium; browser tests will be skipped"

# Debian's nginx serves a room from several app processes (`make room`; tests/app/test_room_serving.py).
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null; \
	  else sudo -n apt-get update -qq && sudo -n apt-get install -y -qq nginx-light >/dev/null; fi; } \
	  || echo "warning: could not install nginx; make room cannot start and its serving test will be skipped"

run: install
	$(PY) app.py --host $(HOST) --port $(PORT)

# A room bigger than one process: WORKERS app processes on PORT+1.. behind nginx on HOST:PORT, each student's
# address sticking to one worker (docs/classroom.md, "Serving a bigger room"). Ctrl-C stops them all.
room: install nginx
	$(PY) -m diffusion_core.serving.room --workers $(WORKERS) --host $(HOST) --port $(PORT)

# Everything: lint, then every test (tests/core, app, cli, browser, docs; slow and browser tiers included).
test: install browser nginx lint
	$(PY) -m pytest

# The quick loop while editing: everything but the tests marked slow (training, long Monte Carlo) and the browser.
test-quick: install
	$(PY) -m pytest -m "not slow and not browser"

# ruff (rules and formatting) and mypy on the public API; all configured in pyproject.toml.
lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

# Notebooks are committed without outputs (tests/docs/test_notebooks.py checks it).
notebooks-strip:
	$(PY) tests/docs/test_notebooks.py --strip

bench: install
	$(PY) -m diffusion_core bench latency --json

# Every generated page (README blocks, docs/cli.md, docs/api.md, docs/benchmarks.md, ...) from benchmarks/*.json,
# the CLI's parser and the public API (diffusion_core/reports/pages.py; tests/test_docs_generated.py checks them)
readme: install
	$(PY) -m diffusion_core.cli.docs

# The page draws figures with plotly.js's cartesian bundle, a copy of which the package ships (nothing is fetched at
# run time): this fetches that copy again from the npm registry, at the version diffusion_core/app/widgets/plot.py
# names (tests/app/test_plot_bundle.py checks its version and sha256). Needs npm; run by hand, never by make run.
plotly-bundle: install
	v=$$($(PY) -c "from diffusion_core.app.widgets.plot import PLOTLY_VERSION as v; print(v)") && \
	d=$$(mktemp -d) && (cd $$d && npm pack -q plotly.js-cartesian-dist-min@$$v && tar xzf *.tgz) && \
	cp $$d/package/plotly-cartesian.min.js diffusion_core/app/widgets/static/plotly-cartesian-$$v.min.js && \
	cp $$d/package/LICENSE diffusion_core/app/widgets/static/plotly-LICENSE && rm -rf $$d

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
