# Two commands: `make run` and `make test`. Everything else is what they need.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export RASA_TELEMETRY_ENABLED := false
export OMP_NUM_THREADS := 1
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export HF_HUB_OFFLINE := 1
export PYTHONDONTWRITEBYTECODE := 1

# What the model is trained from: a change to any of these retrains, nothing else does.
TRAIN_INPUTS := config.yml domain.yml $(shell find data knowledge rasa_extensions/nlu language -type f -name '*.yml' -o -type f -name '*.py' 2>/dev/null | grep -v __pycache__ | sort)

.PHONY: help run test install train check lint types bench lock audit clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z]+):.*## /  make \1\t/' | expand -t 16

run: install models/.trained  ## set up everything and start the assistant (action server, Rasa, web chat, console)
	$(BIN)/python -m bot run

test: install models/.trained  ## set up everything, validate data and knowledge, pytest, conversation tests
	$(BIN)/rasa data validate --quiet
	$(BIN)/python -m bot knowledge check
	$(BIN)/python -m pytest -q -p no:cacheprovider tests
	$(BIN)/rasa test core --stories tests/conversations --fail-on-prediction-errors --out results/core --quiet

install: $(VENV)/.installed  ## create .venv and install both locks (runtime and development)

# lock.txt holds every runtime package at the exact version that works with Rasa 3.6 on Python
# 3.11, dev-lock.txt the test, lint and type tools (requirements/README.md says how they are
# made). --no-deps: the locks are the whole truth. torch is pinned as torch==2.13.0: a folder of
# local wheels (/opt/wheels, holding the CPU build) is offered when it exists; elsewhere PyTorch's
# CPU index is (PyPI's own 2.13.0 is a CUDA build whose nvidia-* packages the lock leaves out).
# TORCH_INDEX= (empty) turns the index off.
WHEELS := $(wildcard /opt/wheels)
TORCH_INDEX ?= $(if $(WHEELS),,https://download.pytorch.org/whl/cpu)
$(VENV)/.installed: requirements/lock.txt requirements/dev-lock.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==24.3.1"
	$(BIN)/python -m pip install --progress-bar on --no-deps --ignore-requires-python \
		$(if $(WHEELS),--find-links $(WHEELS)) $(if $(TORCH_INDEX),--extra-index-url $(TORCH_INDEX)) \
		-r requirements/lock.txt -r requirements/dev-lock.txt
	@touch $@

train: models/.trained  ## train the model (only when data, domain, config or knowledge changed)

models/.trained: $(VENV)/.installed $(TRAIN_INPUTS)
	@mkdir -p models
	$(BIN)/python -m bot train
	@touch $@

check: install  ## validate knowledge/ (sources, quotes, lengths, every language)
	$(BIN)/python -m bot knowledge check

lint: install  ## ruff check (pyflakes, syntax errors, bugbear; pyproject.toml [tool.ruff])
	$(BIN)/ruff check .

types: install  ## mypy over every package (pyproject.toml [tool.mypy])
	$(BIN)/mypy

bench: install models/.trained  ## intent accuracy on the held-out split, ours vs Rasa's default pipeline
	$(BIN)/python -m bench.nlu_eval

lock:  ## regenerate requirements/lock.txt and dev-lock.txt (scripts/lock.sh; minutes, needs the registry)
	scripts/lock.sh

# pip-audit over the lock, in a virtualenv of its own (.venv-audit: pip-audit's dependencies would
# upgrade packages Rasa needs). Needs PyPI's or OSV's vulnerability database (AUDIT_SERVICE=osv);
# fails, never reports clean, when a package could not be checked (tools/audit.py).
audit:  ## pip-audit over both locks; fails when a package could not be checked (needs the advisory database)
	@test -x .venv-audit/bin/python || $(PYTHON) -m venv .venv-audit
	@test -f .venv-audit/.installed || { .venv-audit/bin/python -m pip install --quiet "pip-audit==2.10.1" "PyYAML==6.0.3" && touch .venv-audit/.installed; }
	.venv-audit/bin/python -m tools.audit --pip-audit .venv-audit/bin/pip-audit --lock requirements/lock.txt
	.venv-audit/bin/python -m tools.audit --pip-audit .venv-audit/bin/pip-audit --lock requirements/dev-lock.txt

clean:  ## remove models, caches, results, var/ and .venv-audit (not .venv)
	rm -rf models .cache results var .venv-audit
