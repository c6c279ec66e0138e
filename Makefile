# Two commands a newcomer needs: `make bench` (run the benchmarks) and `make test`.
# Both create .venv and install what they need; nothing else is required but python3.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
EXTRAS ?= all,test
STAMP  := $(VENV)/.installed-$(subst $(comma),-,$(EXTRAS))
comma  := ,

.PHONY: venv test lint bench compare clean

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[$(EXTRAS)]"
	touch $@

test: venv  ## run the test suite (and the linter)
	$(BIN)/ruff check accelpi tests
	$(BIN)/python -m pytest

lint: venv
	$(BIN)/ruff check .

compare: venv  ## time every available backend side by side
	$(BIN)/accelpi compare

bench: compare

clean:
	rm -rf $(VENV) .asv html
