# Two commands on a fresh clone: `make demo` and `make test`. Each sets up .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo_isms

.PHONY: demo test templates bench clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/isms-xl demo $(DEMO_DIR) --force
	$(VENV)/bin/isms-xl check $(DEMO_DIR) --format html --out $(DEMO_DIR)/isms_check.html --fail-on never
	$(VENV)/bin/isms-xl pack $(DEMO_DIR) $(DEMO_DIR)_pack --force

# The xlwings remote engine (tests of the Excel buttons) runs under its noncommercial licence.
test: $(STAMP)
	XLWINGS_LICENSE_KEY=$${XLWINGS_LICENSE_KEY:-noncommercial} $(PY) -m pytest -n 2 -q

templates: $(STAMP)
	$(PY) scripts/build_templates.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) $(DEMO_DIR)_pack .pytest_cache build *.egg-info

bench: $(STAMP)
	$(PY) benchmarks/bench_read.py
	$(PY) benchmarks/bench_write.py
	$(PY) benchmarks/bench_check.py
	XLWINGS_LICENSE_KEY=$${XLWINGS_LICENSE_KEY:-noncommercial} $(PY) benchmarks/bench_excel.py
	$(PY) benchmarks/bench_migrate_adopt.py
