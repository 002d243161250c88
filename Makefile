# Two commands for a fresh machine (see README.md):
#   make book   build the web book into _build/html (creates .venv, executes every notebook)
#   make test   run every test (unit tests, notebooks on real and fallback data, checks of the built site)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NOTEBOOKS = $(shell $(PY) -m tests.toc)
NB_TIMEOUT ?= 600

.PHONY: venv book serve test test-unit test-notebooks test-fallback test-site benchmark clean

venv: $(STAMP)

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==26.3
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# Clean first: with _build present and nothing changed, Jupyter Book would execute nothing.
book: $(STAMP)
	rm -rf _build
	$(VENV)/bin/jupyter-book build . --warningiserror --nitpicky --keep-going
	@echo "Open _build/html/index.html in a browser, or run 'make serve'."

serve:
	@echo "Serving _build/html at http://localhost:8000 (Ctrl-C to stop)"
	$(PY) -m http.server --directory _build/html 8000

test: export SPEECH_AE_NO_DOWNLOAD = 1
test: $(STAMP)
	$(MAKE) test-unit
	$(MAKE) test-notebooks
	$(MAKE) test-fallback
	$(MAKE) book
	$(MAKE) test-site

test-unit: $(STAMP)
	$(PY) -m pytest tests/unit tests/test_hygiene.py

test-notebooks: $(STAMP)
	$(PY) -m pytest --nbmake --nbmake-timeout=$(NB_TIMEOUT) $(NOTEBOOKS)

test-fallback: $(STAMP)
	SPEECH_AE_SYNTHETIC=1 $(PY) -m pytest --nbmake --nbmake-timeout=$(NB_TIMEOUT) $(NOTEBOOKS)

test-site: $(STAMP)
	$(PY) -m pytest tests/site

benchmark: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf _build
