# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
FLASK := $(BIN)/flask --app parentapp
PG_TEST_URL ?= $(PARENTAPP_TEST_DATABASE_URL)

.PHONY: install run test test-sqlite test-postgres test-clock fuzz stress lint bench bench-allocation bench-slots bench-scale-out clean vendor-echarts

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "== creating virtualenv $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "== upgrading pip"
	@$(BIN)/python -m pip install --progress-bar on --upgrade pip
	@echo "== installing dependencies from pyproject.toml (first run takes a minute)"
	@$(BIN)/python -m pip install --progress-bar on -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)
	@echo "== dependencies installed"

install: $(STAMP)

## make run: migrate, seed demo data, serve the API on 127.0.0.1:5000 with the
## local WeChat sandbox on 127.0.0.1:5001. Offline. Ctrl-C stops everything.
run: $(STAMP)
	@bash scripts/run-dev.sh

## make test: ruff, then the whole suite on SQLite and, when
## PARENTAPP_TEST_DATABASE_URL names a PostgreSQL server, again on PostgreSQL;
## with PARENTAPP_TEST_FAKETIME (e.g. +1095d) once more on SQLite under that clock.
## Every run goes ahead; the summary reports each, and it fails if any failed.
test: $(STAMP)
	@bash scripts/test-all.sh

lint: $(STAMP)
	$(BIN)/ruff check .

test-sqlite: $(STAMP)
	env -u PARENTAPP_TEST_DATABASE_URL $(BIN)/pytest -p no:cacheprovider

test-postgres: $(STAMP)
	@if [ -n "$(PG_TEST_URL)" ]; then \
		echo "== PostgreSQL: $(PG_TEST_URL)"; \
		PARENTAPP_TEST_DATABASE_URL="$(PG_TEST_URL)" $(BIN)/pytest -p no:cacheprovider; \
	else echo "== PostgreSQL run skipped: PARENTAPP_TEST_DATABASE_URL is not set"; fi

## make test-clock: the SQLite suite under libfaketime, 1 and 3 years ahead.
test-clock: $(STAMP)
	for offset in +365d +1095d; do \
		echo "== SQLite, clock $$offset"; \
		env -u PARENTAPP_TEST_DATABASE_URL faketime -f "$$offset" \
			$(BIN)/pytest -p no:cacheprovider -q --ignore=tests/browser || exit 1; \
	done

## make fuzz: Schemathesis against the served OpenAPI document with 200 examples per
## operation (make test runs 12), on SQLite.
fuzz: $(STAMP)
	env -u PARENTAPP_TEST_DATABASE_URL PARENTAPP_FUZZ_EXAMPLES=$${PARENTAPP_FUZZ_EXAMPLES:-200} \
		$(BIN)/pytest -p no:cacheprovider -q tests/fuzz

## make stress: the concurrency tests 20 times in a row beside a CPU hog, on
## SQLite and PostgreSQL (needs stress-ng and PARENTAPP_TEST_DATABASE_URL).
stress: $(STAMP)
	@bash scripts/stress.sh

## make bench: parentapp under gunicorn (production settings) beside a bare Flask app and a
## raw-SQL ceiling, driven by wrk, on its own PostgreSQL database (10,000 nurseries, dropped
## after), then plan-reminders for 100,000 children and dispatch with 1 and 4 processes
## beside the WeChat client alone; prints the tables. Needs wrk. BENCH_ARGS passes options,
## e.g. BENCH_ARGS="--rows search,booking --duration 5 --nurseries 100000".
bench: $(STAMP)
	$(BIN)/python bench/bench.py --pg "$${PARENTAPP_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}" $(BENCH_ARGS)

## make bench-allocation: allocate 2,000 applications over 50 nurseries on PostgreSQL
## (its own database, dropped after) beside the time to read the same rows.
bench-allocation: $(STAMP)
	$(BIN)/python bench/allocation_bench.py --postgres "$${PARENTAPP_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"

## make bench-slots: requests per second of the public slot listing (31 days, 403 slots)
## and the nursery page through the test client, on SQLite and PostgreSQL, beside the
## listing's former schema path in the same run.
bench-slots: $(STAMP)
	$(BIN)/python bench/slot_listing_bench.py --postgres "$${PARENTAPP_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"

## make bench-scale-out: two parentapp servers (production settings, one Redis for the rate
## limits), three dispatcher processes and one planner against one PostgreSQL database (its
## own, dropped after) and a fake WeChat server, under wrk booking load; then checks with SQL
## that no slot is overbooked, no request got a 5xx and every due notification went out
## exactly once; exits 1 otherwise. About a minute; SCALE_ARGS passes options, e.g.
## SCALE_ARGS="--duration 90 --parents 600".
bench-scale-out: $(STAMP)
	$(BIN)/python bench/scale_out.py --pg "$${PARENTAPP_TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}" $(SCALE_ARGS)

## make vendor-echarts: refresh the console's charting library from its npm package
## (the committed copy is what runs; the console never loads a CDN). Needs npm.
ECHARTS_VERSION := 6.1.0
ECHARTS_DIR := parentapp/static/console/vendor/echarts
vendor-echarts:
	rm -rf .echarts-pack && mkdir .echarts-pack
	cd .echarts-pack && npm pack --silent echarts@$(ECHARTS_VERSION) && tar xzf echarts-$(ECHARTS_VERSION).tgz
	cp .echarts-pack/package/dist/echarts.common.min.js .echarts-pack/package/LICENSE \
		.echarts-pack/package/NOTICE .echarts-pack/package/licenses/LICENSE-d3 $(ECHARTS_DIR)/
	echo "echarts $(ECHARTS_VERSION) (npm), dist/echarts.common.min.js" > $(ECHARTS_DIR)/VERSION
	cd $(ECHARTS_DIR) && sha256sum echarts.common.min.js >> VERSION
	rm -rf .echarts-pack

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
