#!/usr/bin/env bash
# Streaming replication: every change to a ruvector index reaches a hot standby through the WAL (the generic WAL
# records of builds, inserts and VACUUM), so the standby answers index scans exactly as the primary does.
# The standby is an online base backup taken before any ruvector table exists, so each index page it holds came from
# replaying the WAL. On the primary: six indexes are built (hnsw in memory, hnsw over an empty table filled by inserts,
# hnsw with sq8 codes past maintenance_work_mem, hnsw in parallel, flat with sq8 codes, ivfflat with binary codes),
# rows inserted in bulk and one per transaction, a fifth deleted, VACUUM, rows inserted again into the freed space;
# meanwhile the standby runs searches (no error allowed). Once the standby has replayed everything:
#   - every index file is byte for byte the primary's (both flushed by a checkpoint / restartpoint);
#   - the standby's plans scan the index, and its 10 nearest for 20 queries equal the primary's;
#   - a full index scan on the standby returns every row once;
#   - ruvector_index_check passes on the standby (WAL replay paused) with the primary's counts.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

setup_db
"$SERVER" standby-start "$RUVECTOR_PG_VERSION" >/dev/null
standby_host=$(
	eval "$("$SERVER" standby-env "$RUVECTOR_PG_VERSION")"
	echo "$PGHOST"
)
on_standby()
{
	PGHOST=$standby_host sql "$@"
}
expect_eq "standby in recovery" "$(on_standby -c "SELECT pg_is_in_recovery()")" t

# table|index type and options|rows at build; each table holds (id, gv(id)) rows
indexes=(
	"hnsw_memory|hnsw (v vector_l2_ops)|1500"
	"hnsw_inserted|hnsw (v vector_l2_ops) WITH (m = 8)|0"
	"hnsw_sq8|hnsw (v vector_l2_ops) WITH (quantization = 'sq8')|1500"
	"hnsw_parallel|hnsw (v vector_l2_ops)|1500"
	"flat_sq8|flat (v vector_l2_ops) WITH (quantization = 'sq8')|1500"
	"ivf_binary|ivfflat (v vector_l2_ops) WITH (lists = 10, quantization = 'binary')|1500"
)
lists=10
tables=()
for entry in "${indexes[@]}"; do
	IFS='|' read -r table method rows <<<"$entry"
	tables+=("$table")
	sql -c "CREATE TABLE $table (id bigint PRIMARY KEY, v vector(16)) WITH (autovacuum_enabled = off, parallel_workers = 2)" \
		-c "INSERT INTO $table SELECT i, gv(i) FROM generate_series(1, $rows) i"
	out=$(sql -c "SET client_min_messages = debug1" -c "SET maintenance_work_mem = '$([[ $table == hnsw_sq8 ]] && echo 1MB || echo 64MB)'" \
		-c "SET max_parallel_maintenance_workers = $([[ $table == hnsw_parallel ]] && echo 2 || echo 0)" \
		-c "CREATE INDEX ${table}_v ON $table USING $method" 2>&1) || fail "CREATE INDEX ${table}_v: $out"
	case $table in
	hnsw_sq8) grep -q 'no longer fits into maintenance_work_mem' <<<"$out" || fail "the build of hnsw_sq8 did not outgrow memory: $out" ;;
	hnsw_parallel) grep -q 'using 2 parallel workers' <<<"$out" || fail "the build of hnsw_parallel was not parallel: $out" ;;
	esac
done
log "built ${#tables[@]} indexes"
# The standby must have the tables before it searches them
lsn=$(sql -c "SELECT pg_current_wal_lsn()")
PGHOST=$standby_host wait_for 60 "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn"

# Searches on the standby while the primary writes and replay goes on
cat >"$WORK/standby_search.sql" <<'SQL'
\set q random(1, 1000)
SET enable_seqscan = off;
SELECT id FROM hnsw_memory ORDER BY v <-> gv(-:q) LIMIT 5;
SELECT id FROM hnsw_inserted ORDER BY v <-> gv(-:q) LIMIT 5;
SELECT id FROM hnsw_sq8 ORDER BY v <-> gv(-:q) LIMIT 5;
SELECT id FROM hnsw_parallel ORDER BY v <-> gv(-:q) LIMIT 5;
SELECT id FROM flat_sq8 ORDER BY v <-> gv(-:q) LIMIT 5;
SELECT id FROM ivf_binary ORDER BY v <-> gv(-:q) LIMIT 5;
SQL
(PGHOST=$standby_host pgbench_run standby_search 2 -R 50 standby_search.sql) &
searches=$!

# Bulk inserts, inserts one per transaction, deletes, VACUUM, inserts into the freed space
{
	for table in "${tables[@]}"; do
		echo "INSERT INTO $table SELECT i, gv(i) FROM generate_series(2001, 2500) i;"
	done
	for ((id = 2501; id <= 2540; id++)); do
		for table in "${tables[@]}"; do
			echo "INSERT INTO $table VALUES ($id, gv($id));"
		done
	done
	for table in "${tables[@]}"; do
		echo "DELETE FROM $table WHERE id % 5 = 0;"
		echo "VACUUM $table;"
		echo "INSERT INTO $table SELECT i, gv(i) FROM generate_series(3001, 3300) i;"
	done
} >"$WORK/writes.sql"
sql -f "$WORK/writes.sql" >/dev/null
wait "$searches" || fail "searches on the standby during replay failed"

# Flush both servers' buffers: a checkpoint on the primary, then, once replayed, a restartpoint on the standby
sql -c "CHECKPOINT"
lsn=$(sql -c "SELECT pg_current_wal_lsn()")
PGHOST=$standby_host wait_for 60 "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn"
on_standby -c "CHECKPOINT"
log "standby replayed up to $lsn"

# block_digests INDEX: the md5 of each block of the index's main fork, in order
block_digests()
{
	echo "SELECT string_agg(md5(substr(f, b * 8192 + 1, 8192)), ' ' ORDER BY b)
		FROM (SELECT pg_read_binary_file(pg_relation_filepath('$1')) f) file,
		generate_series(0, (pg_relation_size('$1') / 8192 - 1)::int) b"
}

# nearest TABLE: the ids of the 10 nearest rows of 20 queries, through the index
nearest()
{
	echo "SELECT string_agg(array(SELECT id FROM $1 ORDER BY v <-> gv(-q) LIMIT 10)::text, ' ' ORDER BY q)
		FROM generate_series(1, 20) q"
}

# The check refuses to run while replay could change the index under it
out=$(on_standby -v VERBOSITY=verbose -c "SELECT * FROM ruvector_index_check('hnsw_memory_v')" 2>&1) &&
	fail "ruvector_index_check ran on the standby while WAL replay was on: $out"
grep -q 'ERROR:  55000: ruvector_index_check needs WAL replay paused during recovery' <<<"$out" ||
	fail "ruvector_index_check during replay: $out"
on_standby -c "SELECT pg_wal_replay_pause()" >/dev/null
PGHOST=$standby_host wait_for 30 "SELECT pg_get_wal_replay_pause_state() = 'paused'"
for table in "${tables[@]}"; do
	index=${table}_v
	settings=(-c "SET enable_seqscan = off" -c "SET ivfflat.probes = $lists" -c "SET hnsw.ef_search = 100")

	primary_blocks=$(block_digests "$index" | sql)
	standby_blocks=$(block_digests "$index" | on_standby)
	[[ -n $primary_blocks && $primary_blocks == "$standby_blocks" ]] ||
		fail "$index: the standby's blocks differ from the primary's: $(diff <(tr ' ' '\n' <<<"$primary_blocks") \
			<(tr ' ' '\n' <<<"$standby_blocks") | head -n 6 | tr '\n' ' ')"
	blocks=$(wc -w <<<"$primary_blocks")

	rows=$(sql -c "SELECT count(*) FROM $table")
	expect_eq "rows of $table on the standby" "$(on_standby -c "SELECT count(*) FROM $table")" "$rows"
	query="SELECT id FROM $table ORDER BY v <-> gv(-1) LIMIT 10"
	expect_index_plan "$index" "$query"
	PGHOST=$standby_host expect_index_plan "$index" "$query"
	primary_nearest=$(sql "${settings[@]}" -c "$(nearest "$table")")
	expect_eq "$index: the standby's 10 nearest of 20 queries" "$(on_standby "${settings[@]}" -c "$(nearest "$table")")" \
		"$primary_nearest"
	# The primary's answers are good ones: recall against an exact scan (the lists all probed are exact)
	recall=$(sql "${settings[@]}" -c "SELECT recall_at_10('$table', 20)")
	[[ $(sql -c "SELECT $recall >= 0.9") == t ]] || fail "recall@10 of $index is $recall, below 0.9"

	IFS='|' read -r count distinct < <(on_standby "${settings[@]}" -c "SET hnsw.iterative_scan = relaxed_order" \
		-c "SET hnsw.max_scan_tuples = 100000000" -c "SET work_mem = '64MB'" \
		-c "SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM $table ORDER BY v <-> gv(-1) LIMIT 100000000) s")
	expect_eq "rows of $table in a full index scan on the standby" "$count|$distinct" "$rows|$rows"

	check=$(sql -c "SELECT * FROM ruvector_index_check('$index')")
	expect_eq "ruvector_index_check('$index') on the standby" "$(on_standby -c "SELECT * FROM ruvector_index_check('$index')")" "$check"
	log "$index: $rows rows, $blocks blocks equal, 10 nearest equal, recall@10 $recall on the primary, check $check"
done
on_standby -c "SELECT pg_wal_replay_resume()" >/dev/null
log "passed"
