# `make run` and `make test` work on a machine that has only python3.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint bench bench-check mutation clean

# Each pytest worker reads the tests as pytest rewrote them (their asserts) and the project's
# modules compiled, from __pycache__, when they are there: with PYTHONDONTWRITEBYTECODE set
# (some shells and CI images set it) nothing is kept, and every worker of every run compiles
# and rewrites them again, about 4 s of CPU each (docs/TESTING.md).
unexport PYTHONDONTWRITEBYTECODE

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot run

# The suite on every core (pytest-xdist), two workers a core: most of a test's time is spent
# waiting (on a process it started, a negative check's quiet time, a lease), so with one more
# worker than the cores the suite used about one core of two (docs/TESTING.md). Each worker
# takes over tests left to a busier one (worksteal: the long process tests do not pile up at the
# end of one worker's share).
WORKERS ?= $(shell echo $$(( $$(nproc) * 2 )))
# mypy, cold in a fresh clone, runs beside it on the CPU its workers leave while they wait for
# the processes they start; its report follows the suite's. docs/TESTING.md has the figures.
test: $(STAMP)
	@mkdir -p .mypy_cache; nice -n 5 $(BIN)/mypy > .mypy_cache/make-test.log 2>&1 & typing=$$!; \
	$(BIN)/python -m pytest -n $(WORKERS) --dist worksteal; suite=$$?; \
	wait $$typing; typed=$$?; echo "$(BIN)/mypy"; cat .mypy_cache/make-test.log; \
	[ $$suite -eq 0 ] && [ $$typed -eq 0 ]
	$(BIN)/lint-imports
	$(BIN)/ruff check bot adapters editbot tests bench

# The inner loop: the in-process tests only (no `python -m bot`, CLI, bench script or
# PostgreSQL server started), in parallel, less the two crowd-scale ones (`slow`: 200 users,
# about a tenth of the tier's CPU), which `make test` runs.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n $(WORKERS) --dist worksteal -m "not process and not slow"

lint: $(STAMP)
	$(BIN)/ruff check bot adapters editbot tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/ledger.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/overhead.py
	$(BIN)/python bench/memory_4k.py
	$(BIN)/python bench/crowd.py
	$(BIN)/python bench/crash_drill.py
	$(BIN)/python bench/flood.py
	$(BIN)/python bench/shared_queue.py
	$(BIN)/python bench/crash_drill.py --replicas 3 --pg
	$(BIN)/python bench/slowloris.py

# The edit path's cost held to its targets (bench/check.py): the overhead and crowd benchmarks
# at a reduced size, failing when a figure passes its target by more than 15%. Timings on a
# shared machine are not tests: not part of `make test`.
bench-check: $(STAMP)
	$(BIN)/python bench/check.py

# Mutation testing of the modules where a bug costs money or trust ([tool.mutmut] in
# pyproject.toml); slow, so not part of `make test`. Surviving mutants: docs/TESTING.md.
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,mutation]'
	$(BIN)/python mutation/watchdog.py $(BIN)/mutmut run --max-children 2
	$(BIN)/mutmut results
	$(BIN)/python mutation/watchdog.py $(BIN)/python mutation/campaign.py --max-children 2
	$(BIN)/python mutation/score.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache mutants .mutation-adapters
