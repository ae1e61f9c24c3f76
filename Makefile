# Two commands: `make demo` runs the example news site with the comment server beside it;
# `make test` runs the whole suite. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-postgres test-crash test-fuzz lint bench bench-load bench-import bench-explain bench-moderation clean messages

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m example_site

test: $(STAMP)
	$(BIN)/python -m pytest

test-postgres: $(STAMP)
	COMMENTS_WIDGET_TEST_DATABASE_URL=$${COMMENTS_WIDGET_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m pytest

# gunicorn killed with SIGKILL mid-load, three times, on SQLite and then on PostgreSQL.
test-crash: $(STAMP)
	$(BIN)/python -m pytest -m crash
	COMMENTS_WIDGET_TEST_DATABASE_URL=$${COMMENTS_WIDGET_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -m pytest -m crash

# The OpenAPI fuzz run of the suite with ten times as many generated cases.
test-fuzz: $(STAMP)
	COMMENTS_WIDGET_FUZZ_EXAMPLES=800 $(BIN)/python -m pytest tests/test_api_schema.py -s

lint: $(STAMP)
	$(BIN)/ruff check .

bench: $(STAMP)
	$(BIN)/python bench/embed_size.py

# The load benchmark: needs wrk (apt-get install wrk) and PostgreSQL on 127.0.0.1:5432; it
# seeds 1M comments per database and installs Isso 0.14.0 into bench/.isso-venv on first run.
bench-load: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench-import: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/import_bench.py $(BENCH_ARGS)

bench-explain: $(STAMP)
	$(BIN)/python bench/explain.py

# Server time per moderation decision, queue page and search on the 1M-comment PostgreSQL
# database that bench-load (or bench/seed.py --schema comments_widget_bench) leaves behind.
bench-moderation: $(STAMP)
	$(BIN)/python bench/moderation_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) dist build instance test-artifacts .pytest_cache .ruff_cache

# Re-extract the reader pages' messages and add new ones to every catalogue (then translate
# them; tests/test_i18n.py fails until every message has its translation in each).
messages: $(STAMP)
	$(BIN)/pybabel extract -F comments_widget/translations/babel.cfg -k _l -k N_ --no-location \
	  --omit-header --sort-output -o comments_widget/translations/messages.pot .
	for po in comments_widget/translations/*.po; do \
	  lang=$$(basename $$po .po); \
	  $(BIN)/pybabel update -i comments_widget/translations/messages.pot -l $$lang \
	    --no-fuzzy-matching --omit-header -o $$po; \
	done
