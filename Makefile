# Two commands for a newcomer: `make run` and `make test`. Both create or
# update .venv first, installing exactly what the locks in requirements/ say
# (every package pinned, with its hashes); the second run starts at once.
#
#   requirements/build.lock   pip, setuptools, wheel: what installs computetui itself
#   requirements/app.lock     the console's packages (make run)
#   requirements/test.lock    the same, plus the test tools (make test)
#
# `make lock` remakes the locks from pyproject.toml's ranges. A changed lock
# rebuilds .venv from nothing, so nothing the lock no longer names stays.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --quiet --disable-pip-version-check
LOCKS  := requirements/build.lock requirements/app.lock requirements/test.lock
UV_VERSION := 0.13.9
LOCK_ARGS  := --universal --python-version 3.11 --generate-hashes --quiet

.PHONY: run test lock lint-imports screenshots bench serve clean

# The venv itself, remade whenever a lock changes.
$(VENV)/.locked: $(LOCKS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "computetui needs Python 3.11 or newer (found %s)" % sys.version.split()[0])'
	@rm -rf $(VENV)
	@$(PYTHON) -m venv $(VENV)
	@echo "Installing the locked build tools into $(VENV) ..."
	@$(PIP) install --require-hashes --no-deps -r requirements/build.lock
	@touch $@

# The console's packages, then computetui itself (editable, built with the locked setuptools).
# setuptools reports every editable install with a warning about same-named folders in the
# working directory, which asks nothing of the user: it is filtered out, and only that one.
$(VENV)/.app: $(VENV)/.locked pyproject.toml
	@echo "Installing computetui and its locked packages into $(VENV) ..."
	@$(PIP) install --require-hashes --no-deps -r requirements/app.lock
	@PYTHONWARNINGS="ignore:Editable installation" $(PIP) install --no-deps --no-build-isolation -e .
	@touch $@

$(VENV)/.test: $(VENV)/.app
	@echo "Installing the locked test tools into $(VENV) ..."
	@$(PIP) install --require-hashes --no-deps -r requirements/test.lock
	@touch $@

run: $(VENV)/.app
	@$(VENV)/bin/computetui $(ARGS)

serve: $(VENV)/.app
	@$(VENV)/bin/computetui serve $(ARGS)

# The suite runs in $(WORKERS) processes (pytest-xdist: Docker tests mostly wait on the engine,
# so more workers than cores pay), then the few tests marked `alone`, which measure CPU use,
# one at a time. PYTEST_ARGS goes to both (a path, -k, -x ...); exit 5 is "none selected".
WORKERS ?= 4
test: $(VENV)/.test
	@$(VENV)/bin/lint-imports --no-cache
	@$(PY) -m pytest -n $(WORKERS) -m "not alone" $(PYTEST_ARGS)
	@$(PY) -m pytest -m alone $(PYTEST_ARGS) || [ $$? -eq 5 ]

lint-imports: $(VENV)/.test
	@$(VENV)/bin/lint-imports --no-cache

lock:
	@test -x .venv-lock/bin/uv || { $(PYTHON) -m venv .venv-lock && .venv-lock/bin/pip install --quiet uv==$(UV_VERSION); }
	.venv-lock/bin/uv pip compile requirements/build.in $(LOCK_ARGS) -o requirements/build.lock
	.venv-lock/bin/uv pip compile pyproject.toml $(LOCK_ARGS) -c requirements/build.lock -o requirements/app.lock
	.venv-lock/bin/uv pip compile pyproject.toml --extra test $(LOCK_ARGS) -c requirements/build.lock -c requirements/app.lock -o requirements/test.lock

screenshots: $(VENV)/.test
	@$(PY) tools/screenshots.py

bench: $(VENV)/.test
	@$(PY) bench/startup.py
	@$(PY) bench/table.py
	@$(PY) bench/ecs_tasks.py
	@$(PY) bench/batch_jobs_view.py

clean:
	rm -rf $(VENV) .venv-lock .pytest_cache build *.egg-info
