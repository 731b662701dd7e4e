#!/usr/bin/env bash
# Crash recovery of flat and ivfflat indexes, with and without quantization: the server is stopped as by a crash
# (immediate mode: no checkpoint, shared buffers lost) while one session inserts rows one transaction at a time into
# four tables, after their indexes were built and a VACUUM removed deleted rows, all since the last checkpoint.
# After the restart replays the WAL, each index must agree with its table: every committed row is found through the
# index by its own vector at distance 0, a full index scan returns every row once and no deleted one, and results
# equal exact ones (recall@10 = 1 with all lists probed); the indexes must take new rows.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

initial=1500
inserts_before_crash=300
insert_limit=50000
tables=(flat_none flat_sq8 ivf_none ivf_binary)

setup_db
sql <<SQL
CREATE TABLE committed (id bigint PRIMARY KEY);
INSERT INTO committed SELECT i FROM generate_series(1, $initial) i WHERE i % 10 <> 0;
SQL
for table in "${tables[@]}"; do
	sql -c "CREATE TABLE $table (id bigint PRIMARY KEY, v vector(16)) WITH (autovacuum_enabled = off)" \
		-c "INSERT INTO $table SELECT i, gv(i) FROM generate_series(1, $initial) i"
done
# From here on the index pages exist only in shared buffers and in the WAL
sql <<SQL
CHECKPOINT;
CREATE INDEX flat_none_v ON flat_none USING flat (v vector_l2_ops);
CREATE INDEX flat_sq8_v ON flat_sq8 USING flat (v vector_l2_ops) WITH (quantization = 'sq8');
CREATE INDEX ivf_none_v ON ivf_none USING ivfflat (v vector_l2_ops) WITH (lists = 20);
CREATE INDEX ivf_binary_v ON ivf_binary USING ivfflat (v vector_l2_ops) WITH (lists = 20, quantization = 'binary');
SQL
for table in "${tables[@]}"; do
	sql -c "DELETE FROM $table WHERE id % 10 = 0" -c "VACUUM $table"
done

# The inserter: one transaction per row into every table, each acknowledged commit echoed
{
	echo "SET synchronous_commit = on;"
	for ((id = initial + 1; id <= initial + insert_limit; id++)); do
		echo "BEGIN;"
		for table in "${tables[@]}"; do
			echo "INSERT INTO $table VALUES ($id, gv($id));"
		done
		echo "INSERT INTO committed VALUES ($id); COMMIT;"
		printf '\\echo acknowledged %d\n' "$id"
	done
} >"$WORK/inserts.sql"
sql -f "$WORK/inserts.sql" >"$WORK/inserter.log" 2>&1 &
inserter=$!
started=$SECONDS
wait_for 60 "SELECT count(*) >= $((initial * 9 / 10 + inserts_before_crash)) FROM committed"
kill -0 "$inserter" 2>/dev/null || fail "the inserter ended before the crash: $(tail -n 3 "$WORK/inserter.log")"
crash_server
inserter_status=0
wait "$inserter" || inserter_status=$?
((inserter_status != 0)) || fail "the inserter finished although the server crashed under it"
log "crashed after $((SECONDS - started)) s of inserts"
restart_server

acknowledged=$(grep -o 'acknowledged [0-9]*' "$WORK/inserter.log" | tail -n 1 | cut -d ' ' -f 2)
[[ -n $acknowledged ]] || fail "no insert was acknowledged"
expect_eq "acknowledged inserts kept" "$(sql -c "SELECT count(*) FROM committed WHERE id BETWEEN $((initial + 1)) AND $acknowledged")" \
	"$((acknowledged - initial))"

# check_ivf TABLE INDEX: no row without a committed id, no deleted row returned, and lib.sh's check_ivf_index
check_ivf()
{
	local table=$1 index=$2
	expect_eq "rows of $table without a committed id" "$(sql -c "SELECT count(*) FROM $table LEFT JOIN committed USING (id) WHERE committed.id IS NULL")" 0
	expect_eq "deleted rows of $table returned" "$(sql -c "SET enable_seqscan = off" -c "SET ivfflat.probes = 20" \
		-c "SELECT count(*) FROM (SELECT id FROM $table ORDER BY v <-> gv(-1) LIMIT 100000000) s
			WHERE id <= $initial AND id % 10 = 0")" 0
	check_ivf_index "$table" "$index" 20
}

for table in "${tables[@]}"; do
	check_ivf "$table" "${table}_v"
done

# The recovered indexes take new rows
for table in "${tables[@]}"; do
	sql -c "INSERT INTO $table SELECT i, gv(i) FROM generate_series(1000001, 1000200) i"
	sql -c "INSERT INTO committed SELECT i FROM generate_series(1000001, 1000200) i ON CONFLICT DO NOTHING"
	check_ivf "$table" "${table}_v"
done
log "passed"
