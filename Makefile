# Two commands for a fresh machine (see README.md):
#   make book   build the web book into _build/html (creates .venv, executes every notebook)
#   make test   run every test (lint, unit tests, the book on real data, checks of the built site and
#               the site in a real browser with no internet, the book offline on the fallback, a
#               first build that downloads, every chapter under Colab's versions)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NOTEBOOKS = $(shell $(PY) -m tests.toc)
NB_TIMEOUT ?= 600

CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: venv lint static-assets data chromium book serve course test test-unit test-course test-student-real test-student-fallback test-notebooks test-fallback test-colab test-first-run test-site test-browser benchmark clean

venv: $(STAMP)

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==26.3
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

# The JavaScript the web book serves itself, so that it works offline (MathJax, require.js, ipywidgets'
# html-manager): pinned npm packages, hash-checked, unpacked into _vendor/npm (git-ignored). No-op when current.
static-assets:
	$(PYTHON) tools/static_assets.py

# The dataset, once, in the terminal (with a progress line): FSDD_DIR, the verified cache, or a
# download (from SPEECH_AE_FSDD_URL if set) that is verified and cached. Without network it says so
# and the book builds on the offline fallback; it never fails the build.
data: $(STAMP)
	$(PY) -m utils.data

# Debian's Chromium for the browser tests (playwright drives it; it downloads no browser of its own).
chromium:
	@test -x $(CHROMIUM) || { echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -x $(CHROMIUM)

# Clean first: with _build present and nothing changed, Jupyter Book would execute nothing.
# The build log shows ipykernel's "Kernel is running over TCP without encryption" once per
# notebook. It is harmless here: each kernel is started by this build for one notebook, listens
# on 127.0.0.1 only, and accepts only messages signed with the key in a connection file that
# only you can read. It goes to the terminal, never into a page.
# SOLUTIONS=hidden builds the web book for a course that grades the exercises: no solution on any
# page, no download or Colab button (tools/solutions.py). The default is SOLUTIONS=shown.
SOLUTIONS ?= shown
book: $(STAMP) static-assets data
	rm -rf _build
	SPEECH_AE_SOLUTIONS=$(SOLUTIONS) $(VENV)/bin/jupyter-book build . --warningiserror --nitpick --keep-going
	@# the live lab's files (book/live_lab.md) from the codec chapter 4 just cached; fails, saying
	@# so in one line, when there is none
	$(PY) tools/live_lab.py --out _build/html/_static/lab
	@echo "Open _build/html/index.html in a browser, or run 'make serve'."

serve:
	@echo "Serving _build/html at http://localhost:8000 (Ctrl-C to stop)"
	$(PY) -m http.server --directory _build/html 8000

# Each step prints its time, so the CI log shows where the minutes go (CI allows 90; keep 45 free).
# The book build is the test of every notebook on real data: each is executed from a clean kernel
# and -W fails it when a cell raises or writes to stderr (test-notebooks, the same under nbmake
# with each notebook's time, is for working on one chapter: `make test-notebooks NOTEBOOKS=...`).
# The steps that execute every notebook run two at a time (tools/parallel.py): they share no
# files (the Colab run and the offline builds work in temporary folders), and on 2 cores two
# at once finish sooner than one after the other.
STEP = @start=$$(date +%s); $(MAKE) --no-print-directory $(1) && \
  echo "== make $(1) passed in $$(( $$(date +%s) - start )) s"
SIDE_BY_SIDE = MAKE="$(MAKE)" $(PY) tools/parallel.py

test: export SPEECH_AE_NO_DOWNLOAD = 1
test: $(STAMP) static-assets
	$(call STEP,lint)
	$(call STEP,test-unit)
	$(call STEP,test-course)
	$(SIDE_BY_SIDE) book test-colab
	$(SIDE_BY_SIDE) test-fallback+test-student-fallback \
	  test-site+test-browser+test-first-run+test-student-real

# ruff over notebooks and code: pyproject.toml (100 columns), book/ruff.toml (76 columns for
# notebook code, what a code cell of the web page shows; tests/browser measures it).
lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

test-unit: $(STAMP)
	$(PY) -m pytest tests/unit tests/test_hygiene.py

# The course edition (tools/course.py, book/course_edition.md): student notebooks without
# solutions and with scaffolds of the graded tasks, instructor notebooks, one otter-grader
# autograder per chapter, into _build/course/ (with a README). Executes no notebook.
course: $(STAMP)
	$(PY) tools/course.py build

# The course edition built twice (deterministic), no solution in a student notebook, full marks
# for the instructor's notebooks, zero for the unmodified students', the wrong submissions of
# tests/course/wrong/ named (a task notebook per submission, not the whole chapter: seconds).
test-course: $(STAMP)
	$(PY) -m pytest --durations=5 tests/course

# The course edition's student notebooks, each executed whole from a clean kernel, as a student who
# has written nothing yet runs it (tests/course_notebooks): a chapter runs to its end, or stops at
# the NotImplementedError of its own first unwritten task; real speech (FSDD_DIR) or the fallback.
test-student-real: $(STAMP)
	$(PY) -m pytest --durations=0 tests/course_notebooks -k real

test-student-fallback: $(STAMP)
	$(PY) -m pytest --durations=0 tests/course_notebooks -k fallback

# --durations=0: each notebook's run time in the log (the budgets themselves are measured by benchmarks/run.py).
test-notebooks: $(STAMP)
	$(PY) -m pytest --nbmake --nbmake-timeout=$(NB_TIMEOUT) --durations=0 $(NOTEBOOKS)

# A newcomer with no data and no network: `make data`, then the whole book built with -W into a
# temporary folder, every chapter on the offline fallback (tests/first_run/test_offline_book.py).
test-fallback: $(STAMP) static-assets
	$(PY) -m pytest --durations=0 tests/first_run/test_offline_book.py

# Every chapter under Colab's package versions (tests/colab/: constraints.txt made from Colab's
# published snapshot; on this machine's Python 3.11, not Colab's 3.13; wheels only), in a second
# venv built once and reinstalled only when the pinned files change. Each notebook runs alone in
# a fresh empty temporary folder, with google.colab imported at kernel start, no myst_nb, data
# from FSDD_DIR or the cache, and its own setup cell cloning this checkout: notebook and clone are
# the committed HEAD, so UNCOMMITTED CHANGES ARE NOT TESTED here (commit first). Fails when a cell
# raises or writes to stderr. The explorer test drives the ipywidgets 7 fallback (a Python
# callback) in a kernel, with this working tree's utils.
COLAB_VENV := .venv-colab
COLAB_PY := $(COLAB_VENV)/bin/python
COLAB_STAMP := $(COLAB_VENV)/.installed

$(COLAB_STAMP): tests/colab/constraints.txt tests/colab/requirements.txt
	test -x $(COLAB_PY) || $(PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_PY) -m pip install --quiet -c tests/colab/constraints.txt pip
	$(COLAB_PY) -m pip install --quiet --only-binary=:all: -c tests/colab/constraints.txt \
	  -r tests/colab/requirements.txt
	$(COLAB_PY) -m pip check
	touch $@

test-colab: $(STAMP) $(COLAB_STAMP)
	$(COLAB_PY) tests/colab/explorer_fallback.py
	SPEECH_AE_REPOSITORY=file://$(CURDIR) $(COLAB_PY) tests/colab/run_notebooks.py \
	  --timeout=$(NB_TIMEOUT) $(NOTEBOOKS)

# A newcomer's first build: the data chapter built with -W from an empty cache, downloading from a
# mirror on 127.0.0.1 (SPEECH_AE_FSDD_URL) made from FSDD_DIR, then from mirrors that fail.
test-first-run: $(STAMP) static-assets
	$(PY) -m pytest --durations=0 tests/first_run/test_first_run.py

test-site: $(STAMP)
	$(PY) -m pytest tests/site

# The built book (make book) in Chromium, offline; screenshots go to _build/screenshots/.
test-browser: $(STAMP) chromium
	CHROMIUM=$(CHROMIUM) $(PY) -m pytest tests/browser

benchmark: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf _build _vendor
