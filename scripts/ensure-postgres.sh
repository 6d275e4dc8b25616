#!/usr/bin/env bash
# Make sure the PostgreSQL tests can run: they start a throwaway cluster of their own (tests/pg/cluster.ts)
# from the server binaries (initdb, pg_ctl). Installs Debian's postgresql package with apt-get (through
# sudo when not root) only when no initdb is found; does nothing when one is. `npm test` runs it before
# Vitest. It never fails the run: when PostgreSQL cannot be installed it says why, and the PostgreSQL
# suites skip with a message of their own (printed by tests/global-setup.ts).
#
# PG_BIN names the directory of the binaries (as the harness reads it); ARLENS_PG_PACKAGE overrides the
# package installed (default: postgresql, Debian's current major version); ARLENS_PG_LIBDIR overrides
# where Debian puts the versions (/usr/lib/postgresql; tests use it to exercise the install path).
set -uo pipefail

libdir=${ARLENS_PG_LIBDIR:-/usr/lib/postgresql}

has_initdb() {
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ]; then return 0; fi
  if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir 2>/dev/null)/initdb" ]; then return 0; fi
  compgen -G "$libdir/*/bin/initdb" >/dev/null 2>&1
}

if has_initdb; then
  exit 0
fi

note() {
  echo "ensure-postgres: $1" >&2
  echo "ensure-postgres: the PostgreSQL tests will be SKIPPED; install the server binaries" \
    "(apt-get install -y postgresql) or set PG_BIN to their directory." >&2
  exit 0
}

if ! command -v apt-get >/dev/null 2>&1; then
  note "no initdb found, and apt-get is not available on this machine."
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    note "no initdb found; installing PostgreSQL needs root, and sudo is not available."
  fi
  sudo=(sudo -n)
fi

package=${ARLENS_PG_PACKAGE:-postgresql}
echo "ensure-postgres: installing $package with apt-get ..." >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q || note "apt-get update failed."
"${sudo[@]}" apt-get install -y -q --no-install-recommends "$package" || note "apt-get install $package failed."

if ! has_initdb; then
  note "apt-get installed $package, but no initdb was found afterwards."
fi
echo "ensure-postgres: installed $(compgen -G "$libdir/*/bin/initdb" | sort -V | tail -n 1)" >&2
