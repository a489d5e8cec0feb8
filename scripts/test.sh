#!/usr/bin/env bash
# The whole test suite: installs what a clean machine lacks, then runs unit, page (AppTest) and browser tests.
# README command 2, and what .ci/run calls. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

# (fc-list's output is read whole: with pipefail, grep -q closing the pipe early would count as a failure)
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -ci "noto sans cjk" >/dev/null; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium and fonts-noto-cjk for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    echo "note: chromium or fonts-noto-cjk missing and apt-get unavailable; browser tests will be skipped (CI=true fails instead)"
  fi
fi

# the unit tests and a set of page tests run on PostgreSQL too (tests/conftest.py; always with CI=true), on a
# throwaway cluster of Debian's postgresql
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's postgresql for the tests on PostgreSQL"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "note: postgresql missing and apt-get unavailable; run the tests with --engines duckdb (CI=true fails instead)"
  fi
fi

# several app processes behind nginx (serve.py): the browser test that kills an app process and the benchmark's
# `processes` part run Debian's nginx
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's nginx for the tests of several app processes"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
  else
    echo "note: nginx missing and apt-get unavailable; the tests of several app processes will be skipped (CI=true fails instead)"
  fi
fi

python3 -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
python3 -m ruff check app.py pages coordsupervise tests scripts
# Two workers (pytest-xdist): each runs one lane of browser tests, one test after another (tests/browser/conftest.py
# groups them), then takes unit, page and reliability tests until none are left.
# TEST_WORKERS=0 runs everything in this process (easier to debug); extra arguments still go to pytest.
python3 -m pytest -n "${TEST_WORKERS:-2}" --dist loadgroup "$@"
