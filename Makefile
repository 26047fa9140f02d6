# Two entry points: `make run` and `make test`. Each creates .venv itself.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: run test lint clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(STAMP_TEST): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] || [ "$$(uname)" = Darwin ]; then \
		$(VENV)/bin/tierwall-tray; \
	else \
		echo "No display found, so the tray app cannot start here. Scan text from the terminal:"; \
		echo; $(VENV)/bin/tierwall scan --help; \
	fi

test: $(STAMP_TEST)
	$(VENV)/bin/ruff check engine app tests packaging
	$(PY) -m pytest -q

lint: $(STAMP_TEST)
	$(VENV)/bin/ruff check engine app tests packaging

clean:
	rm -rf $(VENV) build *.egg-info
