#!/usr/bin/env bash
# Regenerate the dependency locks (requirements/README.md says why they are made this way).
#
#   scripts/lock.sh          both locks: lock.txt (runtime), then dev-lock.txt (tools)
#   scripts/lock.sh dev      dev-lock.txt only, against the lock.txt that is there
#
# Runtime: rasa-py310-deps.txt (Rasa's and rasa-sdk's own list, python<3.11 markers evaluated as
# for 3.10; lines of overrides.txt replace Rasa's line for the same package) and project.txt are
# resolved together in a fresh Python 3.11 virtualenv; rasa and rasa-sdk go in with --no-deps
# --ignore-requires-python (they declare python<3.11); `pip freeze --all` is the lock, with a
# local version label such as torch's +cpu removed so that the pin installs on any machine
# (where a folder of wheels is given with --find-links, pip still prefers the CPU build in it).
# Dev: dev.txt is installed into the same kind of virtualenv with lock.txt as constraints (no
# tool moves a runtime pin); every package it adds that lock.txt does not pin is dev-lock.txt.
#
# Environment: PYTHON (default python3.11), WHEELS (a folder of local wheels for --find-links;
# default /opt/wheels when it exists). Takes a few minutes and a few GB under a temp folder.
# Re-resolving takes the newest releases the ranges allow: review the diff, keep what you meant.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
WHEELS=${WHEELS:-$( [ -d /opt/wheels ] && echo /opt/wheels || true )}
FIND_LINKS=()
[ -n "$WHEELS" ] && FIND_LINKS=(--find-links "$WHEELS")
RASA_PINS=(rasa==3.6.21 rasa-sdk==3.6.2)
PIP_VERSION=24.3.1
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

header() {  # the comment lines at the top of a lock file
  sed -n '/^#/p;/^[^#]/q' "$1"
}

new_venv() {
  "$PYTHON" -m venv "$1"
  "$1/bin/python" -m pip install --quiet --upgrade "pip==$PIP_VERSION"
}

freeze() {  # pip freeze --all, sorted case-insensitively, local version labels removed
  "$1/bin/python" -m pip freeze --all | sed -E 's/^([^=]+==[^+]+)\+[A-Za-z0-9.]+$/\1/' | LC_ALL=C sort -f -t= -k1,1
}

lock_runtime() {
  local venv="$WORK/runtime" names
  new_venv "$venv"
  names=$(sed -nE 's/^([A-Za-z0-9._-]+)[=<>!~ ].*/\1/p' requirements/overrides.txt | paste -sd'|')
  grep -viE "^($names)[=<>!~ ]" requirements/rasa-py310-deps.txt > "$WORK/rasa-deps.txt"
  grep -v '^#' requirements/overrides.txt >> "$WORK/rasa-deps.txt"
  "$venv/bin/python" -m pip install "${FIND_LINKS[@]}" -r "$WORK/rasa-deps.txt" -r requirements/project.txt
  "$venv/bin/python" -m pip install --no-deps --ignore-requires-python "${RASA_PINS[@]}"
  # pip itself is pinned by the Makefile (and the Dockerfile), not by the lock
  { header requirements/lock.txt; freeze "$venv" | grep -v '^pip=='; } > "$WORK/lock.txt"
  mv "$WORK/lock.txt" requirements/lock.txt
}

lock_dev() {
  local venv="$WORK/dev"
  new_venv "$venv"
  "$venv/bin/python" -m pip install "${FIND_LINKS[@]}" -c requirements/lock.txt -r requirements/dev.txt
  # pins lock.txt already has stay there; the rest is the dev lock
  grep -vE '^#' requirements/lock.txt | sed -E 's/==.*//' | tr 'A-Z_.' 'a-z--' | sort -u > "$WORK/runtime-names"
  freeze "$venv" | while IFS= read -r pin; do
    name=$(printf '%s' "${pin%%==*}" | tr 'A-Z_.' 'a-z--')
    case "$name" in pip|setuptools|wheel) continue ;; esac
    grep -qxF "$name" "$WORK/runtime-names" || printf '%s\n' "$pin"
  done > "$WORK/dev-pins"
  { header requirements/dev-lock.txt; cat "$WORK/dev-pins"; } > "$WORK/dev-lock.txt"
  mv "$WORK/dev-lock.txt" requirements/dev-lock.txt
}

case "${1:-all}" in
  all) lock_runtime; lock_dev ;;
  dev) lock_dev ;;
  *) echo "usage: scripts/lock.sh [all|dev]" >&2; exit 2 ;;
esac
git --no-pager diff --stat -- requirements/lock.txt requirements/dev-lock.txt || true
echo "Check the diff, then: make install && make lint types test"
