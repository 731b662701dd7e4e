#!/usr/bin/env bash
# Crash recovery of an hnsw index in the middle of VACUUM. Vacuuming the index takes several passes (drop dead heap
# TIDs, relink live elements around deleted ones, move the entry point, free the deleted elements), each page change
# its own WAL record, so a crash leaves the index between passes. A first VACUUM shows how long the index passes
# take; then, twice, rows are deleted, VACUUM runs, and the server crashes at 10% and 30% of that time (at least one
# crash must come while VACUUM works on the index). After each recovery every row left must be found through the
# index (own vector at distance 0, an iterative scan returns each once, recall@10 >= 0.9), new rows go in (reusing
# freed elements), and a last VACUUM must finish and leave the index consistent.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

rows=1500
next_id=$((rows + 1))

setup_db
sql <<SQL
CREATE TABLE items (id bigint PRIMARY KEY, v vector(16)) WITH (autovacuum_enabled = off);
INSERT INTO items SELECT i, gv(i) FROM generate_series(1, $rows) i;
CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops);
SQL

# delete_rows CYCLE: deletes about an eighth of the rows, a different eighth each cycle
delete_rows()
{
	deleted=$(sql -c "WITH d AS (DELETE FROM items WHERE (hashint8(id * 31 + $1) & 7) = 0 RETURNING 1)
		SELECT count(*) FROM d")
	rows=$((rows - deleted))
	log "cycle $1: deleted $deleted rows, $rows left"
}

# insert_rows N: N new rows, which may reuse the elements VACUUM freed
insert_rows()
{
	sql -c "INSERT INTO items SELECT i, gv(i) FROM generate_series($next_id, $((next_id + $1 - 1))) i"
	next_id=$((next_id + $1))
	rows=$((rows + $1))
}

# vacuum_in_background LOG: starts VACUUM, returns once it works on the index; sets vacuum (its pid). The VACUUM is
# slowed (vacuum_cost_delay, a sleep at nearly every page) so that its index passes take about as long on a fast
# machine as on a slow one: unslowed, they can end in under the 300 ms this test needs to crash in.
vacuum_in_background()
{
	sql -c "SET vacuum_cost_delay = '5ms'" -c "SET vacuum_cost_limit = 1" -c "VACUUM items" >"$1" 2>&1 &
	vacuum=$!
	local deadline=$((SECONDS + 60))
	until [[ $(vacuum_phase items) == "vacuuming indexes" ]]; do
		((SECONDS < deadline)) || fail "VACUUM did not reach its index phase: $(cat "$1")"
		sleep 0.01
	done
}

# Calibration: how long VACUUM spends on the index
delete_rows 0
vacuum_in_background "$WORK/vacuum.log"
index_start=$(date +%s%N)
while [[ $(vacuum_phase items) == "vacuuming indexes" ]]; do
	sleep 0.01
done
index_ms=$((($(date +%s%N) - index_start) / 1000000))
wait "$vacuum"
((index_ms >= 300)) || fail "VACUUM spent only $index_ms ms on the index: too short to crash in"
log "VACUUM spends $index_ms ms on the index"
insert_rows "$deleted"
check_index items items_v "$rows" 2

hits=0
for percent in 10 30; do
	delete_rows "$percent"
	vacuum_in_background "$WORK/vacuum.log"
	ms=$((index_ms * percent / 100))
	sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
	phase=$(vacuum_phase items)
	crash_server
	# A VACUUM that beat the crash (a busy machine makes times vary) leaves a recovery to check all the same
	if wait "$vacuum"; then
		log "VACUUM had finished before the crash, $ms ms into the index phase"
	else
		[[ $phase != "vacuuming indexes" ]] || hits=$((hits + 1))
		log "crashed $ms ms into the index phase (phase then: ${phase:-none})"
	fi
	restart_server
	check_index items items_v "$rows" 2
	insert_rows "$deleted"
	check_index items items_v "$rows" 2
done
((hits > 0)) || fail "no crash came while VACUUM worked on the index"

# A VACUUM after the crashes finishes the work the crashed ones left
sql -c "VACUUM items"
check_index items items_v "$rows"
log "passed"
