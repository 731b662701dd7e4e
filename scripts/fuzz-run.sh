#!/usr/bin/env bash
# Runs one libFuzzer target over its committed corpus (fuzz/corpus/TARGET) and dictionary (fuzz/TARGET.dict),
# then RUNS new inputs. New interesting inputs and crash artifacts stay under the build folder
# (FUZZ_BUILD/found), never in the committed corpus. Prints the execution count; on a failure the log's end.
# Usage: fuzz-run.sh FUZZ_BUILD TARGET RUNS
set -euo pipefail

fuzz_build=${1:?usage: fuzz-run.sh FUZZ_BUILD TARGET RUNS}
target=${2:?usage: fuzz-run.sh FUZZ_BUILD TARGET RUNS}
runs=${3:?usage: fuzz-run.sh FUZZ_BUILD TARGET RUNS}
fuzz_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../fuzz" && pwd)
found=$fuzz_build/found/$target
log=$fuzz_build/$target.log
mkdir -p "$found"

dict=()
if [[ -f $fuzz_dir/$target.dict ]]; then
	dict=(-dict="$fuzz_dir/$target.dict")
fi
start=$SECONDS
if ! "$fuzz_build/$target" -runs="$runs" -seed=1 -max_len=4096 -print_final_stats=1 "${dict[@]}" \
	-artifact_prefix="$found/" "$found" "$fuzz_dir/corpus/$target" >"$log" 2>&1; then
	echo "fuzz-run: $target FAILED; the input is in $found/ (crash-*, leak-*, timeout-*); log $log:" >&2
	tail -n 40 "$log" >&2
	exit 1
fi
executed=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
echo "fuzz-run: $target: $executed executions, no findings, $((SECONDS - start)) s"
