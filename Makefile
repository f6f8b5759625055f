# Quick start: `make run` serves the portal on http://127.0.0.1:8000 with demo accounts (and the sandbox identity
# provider on :8001); `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
export VENV

.PHONY: run test test-integration lint install messages clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) scripts/check_system.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

install: $(VENV)/.installed

run: install
	mkdir -p var/celery/queue var/celery/control var/media var/idp
	$(MANAGE) migrate --noinput
	$(MANAGE) translog_keygen --if-missing
	$(MANAGE) sealing_keygen --if-missing
	$(MANAGE) seed_demo
	scripts/run-local.sh

test: install
	$(BIN)/pytest -m "not integration and not browser"

# Needs the servers from scripts/services/install.sh (PostgreSQL, Redis, Ceph radosgw).
test-integration: install
	scripts/test-integration.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/bandit -q -r justice evidence filings hearings idp --severity-level high
	DJANGO_SETTINGS_MODULE=justice.settings.test DATABASE_URL=sqlite:///:memory: $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python scripts/check_messages.py

# Refresh the French catalogue after changing strings (needs gettext), then compile it.
messages: install
	$(MANAGE) makemessages --locale fr --no-obsolete --ignore '$(VENV)/*' --ignore 'tests/*' --ignore 'var/*'
	$(MANAGE) compilemessages --locale fr --ignore '$(VENV)/*'

clean:
	rm -rf $(VENV) var
