# Two commands for a fresh machine: `make run` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
STAMP  := $(VENV)/.installed

.PHONY: run serve test install os-packages messages lint bench bench-transmission bench-customs bench-payouts bench-documents bench-passports bench-serve bench-scale bench-compare-env mutation clean

$(STAMP): requirements.lock requirements-mrz.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-mrz.lock
	@touch $@

install: $(STAMP) os-packages messages

# OS packages the app and its tests use, installed only when missing (needs root or sudo).
os-packages:
	@bash scripts/os-packages.sh

messages: $(STAMP)
	@DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv -v0

run: install
	@test -f .env || printf '# Local development settings, written by `make run` (not committed).\nDEBUG=true\n' > .env
	DEBUG=true $(BIN)/python manage.py migrate --noinput -v0
	DEBUG=true SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(BIN)/python manage.py demo_seed -v0
	@bash scripts/run.sh $(HOST) $(PORT)

serve: install
	@bash scripts/serve.sh

test: install
	DEBUG=true $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --check --quiet
	$(BIN)/python scripts/css_format.py --check
	$(BIN)/lint-imports
	DEBUG=true $(BIN)/mypy
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run -v0

bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/mrz_bench.py --count $(or $(MRZ_COUNT),100) $(if $(wildcard bench/.venv-compare),--compare,)
	$(BIN)/python bench/mrz_cases.py --count $(or $(CASES_COUNT),10)

# The passport reader: the synthetic levels, each kind of picture real documents bring
# (bench/mrz_cases.py) and the development set of real specimens (bench/mrz_dev.py, read in place
# from MRZ_DEV_DIR, default ../shared/mrz-dev; skipped when absent).
bench-passports: install
	$(BIN)/python bench/mrz_bench.py --count $(or $(MRZ_COUNT),30)
	$(BIN)/python bench/mrz_cases.py --count $(or $(CASES_COUNT),10)
	$(BIN)/python bench/mrz_dev.py

# gunicorn under load from wrk (apt-get install wrk) on PostgreSQL and Redis: requests per second.
bench-serve: install
	$(BIN)/python bench/serve_bench.py

# Admin and staff lists at scale on PostgreSQL: SCALE_SALES=10000000 for ten million (hours).
bench-scale: install
	$(BIN)/python bench/scale_bench.py --sales $(or $(SCALE_SALES),1000000)

# Sending records to the NTA sandbox with real worker processes (about 15 minutes).
bench-transmission: install
	$(BIN)/python bench/transmission_bench.py

bench-documents: install
	$(BIN)/python bench/documents_bench.py --lines $(or $(EXPORT_LINES),1000000)

# The traveller's page among a million sales and a 10,000-refund bank payout file (PostgreSQL).
bench-payouts: install
	$(BIN)/python bench/payouts_bench.py --sales $(or $(PAYOUT_SALES),1000000)

bench-customs: install
	$(BIN)/python bench/customs_bench.py --count $(or $(CUSTOMS_COUNT),100000)

# Mutation testing of the rules engine (mutmut; a few minutes): the score and every survivor.
mutation: $(STAMP)
	DEBUG=true $(BIN)/python scripts/mutation.py

# PassportEye in its own environment, only to compare the MRZ reader with it.
bench-compare-env:
	$(PYTHON) -m venv bench/.venv-compare
	bench/.venv-compare/bin/pip install --quiet passporteye

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache mutants
