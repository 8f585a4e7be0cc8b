# Two commands on a fresh machine: `make run` (index the seeds and serve the search page)
# and `make test`. Both create the virtual environment when it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
INDEX ?= index-data

.PHONY: run test test-fast bench bench-quick clean cluster cluster-stop

$(BIN)/archive: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,opensearch,evaluate]'
	touch $@

run: $(BIN)/archive
	$(BIN)/archive reindex --index $(INDEX) seeds
	$(BIN)/archive serve --index $(INDEX) --host $(HOST) --port $(PORT)

test: $(BIN)/archive
	$(BIN)/python -m pytest

test-fast: $(BIN)/archive
	$(BIN)/python -m pytest -m "not slow and not browser"

$(BIN)/tantivy-installed: $(BIN)/archive
	$(BIN)/python -m pip install --quiet -e '.[test,opensearch,evaluate,bench]'
	touch $@

bench: $(BIN)/tantivy-installed
	$(BIN)/python -m bench

bench-quick: $(BIN)/tantivy-installed
	$(BIN)/python -m bench --quick

# A real 3-node OpenSearch cluster on 127.0.0.1 (HTTP 9200-9202), data in var/opensearch/;
# needs Java 17 and Maven (the first run downloads OpenSearch's jars from Maven Central).
cluster:
	$(PYTHON) scripts/cluster.py start

cluster-stop:
	$(PYTHON) scripts/cluster.py stop

clean:
	rm -rf $(INDEX) .pytest_cache .hypothesis
