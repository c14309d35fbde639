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
	@$(PY) -m tray_app.diagnostics.platform_check
	$(VENV)/bin/token-tray

# The tray with a built-in demo token server: nothing is saved, no credentials needed.
demo: $(STAMP)
	@$(PY) -m tray_app.diagnostics.platform_check
	$(VENV)/bin/token-tray --demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# The certified OpenID provider the client-authentication tests run (npm oidc-provider).
OIDC_DIR := tests/support/oidc_provider
$(OIDC_DIR)/node_modules/.installed: $(OIDC_DIR)/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix $(OIDC_DIR) --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the OpenID provider tests will skip (Debian/Ubuntu: sudo apt-get install npm)"; fi

pytest: $(STAMP) $(OIDC_DIR)/node_modules/.installed
	$(VENV)/bin/pytest

test: lint typecheck pytest

# Benchmarks print ratios against their targets; they never fail on timings. All eight run (about
# 18 minutes: freshness alone takes 10, stress 3), each in its own private folders (the first seven
# also with their own keyring, Xvfb and tray host; stress runs offscreen); a table follows. One
# that crashes is listed as "did not run" and the others still run.
BENCH_TOOLS   := Xvfb trayer xdotool xclip dbus-daemon gnome-keyring-daemon
BENCH_RESULTS := $(VENV)/bench-results.jsonl
bench: $(STAMP)
	@for tool in $(BENCH_TOOLS); do command -v $$tool >/dev/null || { echo "make bench needs $$tool. On Debian/Ubuntu: sudo apt-get install xvfb trayer xdotool xclip dbus gnome-keyring"; exit 1; }; done
	@rm -f $(BENCH_RESULTS)
	-TOKEN_TRAY_BENCH_RESULTS=$(BENCH_RESULTS) $(PY) bench/launch.py
	-TOKEN_TRAY_BENCH_RESULTS=$(BENCH_RESULTS) $(PY) bench/memory.py
	-TOKEN_TRAY_BENCH_RESULTS=$(BENCH_RESULTS) $(PY) bench/token_cli.py
	-TOKEN_TRAY_BENCH_RESULTS=$(BENCH_RESULTS) $(PY) bench/copy_action.py
	-TOKEN_TRAY_BENCH_RESULTS=$(BENCH_RESULTS) $(PY) bench/idle_cpu.py
	-TOKEN_TRAY_BENCH_RESULTS=$(BENCH_RESULTS) $(PY) bench/many_profiles.py
	-TOKEN_TRAY_BENCH_RESULTS=$(BENCH_RESULTS) $(PY) bench/freshness.py
	-TOKEN_TRAY_BENCH_RESULTS=$(BENCH_RESULTS) $(PY) bench/wayland_clipboard.py
	-TOKEN_TRAY_BENCH_RESULTS=$(BENCH_RESULTS) $(PY) bench/stress.py
	@$(PY) bench/summary.py $(BENCH_RESULTS)

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
