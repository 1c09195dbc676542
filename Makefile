# Two commands for a newcomer: `make run` and `make test`. Both create or
# update .venv first; the install step is skipped while pyproject.toml is
# unchanged, so the second run starts at once.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test screenshots bench serve clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "computetui needs Python 3.11 or newer (found %s)" % sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing computetui and its test tools into $(VENV) ..."
	@$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	@$(VENV)/bin/computetui $(ARGS)

serve: $(STAMP)
	@$(VENV)/bin/computetui serve $(ARGS)

test: $(STAMP)
	@$(PY) -m pytest $(PYTEST_ARGS)

screenshots: $(STAMP)
	@$(PY) tools/screenshots.py

bench: $(STAMP)
	@$(PY) bench/startup.py
	@$(PY) bench/table.py
	@$(PY) bench/ecs_tasks.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
