# Deepfake Lab: set-up, labs, tests and benchmarks.
# A learner needs `make lab`; CI and contributors need `make test`. Both create .venv themselves.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
TORCH_VERSION ?= 2.13.0
TORCH_CPU_INDEX ?= https://download.pytorch.org/whl/cpu
NAME ?= synth
MODE ?= fast
PYTEST_ARGS ?=
LAB_ARGS ?=

BIN := $(abspath $(VENV))/bin
PY := $(BIN)/python
PIP := $(PY) -m pip
# nbgrader runs `alembic` from PATH, so the venv's bin comes first for every target.
export PATH := $(BIN):$(PATH)

.PHONY: help lab test labs bench doctor clean chromium

help:
	@echo "make lab      create $(VENV), install the course (lab extra), open JupyterLab at labs/"
	@echo "make test     create $(VENV), install the dev extra, Chromium and JupyterHub's proxy, run the whole test suite"
	@echo "make labs     regenerate labs/ (student notebooks) from solutions/ with nbgrader"
	@echo "make bench    run a benchmark: make bench NAME=synth MODE=fast|full"
	@echo "make doctor   check this environment (versions, device, widgets, ffmpeg, cache)"
	@echo "make clean    remove $(VENV), caches and build outputs"

lab: $(VENV)/.installed-lab
	$(BIN)/jupyter lab --ServerApp.root_dir=labs $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS)

test: $(VENV)/.installed-dev chromium $(VENV)/bin/configurable-http-proxy
	COURSE_REQUIRE_BROWSER=$$(command -v apt-get >/dev/null && echo 1 || echo 0) $(PY) -m pytest $(PYTEST_ARGS)

labs: $(VENV)/.installed-dev
	$(PY) -m course_lib.authoring sync && $(PY) -m course_lib.authoring generate

bench: $(VENV)/.installed-lab
	$(PY) -m benchmarks $(NAME) --mode $(MODE)

doctor: $(VENV)/.installed-lab
	$(PY) -m course_lib doctor

clean:
	rm -rf $(VENV) .test-envs build dist *.egg-info .pytest_cache test-artifacts .nbgrader gradebook.db
	find . -name __pycache__ -type d -prune -exec rm -rf {} + -o -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || \
	  { echo "Deepfake Lab needs Python 3.10 or newer; '$(PYTHON)' is not. Try: make $(MAKECMDGOALS) PYTHON=python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "Could not create a virtualenv. On Debian/Ubuntu: sudo apt-get install python3-venv"; exit 1; }

# Torch first: without a GPU, the CPU build (about 200 MB instead of several GB of CUDA libraries), so that
# `pip install -e .[...]` later finds torch satisfied. The CPU index is used only if it answers within 3 s
# (pip would otherwise spend about 8 s retrying an unreachable host); macOS wheels on PyPI are CPU builds.
$(VENV)/.torch: | $(PY)
	@if $(PY) -c 'import torch' 2>/dev/null; then \
	  echo "torch $$($(PY) -c 'import torch; print(torch.__version__)') is already installed"; \
	elif nvidia-smi >/dev/null 2>&1; then \
	  echo "NVIDIA GPU found: installing pip's default (CUDA) torch"; $(PIP) install "torch==$(TORCH_VERSION)"; \
	elif [ "$$(uname -s)" = Darwin ]; then \
	  $(PIP) install "torch==$(TORCH_VERSION)"; \
	elif $(PY) -c 'import os, socket, sys, urllib.parse as u; h = u.urlsplit(sys.argv[1]); \
	    os.environ.get("https_proxy") or os.environ.get("HTTPS_PROXY") or \
	    socket.create_connection((h.hostname, h.port or 443), 3).close()' "$(TORCH_CPU_INDEX)" 2>/dev/null; then \
	  $(PIP) install "torch==$(TORCH_VERSION)" --extra-index-url "$(TORCH_CPU_INDEX)"; \
	else \
	  echo "note: $(TORCH_CPU_INDEX) is unreachable; installing torch from the configured indexes only"; \
	  $(PIP) install "torch==$(TORCH_VERSION)"; \
	fi
	@touch $@

$(VENV)/.installed-lab: pyproject.toml $(VENV)/.torch
	$(PIP) install -e ".[lab]"
	@touch $@

# The dev extra contains the lab extra, so it satisfies targets that need the lab install too.
$(VENV)/.installed-dev: pyproject.toml $(VENV)/.torch
	$(PIP) install -e ".[dev]"
	@touch $@ $(VENV)/.installed-lab

# JupyterHub's proxy, for tests/test_jupyterhub.py (skipped without it): npm installs it into the venv, not
# system-wide, in about 10 s. Without npm the target only says so.
$(VENV)/bin/configurable-http-proxy: | $(PY)
	@if command -v npm >/dev/null; then \
	  npm install --global --prefix "$(abspath $(VENV))" --no-fund --no-audit --loglevel=error configurable-http-proxy@5; \
	else \
	  echo "note: no npm: the JupyterHub test will be skipped (it needs configurable-http-proxy)"; \
	fi

# The browser tests drive Debian's Chromium; elsewhere they are skipped.
chromium:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && \
	  echo "installed $$(/usr/bin/chromium --version)"; \
	elif [ ! -x /usr/bin/chromium ]; then \
	  echo "note: no /usr/bin/chromium and no apt-get: the browser tests will be skipped"; \
	fi
