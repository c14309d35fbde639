# Every target bootstraps .venv itself, so a fresh clone needs only `make run` or `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run demo test lint typecheck pytest bench package clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Token Tray needs Python 3.11 or newer")'
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { echo "Python's venv module is missing. On Debian/Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	@$(PY) -m tray_app.platform_check
	$(VENV)/bin/token-tray

# The tray with a built-in demo token server: nothing is saved, no credentials needed.
demo: $(STAMP)
	@$(PY) -m tray_app.platform_check
	$(VENV)/bin/token-tray --demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP)
	$(VENV)/bin/pytest

test: lint typecheck pytest

# Benchmarks print ratios against their targets; they never fail on timings.
bench: $(STAMP)
	$(PY) bench/token_cli.py

# One-folder bundles of Token Tray and of the bare PySide6 tray (same options), their size ratio,
# build times and, on Linux, dist/token-tray-<version>-linux-<arch>.tar.gz (packaging/README.md).
# PACKAGE_ARGS=--app-only builds Token Tray alone.
PKG_STAMP := $(VENV)/.installed-package
$(PKG_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,package]'
	@touch $(PKG_STAMP)

package: $(PKG_STAMP)
	$(PY) packaging/build_bundle.py $(PACKAGE_ARGS)

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache
