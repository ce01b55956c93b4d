#!/usr/bin/env bash
# Set up everything on a fresh machine and run the checks: venv, package with its test extras,
# Debian's chromium for the browser test (never `playwright install`), then ruff, mypy --strict
# and pytest (unit, integration over the sandbox, notebooks, widgets, browser).
# The README's test command; .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test,dev,jupyter,plot]"

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "note: /usr/bin/chromium is missing and this is not root: the browser test will fail" >&2
  fi
fi

# Keep Jupyter and IPython state inside the checkout, not in $HOME.
export JUPYTER_CONFIG_DIR="$PWD/.jh/cfg" JUPYTER_DATA_DIR="$PWD/.jh/data"
export JUPYTER_RUNTIME_DIR="$PWD/.jh/rt" IPYTHONDIR="$PWD/.jh/ipy"
# Keep any cache written outside the tests' own temp folders inside the checkout too.
export ZOOM_PANDAS_CACHE_DIR="${ZOOM_PANDAS_CACHE_DIR:-$PWD/.jh/cache}"

.venv/bin/ruff check zoom_pandas tests benchmarks
.venv/bin/ruff format --check zoom_pandas tests benchmarks
.venv/bin/mypy

set +e
.venv/bin/python -m pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: failing on purpose" >&2
  exit 1
fi
exit "$status"
