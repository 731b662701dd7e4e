#!/usr/bin/env bash
# VACUUM of an hnsw index lets inserts through. Rows of a table are deleted and a slowed VACUUM (vacuum_cost_delay,
# so its index passes take seconds) runs in the background; meanwhile another session inserts rows one by one. With
# half the rows deleted, while VACUUM is in its "vacuuming indexes" phase (here: the hnsw bulk delete, the table's
# only index) at least 5 inserts must commit and find VACUUM still in that phase afterwards: an insert that had to
# wait for the whole index pass would find VACUUM past it. Then the index must agree with the table (lib.sh
# check_index: index check, every row found by its own vector, an iterative scan returns each row once, recall),
# before and after another VACUUM (which frees what the first one relinked around while the inserts went on). Then
# the same with all the rows deleted (the inserts find no live element to link to; that index pass is short, so
# how many inserts it let through is only logged).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

rows=3000
next_id=$((rows + 1))

setup_db
sql <<SQL
CREATE TABLE items (id bigint, v vector(16)) WITH (autovacuum_enabled = off);
INSERT INTO items SELECT i, gv(i) FROM generate_series(1, $rows) i;
CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops);
SQL

# vacuum_while_inserting WHAT MIN_DURING: a slowed VACUUM, and inserts one by one until 10 came after its index phase (recall@10 needs 10 rows)
vacuum_while_inserting()
{
	# Cost 1 per page: VACUUM sleeps at nearly every page it reads or changes
	sql -c "SET vacuum_cost_delay = '20ms'" -c "SET vacuum_cost_limit = 1" -c "VACUUM items" >"$WORK/vacuum.out" 2>&1 &
	local vacuum=$! deadline=$((SECONDS + 60)) during=0 after=0 phase
	until [[ $(vacuum_phase items) == "vacuuming indexes" ]]; do
		kill -0 "$vacuum" 2>/dev/null || fail "VACUUM ended before it reached the index: $(cat "$WORK/vacuum.out")"
		((SECONDS < deadline)) || fail "VACUUM did not reach the index in 60 s"
		sleep 0.02
	done
	while ((after < 10)); do
		phase=$(sql -c "INSERT INTO items VALUES ($next_id, gv($next_id))" -c "SELECT phase FROM pg_stat_progress_vacuum
			WHERE relid = 'items'::regclass")
		next_id=$((next_id + 1))
		rows=$((rows + 1))
		if [[ $phase == "vacuuming indexes" ]]; then
			during=$((during + 1))
		else
			after=$((after + 1))
		fi
	done
	wait "$vacuum" || fail "VACUUM failed: $(cat "$WORK/vacuum.out")"
	log "$1: inserts that committed while VACUUM worked on the index: $during (and $after after)"
	((during >= $2)) || fail "$1: only $during inserts committed while VACUUM worked on the index: inserts wait for it"

	check_index items items_v "$rows"
	sql -c "VACUUM items"
	check_index items items_v "$rows"
}

sql -c "DELETE FROM items WHERE id % 2 = 0"
rows=$((rows / 2))
vacuum_while_inserting "half the rows deleted" 5

sql -c "DELETE FROM items"
rows=0
vacuum_while_inserting "all the rows deleted" 0
log "passed"
