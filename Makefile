# bdg-analysis: every task a statistician or a scheduler needs. `make help` lists them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PROVINCE ?= Lạng Sơn
LANG_REPORT ?= vi

.PHONY: help report test lint lock clean browser

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[test]"
	touch $(STAMP)

report: $(STAMP) ## write the default report (Lạng Sơn, latest year, Vietnamese) to reports/
	$(BIN)/bdg report --province "$(PROVINCE)" --lang $(LANG_REPORT) --out reports

test: $(STAMP) ## run the whole test suite
	$(BIN)/python -m pytest -q

browser: ## install Debian's Chromium for the browser tests (needs root)
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null

lint: $(STAMP) ## ruff over the package, tests, scripts and benchmarks
	$(BIN)/ruff check bdg_analysis tests scripts benchmarks

lock: $(STAMP) ## refresh requirements.lock from the venv (after changing pyproject.toml)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^bdg-analysis' > requirements.lock

clean: ## remove the venv and generated reports
	rm -rf $(VENV) reports
