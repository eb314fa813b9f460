# The two commands: `make run` and `make test`. Everything else supports them.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi

.PHONY: run test test-postgres lint fmt bench venv translations chromium clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@$(PY) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	@touch $@

venv: $(BIN)/.installed

translations: venv
	@$(BIN)/pybabel -q compile -d translations -D "messages wtforms"

# Serve the embedded SQLite default with demo data on http://127.0.0.1:5000
run: venv translations
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask run --host 127.0.0.1 --port 5000

# The whole suite (SQLite by default; TEST_DATABASE_URL=postgresql://... for PostgreSQL)
test: venv translations chromium
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-postgres:
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(MAKE) test

# Browser tests drive Debian's chromium; install it when missing (needs root), fail loudly otherwise.
chromium:
	@command -v chromium >/dev/null 2>&1 || bash scripts/install-system-packages.sh chromium

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every benchmark on SQLite and on the local PostgreSQL (database lms_bench, recreated by the run);
# BENCH_DATABASE_URL= (empty) for SQLite only; `make bench BENCH=pages` for one suite.
BENCH_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/lms_bench
bench: venv translations
	@command -v wrk >/dev/null 2>&1 || bash scripts/install-system-packages.sh wrk
	@if [ -n "$(BENCH_DATABASE_URL)" ]; then createdb -h 127.0.0.1 -U postgres lms_bench 2>/dev/null || true; fi
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench $(BENCH)

clean:
	rm -rf $(VENV) instance/*.sqlite3* .pytest_cache
