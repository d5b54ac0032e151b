# bdg-analysis: every task a statistician or a scheduler needs. `make help` lists them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PROVINCE ?= Lạng Sơn
LANG_REPORT ?= vi
LAB_PORT ?= 8888
LAB_ARGS ?=

.PHONY: help report test lab lint lock clean browser

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

# The kernel config keeps ipykernel's "Kernel is running over TCP without encryption" warning
# (logged on every start) out of papermill's logs: kernels of this venv log errors only.
$(STAMP): pyproject.toml requirements.lock config/ipython/ipython_kernel_config.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[test]"
	mkdir -p $(VENV)/etc/ipython
	cp config/ipython/ipython_kernel_config.json $(VENV)/etc/ipython/
	touch $(STAMP)

report: $(STAMP) ## write the default report (Lạng Sơn, latest year, Vietnamese) to reports/
	$(BIN)/bdg report --province "$(PROVINCE)" --lang $(LANG_REPORT) --out reports

test: $(STAMP) ## run the whole test suite
	$(BIN)/python -m pytest -q

# No browser is opened under CI or without a display (over SSH: forward the port, then open the
# printed address); root (a container) needs --allow-root. LAB_PORT and LAB_ARGS pass through.
lab: $(STAMP) ## JupyterLab on notebooks/ with the bdg-analysis kernel (opens the printed URL)
	$(BIN)/python -m ipykernel install --sys-prefix --name bdg-analysis --display-name "Python (bdg-analysis)" > /dev/null
	@flags="--notebook-dir=notebooks --port=$(LAB_PORT)"; \
	if [ -n "$$CI" ] || { [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ] && [ "$$(uname -s)" != Darwin ]; }; then \
		flags="$$flags --no-browser"; fi; \
	if [ "$$(id -u)" = 0 ]; then flags="$$flags --allow-root"; fi; \
	echo "JupyterLab: open the address printed below, http://127.0.0.1:<port>/lab?token=<token> (Ctrl-C twice stops it)"; \
	exec $(BIN)/jupyter lab $$flags $(LAB_ARGS)

# Chromium prints the PDFs (bdg report --pdf) and runs the browser tests; DejaVu Sans draws every
# Vietnamese diacritic in the pages and PDFs; playwright (the venv's, or pip install
# 'bdg-analysis[pdf]') drives it.
browser: ## install Debian's Chromium and fonts for PDFs and the browser tests (needs root)
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core > /dev/null

lint: $(STAMP) ## ruff over the package, tests, scripts and benchmarks
	$(BIN)/ruff check bdg_analysis tests scripts benchmarks

lock: $(STAMP) ## refresh requirements.lock from the venv (after changing pyproject.toml)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^bdg-analysis' > requirements.lock

clean: ## remove the venv, generated reports and the analysis cache
	rm -rf $(VENV) reports .cache test-artifacts
