#!/usr/bin/env bash
# Runs the test suite: installs the system packages it needs (as root, with apt-get),
# then ruff, mypy and pytest. Arguments are passed to pytest.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DEBIAN_FRONTEND=noninteractive

PG_BIN=/usr/lib/postgresql/15/bin

install_postgres() {
    if [ -x "$PG_BIN/postgres" ]; then
        return 0
    fi
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "test.sh: PostgreSQL 15 not found at $PG_BIN and cannot install it (needs root and apt-get)" >&2
        return 0
    fi
    echo "test.sh: installing PostgreSQL 15 server binaries ..." >&2
    apt-get update -q </dev/null
    local pkg=postgresql
    if apt-cache policy postgresql-15 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        pkg=postgresql-15
    fi
    apt-get install -y -q --no-install-recommends "$pkg" </dev/null
    if [ ! -x "$PG_BIN/postgres" ]; then
        echo "test.sh: installed $pkg but $PG_BIN/postgres is still missing" >&2
    fi
}

install_postgres

# The browser tests drive Debian's chromium through Playwright (never a downloaded browser);
# the CJK fonts make Chinese pages render in it (and in the screenshots).
install_browser() {
    local missing=()
    [ -x /usr/bin/chromium ] || missing+=(chromium)
    dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "test.sh: ${missing[*]} missing and cannot install (needs root and apt-get);" \
             "the browser tests will be skipped" >&2
        return 0
    fi
    echo "test.sh: installing ${missing[*]} ..." >&2
    apt-get update -q </dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
}

install_browser

echo "== ruff check" >&2
.venv/bin/ruff check .

# The same packages as the Makefile's `lint` target.
echo "== mypy" >&2
.venv/bin/mypy core workflows activities models web scripts worker.py server.py

echo "== ruff format --check" >&2
.venv/bin/ruff format --check .

echo "== pytest" >&2
exec .venv/bin/pytest -q -ra "$@" </dev/null
