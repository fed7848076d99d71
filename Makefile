# The two commands a newcomer needs are `make demo` and `make test`; both set
# up .venv on their own from nothing but python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Only `build` (python -m build), for make wheel: a wheel needs no development environment.
BUILD_VENV := .venv-build
# The tested dependency set for this Python, when there is one (constraints/py311.txt, ...).
PYVER := $(shell $(PYTHON) -c 'import sys; print("%d%d" % sys.version_info[:2])')
CONSTRAINTS := $(wildcard constraints/py$(PYVER).txt)

.PHONY: help demo test check lint typecheck lint-workflows check-dist format docs bench soak wheel downstream lock clean

help:
	@echo "make demo   - set up and deploy to 12 simulated robots on the embedded emulator"
	@echo "make test   - set up and run every test"
	@echo "make check  - ruff (lint + format check), mypy --strict, actionlint, and the built sdist and wheel"
	@echo "make docs   - build the documentation (mkdocs build --strict)"
	@echo "make bench  - run the benchmarks side by side with raw aiobotocore"
	@echo "make soak   - the heavier reliability runs"
	@echo "make wheel  - build the sdist and the wheel into dist/ (python -m build; no development venv)"
	@echo "make downstream - the wheel installed alone in a fresh venv: contents, smoke test, downstream mypy"

$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(if $(CONSTRAINTS),-c $(CONSTRAINTS)) -e '.[dev]'
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/robomaker-deploy demo

# On every core (pytest-xdist): workers get the smallest batches (--maxschedchunk 1; two tests to
# start with, then one at a time), so the slow crash tests, collected first, spread over the
# workers instead of queueing on one.
test: $(STAMP)
	$(BIN)/python -m pytest -n auto --maxschedchunk 1

check: lint typecheck lint-workflows check-dist

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The release workflow cannot run here: actionlint checks its syntax, expressions, action inputs and
# (through shellcheck) its run: scripts.
lint-workflows: $(STAMP)
	$(BIN)/actionlint -no-color -shellcheck=$(BIN)/shellcheck

# What the release would upload, checked as PyPI and pip will read it: the wheel's layout
# (check-wheel-contents) and both artifacts' metadata and README rendering (twine check). Here rather
# than in make wheel, so that building stays free of the development tools.
check-dist: $(STAMP) wheel
	$(BIN)/check-wheel-contents dist/*.whl
	$(BIN)/twine check --strict dist/*

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

docs: $(STAMP)
	$(BIN)/mkdocs build --strict

bench: $(STAMP)
	$(BIN)/python -m bench --write-docs

soak: $(STAMP)
	$(BIN)/python -m pytest -m soak -o addopts=''

$(BUILD_VENV)/.installed:
	$(PYTHON) -m venv $(BUILD_VENV)
	$(BUILD_VENV)/bin/python -m pip install --quiet --disable-pip-version-check $(if $(CONSTRAINTS),-c $(CONSTRAINTS)) build
	@touch $@

# The sdist, then the wheel built from it (so a file the sdist forgets breaks the wheel), each in an
# isolated environment with only the build backend.
wheel: $(BUILD_VENV)/.installed
	rm -rf dist
	$(BUILD_VENV)/bin/python -m build --outdir dist .

# A user's install, not ours: see downstream/check (it makes its own venv, downstream/.venv).
downstream: wheel
	PYTHON=$(PYTHON) downstream/check dist/robomaker_deploy-*.whl $(CONSTRAINTS)

# Re-resolve the dependencies from pyproject.toml in a scratch venv and pin what came out.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip
	.venv-lock/bin/python -m pip install --quiet -e '.[dev]'
	mkdir -p constraints
	{ echo "# The versions 'make' installs on Python $(PYVER) (pip constraints), so every machine tests the same set."; \
	  echo "# Regenerate after changing dependencies: make lock PYTHON=$(PYTHON)"; \
	  .venv-lock/bin/python -m pip freeze --exclude-editable; } > constraints/py$(PYVER).txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) $(BUILD_VENV) downstream/.venv dist site .mypy_cache .ruff_cache .pytest_cache
