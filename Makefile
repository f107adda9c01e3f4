# Two commands do all the set-up on a fresh machine:
#   make run    create .venv, install, build seeds/ into output/
#   make test   create .venv if needed, install with test extras, install Debian's chromium if missing
#               (the browser tests drive it headless), run the tests
PYTHON   ?= python3
VENV     ?= .venv
BIN      := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test install chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/kg build seeds --out output

# The browser tests (tests/test_browser.py) drive Debian's chromium headless; playwright never downloads a
# browser. Installed with apt only when missing, as root directly or else through sudo if there is one,
# with a Chinese font so that the screenshots the tests keep (test-artifacts/) are readable.
# KG_SKIP_BROWSER=1 skips both the install and the browser tests.
BROWSER_PACKAGES := chromium fonts-wqy-zenhei

chromium:
	@if [ "$$KG_SKIP_BROWSER" = 1 ]; then exit 0; fi; \
	if [ -x "$(CHROMIUM)" ] && [ -n "$$(fc-list :lang=zh 2>/dev/null)" ]; then exit 0; fi; \
	echo "make: installing $(BROWSER_PACKAGES) with apt for the browser tests"; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; \
	elif command -v sudo >/dev/null 2>&1; then SUDO=sudo; \
	else echo "make: cannot install chromium: not root and no sudo. As root, run" \
	          "'apt-get update && apt-get install -y --no-install-recommends $(BROWSER_PACKAGES)'" \
	          "or set KG_SKIP_BROWSER=1 to skip the browser tests" >&2; exit 1; fi; \
	$$SUDO apt-get update && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y --no-install-recommends $(BROWSER_PACKAGES) || \
	{ echo "make: installing $(BROWSER_PACKAGES) with apt failed (KG_SKIP_BROWSER=1 skips the browser tests)" >&2; \
	  exit 1; }

test: install chromium
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) output/store output/cache output/reports output/graph.ttl output/graph.html output/index.html output/manifest.json test-artifacts
