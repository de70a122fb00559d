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
TRAIN_INPUTS := config.yml domain.yml $(shell find data knowledge bot/nlu bot/language -type f -name '*.yml' -o -type f -name '*.py' 2>/dev/null | grep -v __pycache__ | sort)

.PHONY: run test install train check bench audit clean

run: install models/.trained
	$(BIN)/python -m bot run

test: install models/.trained
	$(BIN)/rasa data validate --quiet
	$(BIN)/python -m bot knowledge check
	$(BIN)/python -m pytest -q -p no:cacheprovider tests
	$(BIN)/rasa test core --stories tests/conversations --fail-on-prediction-errors --out results/core --quiet

install: $(VENV)/.installed

# The lock holds every package at the exact version that works with Rasa 3.6 on Python 3.11
# (see requirements/README.md for how it is made). --no-deps: the lock is the whole truth.
$(VENV)/.installed: requirements/lock.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==24.3.1"
	$(BIN)/python -m pip install --progress-bar on --no-deps --ignore-requires-python \
		$(if $(wildcard /opt/wheels),--find-links /opt/wheels) -r requirements/lock.txt
	@touch $@

train: models/.trained

models/.trained: $(VENV)/.installed $(TRAIN_INPUTS)
	@mkdir -p models
	$(BIN)/python -m bot train
	@touch $@

check: install
	$(BIN)/python -m bot knowledge check

bench: install models/.trained
	$(BIN)/python -m bench.nlu_eval

# pip-audit over the lock, in a virtualenv of its own (.venv-audit: pip-audit's dependencies would
# upgrade packages Rasa needs). Needs PyPI's or OSV's vulnerability database (AUDIT_SERVICE=osv);
# fails, never reports clean, when a package could not be checked (tools/audit.py).
audit:
	@test -x .venv-audit/bin/python || $(PYTHON) -m venv .venv-audit
	@test -f .venv-audit/.installed || { .venv-audit/bin/python -m pip install --quiet "pip-audit==2.10.1" "PyYAML==6.0.3" && touch .venv-audit/.installed; }
	.venv-audit/bin/python -m tools.audit --pip-audit .venv-audit/bin/pip-audit

clean:
	rm -rf models .cache results var .venv-audit
