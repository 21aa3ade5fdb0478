# Two entry points for a fresh clone: `make serve` and `make test`.
# Both create .venv and install the project and its dependencies from the package registry.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Front-end libraries (editor, charts) come from the npm registry, exactly as package-lock.json pins them.
NODE_STAMP := node_modules/.installed
# The browser tests drive Debian's Chromium through its ChromeDriver (tests/test_browser.py).
CHROMIUM := /usr/bin/chromium
CHROMEDRIVER := /usr/bin/chromedriver
# The client tests (tests/test_debian_clients.py) run Debian's Apache Jena, found by its commands' jar, and roqet.
JENA_CMDS := /usr/share/java/jena-cmds.jar
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get

.PHONY: install build serve test lint clean bench browser clients cluster

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || ($(APT) update -q && $(APT) install -y -q nodejs npm)
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

# Installs Chromium and ChromeDriver from Debian only when they are missing.
browser:
	@if [ -x $(CHROMIUM) ] && [ -x $(CHROMEDRIVER) ]; then echo "browser tests: $(CHROMIUM) and $(CHROMEDRIVER) present"; \
	else $(APT) update -q && $(APT) install -y -q chromium chromium-driver; fi

# Installs Jena, roqet and haproxy from Debian only when missing; Debian's Jena declares no Java runtime, so one
# comes with it.
clients:
	@if [ -f $(JENA_CMDS) ] && command -v java >/dev/null && command -v roqet >/dev/null && command -v haproxy >/dev/null; \
	then echo "client tests: Jena ($(JENA_CMDS)), java, roqet and haproxy present"; \
	else $(APT) update -q && $(APT) install -y -q libapache-jena-java default-jre-headless rasqal-utils haproxy; fi

install: $(STAMP) $(NODE_STAMP)

build: $(STAMP)
	$(BIN)/govsocial build

serve: build $(NODE_STAMP)
	$(BIN)/govsocial serve

# Several replicas behind HAProxy on this machine, in the foreground (README, "Running several replicas"):
# SIGHUP rolls them onto a new current build, SIGTERM or Ctrl-C stops all of it.
REPLICAS ?= 2
PORT ?= 8080

cluster: build clients
	$(BIN)/govsocial cluster --replicas $(REPLICAS) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint $(NODE_STAMP) browser clients
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache node_modules

# The benchmark (see README, "Benchmarks"): installs the `bench` extras once, then generates, builds and
# compares at 10^5 and 10^6 triples and runs the load test; results in bench/out/. More: BENCH_ARGS="--help".
BENCH_STAMP := $(VENV)/.installed-bench
BENCH_ARGS ?=

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)
