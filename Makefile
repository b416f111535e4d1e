# Gradients, Vanishing and Exploding — the two commands:
#   make book   build the HTML book (creates .venv first if needed)
#   make test   run every test        (creates .venv first if needed)
# Also: make lab (JupyterLab on the notebooks), make execute (re-run notebooks in place and
#       regenerate the learner notebooks),
#       make mutants (mutation testing of gradlab with mutmut: every module, or one with
#       MODULE=clipping; not part of make test),
#       make bench (benchmarks), make bench-book (the built book's weight and speed in
#       Chromium, and its build times), make ladder (regenerate Chapter 6's cached runs), make runs
#       (regenerate Chapter 5's stored runs),
#       make clean.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PATH := $(abspath $(BIN)):$(PATH)
# Jupyter's per-user folders from platformdirs (the future default; silences its deprecation warning).
export JUPYTER_PLATFORM_DIRS := 1
# The course's JupyterLab defaults (jupyter_config/; Binder gets them from ./start).
export JUPYTER_CONFIG_PATH := $(CURDIR)/jupyter_config
export PYDEVD_DISABLE_FILE_VALIDATION := 1

NOTEBOOKS = $(shell $(BIN)/python tools/toc_notebooks.py)
# The learner notebooks (generated from the chapters by `make execute`): nbval runs them too.
LEARNER_NOTEBOOKS = $(shell $(BIN)/python tools/toc_notebooks.py --learner)

.PHONY: book test lab execute bench bench-book lint clean env ladder runs mutants

env: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] >= (3, 11), "Python >= 3.11 needed, got " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==26.3
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

book: $(STAMP)
	$(BIN)/jupyter-book build -W -n --keep-going .
	@echo "The book is in $(CURDIR)/_build/html (open _build/html/index.html)."

lint: $(STAMP)
	$(BIN)/ruff check lib tests benchmarks tools book
	$(BIN)/ruff format --check lib tests benchmarks tools book

# The simulated CPUs (tools/cpu_profile.py) that the unit tests and nbval also run under, so
# that a number which depends on the CPU fails here and not on a learner's laptop.
CPU_PROFILES = haswell sandybridge
UNIT_TESTS = $(BIN)/python -m pytest -n 2 -m "not html" tests
NBVAL = $(BIN)/python -m pytest --dist loadfile --nbval -p no:cacheprovider \
	--nbval-sanitize-with tests/nbval_sanitize.cfg $(NOTEBOOKS) $(LEARNER_NOTEBOOKS) \
	tests/test_cpu_profile.py

test: $(STAMP)
	$(MAKE) lint
	$(UNIT_TESTS)
	# One BLAS thread for the native nbval run: two pytest workers on two cores, each kernel
	# with two spinning OpenBLAS threads, made it 3.7x slower (176 s against 48 s measured).
	# The sandybridge run below keeps its two threads, so thread-count independence is tested,
	# with one pytest worker (tools/cpu_profile.py --workers: workers x threads <= cores).
	env OPENBLAS_NUM_THREADS=1 $(NBVAL) -n $$($(BIN)/python tools/cpu_profile.py native --workers)
	@for profile in $(CPU_PROFILES); do \
		echo "== unit tests and nbval on a simulated CPU: $$profile"; \
		env $$($(BIN)/python tools/cpu_profile.py $$profile) $(UNIT_TESTS) || exit 1; \
		env $$($(BIN)/python tools/cpu_profile.py $$profile) $(NBVAL) \
			-n $$($(BIN)/python tools/cpu_profile.py $$profile --workers) || exit 1; \
	done
	$(BIN)/jupyter-book build -W -n --keep-going .
	# The built HTML: static checks (test_html*.py) and every page in headless Chromium
	# (test_browser.py; needs /usr/bin/chromium: apt-get install chromium, as .ci/run does).
	$(BIN)/python -m pytest -m html tests

# JupyterLab refuses to run as root (containers, Binder-like sandboxes) without --allow-root.
USER_ID ?= $(shell id -u)
lab: $(STAMP)
	$(BIN)/jupyter lab $(if $(filter 0,$(USER_ID)),--allow-root )book/

execute: $(STAMP)
	$(BIN)/python tools/execute_notebooks.py
	$(BIN)/python tools/make_learner_notebooks.py
	# The static explorers' views, committed in explorer_views/ (the build publishes them).
	$(BIN)/python tools/gvx_static.py

# Chapter 6's ladder: train every rung at both depths for five seeds and write
# lib/gradlab/_cache/capstone_ladder.npz (under the haswell CPU profile, as `make runs`).
ladder: $(STAMP)
	env $$($(BIN)/python tools/cpu_profile.py haswell) $(BIN)/python -m gradlab.capstone

# Chapter 5's stored adding-problem runs (lib/gradlab/_cache/adding_runs.npz), trained under
# the haswell CPU profile so that any x86-64 machine with AVX2 regenerates the same bits.
runs: $(STAMP)
	env $$($(BIN)/python tools/cpu_profile.py haswell) $(BIN)/python -m gradlab.recurrent_study

# Mutation testing (tools/mutants.py runs mutmut in .mutmut/ and prints the per-module table;
# equivalent mutants and their reasons are in tools/mutants_equivalent.txt). Under nice: it keeps
# both cores busy for a long time.
MODULE ?=
mutants: $(STAMP)
	nice -n 19 $(BIN)/python tools/mutants.py $(MODULE)

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_explore.py
	$(BIN)/python benchmarks/bench_network.py
	$(BIN)/python benchmarks/bench_chapters.py

bench-book: $(STAMP)
	$(BIN)/python benchmarks/bench_book.py

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis .mutmut
