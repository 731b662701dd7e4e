#!/usr/bin/env bash
# Crash recovery of hnsw indexes: the server is stopped as by a crash (immediate mode: no checkpoint, shared buffers
# lost) while one session inserts rows one transaction at a time and another builds an index, right after a third
# index was built. After the restart replays the WAL, every committed row must be in its index: found by its own
# vector at distance 0, returned by an iterative scan, with recall@10 >= 0.9; and the indexes must take new rows.
#   items: built over 2000 rows, then single-row inserts, each committing its id to `committed` in the same
#          transaction; the crash comes after at least 600 of them, while they go on.
#   built: 3000 rows, index built with quantization = 'sq8' and maintenance_work_mem = 1MB (the quantizer is trained
#          on the rows in memory and its codebook written to the meta page, the last rows go through the on-disk insert
#          path as codes, the build WAL-logs every page at its end), committed just before the crash.
#   unbuilt: 10000 rows whose index build is under way at the crash: after recovery the table has no index, and
#          building it again works. (A loaded or sanitizer-slowed machine can let the build commit between the
#          progress check and the crash; then the index must have survived whole instead.)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

initial=2000
inserts_before_crash=600
insert_limit=50000

setup_db
sql <<SQL
CREATE TABLE items (id bigint PRIMARY KEY, v vector(16)) WITH (autovacuum_enabled = off);
CREATE TABLE committed (id bigint PRIMARY KEY);
INSERT INTO items SELECT i, gv(i) FROM generate_series(1, $initial) i;
INSERT INTO committed SELECT id FROM items;
CREATE TABLE built (id bigint PRIMARY KEY, v vector(16)) WITH (autovacuum_enabled = off);
INSERT INTO built SELECT i, gv(i) FROM generate_series(1, 3000) i;
CREATE TABLE unbuilt (id bigint PRIMARY KEY, v vector(16)) WITH (autovacuum_enabled = off);
INSERT INTO unbuilt SELECT i, gv(i) FROM generate_series(1, 10000) i;
-- From here on the index pages exist only in shared buffers and in the WAL
CHECKPOINT;
CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops);
SQL
spill=$(sql -c "SET maintenance_work_mem = '1MB'" -c "CREATE INDEX built_v ON built USING hnsw (v vector_l2_ops) WITH (quantization = 'sq8')" 2>&1)
grep -q 'no longer fits into maintenance_work_mem' <<<"$spill" || fail "the build of built_v did not outgrow memory: $spill"

# The inserter: one transaction per row, each acknowledged commit echoed
{
	echo "SET synchronous_commit = on;"
	for ((id = initial + 1; id <= initial + insert_limit; id++)); do
		echo "BEGIN; INSERT INTO items VALUES ($id, gv($id)); INSERT INTO committed VALUES ($id); COMMIT;"
		printf '\\echo acknowledged %d\n' "$id"
	done
} >"$WORK/inserts.sql"
sql -f "$WORK/inserts.sql" >"$WORK/inserter.log" 2>&1 &
inserter=$!
started=$SECONDS
wait_for 60 "SELECT count(*) >= $((initial + inserts_before_crash)) FROM committed"
sql -c "ANALYZE unbuilt" >/dev/null
sql -c "CREATE INDEX unbuilt_v ON unbuilt USING hnsw (v vector_l2_ops)" >"$WORK/builder.log" 2>&1 &
builder=$!
# The build reports its phase and progress against the planner's row estimate (a fast machine can finish the build
# between two looks: then it has committed, which the checks after the crash accept)
deadline=$((SECONDS + 30))
until [[ $(sql -c "SELECT count(*) > 0 FROM pg_stat_progress_create_index
	WHERE relid = 'unbuilt'::regclass AND phase = 'building index: loading tuples'
	AND tuples_done > 0 AND tuples_total >= tuples_done") == t ]]; do
	kill -0 "$builder" 2>/dev/null || break
	((SECONDS < deadline)) || fail "the build of unbuilt_v showed no progress in 30 s"
	sleep 0.02
done
kill -0 "$inserter" 2>/dev/null || fail "the inserter ended before the crash: $(tail -n 3 "$WORK/inserter.log")"
crash_server
inserter_status=0
wait "$inserter" || inserter_status=$?
builder_status=0
wait "$builder" || builder_status=$?
((inserter_status != 0)) || fail "the inserter finished although the server crashed under it"
((builder_status != 0)) || log "the build of unbuilt_v committed before the crash"
log "crashed after $((SECONDS - started)) s of inserts"

recovery_start=$SECONDS
restart_server
log "recovered in $((SECONDS - recovery_start)) s"

# Every commit the client saw survived, and nothing beyond the one commit in flight
acknowledged=$(grep -o 'acknowledged [0-9]*' "$WORK/inserter.log" | tail -n 1 | cut -d ' ' -f 2)
[[ -n $acknowledged ]] || fail "no insert was acknowledged"
IFS='|' read -r kept newest < <(sql -c "SELECT count(*), max(id) FROM committed WHERE id > $initial")
expect_eq "acknowledged inserts kept" "$(sql -c "SELECT count(*) FROM committed WHERE id BETWEEN $((initial + 1)) AND $acknowledged")" \
	"$((acknowledged - initial))"
((newest <= acknowledged + 1)) || fail "row $newest committed after the last acknowledged $acknowledged"
expect_eq "rows in items without a committed id" "$(sql -c "SELECT count(*) FROM items LEFT JOIN committed USING (id) WHERE committed.id IS NULL")" 0
log "$kept inserts committed before the crash (the last acknowledged: id $acknowledged)"

rows=$((initial + kept))
check_index items items_v "$rows"
check_index built built_v 3000

expect_eq "indexes of unbuilt after the crash" "$(sql -c "SELECT count(*) FROM pg_index WHERE indrelid = 'unbuilt'::regclass AND indexrelid <> 'unbuilt_pkey'::regclass")" $((builder_status == 0 ? 1 : 0))
((builder_status == 0)) || sql -c "CREATE INDEX unbuilt_v ON unbuilt USING hnsw (v vector_l2_ops)"
check_index unbuilt unbuilt_v 10000 5

# The recovered indexes take new rows
sql -c "INSERT INTO items SELECT i, gv(i) FROM generate_series(1000001, 1000300) i" \
	-c "INSERT INTO built SELECT i, gv(i) FROM generate_series(1000001, 1000300) i"
check_index items items_v $((rows + 300)) 2
check_index built built_v 3300 2
log "passed"
