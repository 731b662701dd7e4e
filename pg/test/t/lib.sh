# Helpers for the native crash-recovery and concurrency tests (pg/test/t/test_*.sh); sourced, not run.
# The server is scripts/pg-server.sh's throwaway instance of $RUVECTOR_PG_VERSION, already started; clients find it
# through PGHOST/PGPORT/PGUSER (pg-server.sh env). Each test works in a database of its own.
# shellcheck shell=bash

RUVECTOR_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
RUVECTOR_PG_VERSION=${RUVECTOR_PG_VERSION:?set RUVECTOR_PG_VERSION to 15 or 18}
SERVER=$RUVECTOR_ROOT/scripts/pg-server.sh
CLIENT_BIN=${CLIENT_BIN:-/usr/lib/postgresql/15/bin}
TEST_NAME=$(basename "$0" .sh)
# Scratch files of this test (pgbench scripts, background clients' output)
WORK=${TEST_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/ruvector-$TEST_NAME.XXXXXX")}
mkdir -p "$WORK"
DB=${TEST_NAME#test_}

log()
{
	echo "[$TEST_NAME pg$RUVECTOR_PG_VERSION ${SECONDS}s] $*"
}

fail()
{
	log "FAIL: $*" >&2
	exit 1
}

# sql [psql options] SQL: one unaligned, tuples-only result; stops at the first error
sql()
{
	"$CLIENT_BIN/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$DB" "$@"
}

# expect_eq WHAT ACTUAL EXPECTED
expect_eq()
{
	[[ $2 == "$3" ]] || fail "$1: got '$2', expected '$3'"
}

# A fresh database with the extension and the test vectors:
#   gv(seed) is a pseudo-random vector(16) in [-1, 1)^16 that depends only on seed (rows use their id, queries
#   negative seeds), so a row's vector can be recomputed from its id after a crash.
#   recall_at_10(table, queries) is the fraction of the exact 10 nearest (sequential scan) that an index scan returns.
setup_db()
{
	"$CLIENT_BIN/psql" -X -q -v ON_ERROR_STOP=1 -d postgres -c "SET client_min_messages = warning" \
		-c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
	# No JIT: the disabled-plan costs of the checks would make every query compile
	sql <<SQL
ALTER DATABASE $DB SET jit = off;
SQL
	sql <<'SQL'
CREATE EXTENSION ruvector;
CREATE FUNCTION gv(seed bigint) RETURNS vector(16) IMMUTABLE PARALLEL SAFE LANGUAGE sql AS $$
	SELECT ('[' || string_agg(((hashint8(seed * 16 + j) & 65535) / 32768.0 - 1)::text, ',' ORDER BY j) || ']')::vector(16)
	FROM generate_series(0, 15) j
$$;
CREATE FUNCTION recall_at_10(tbl regclass, queries int) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
	found bigint;
BEGIN
	-- The query vectors are computed once, not per row of the exact scan
	CREATE TEMP TABLE recall_queries AS SELECT q, gv(-q) AS qv FROM generate_series(1, queries) q;
	SET LOCAL enable_indexscan = off;
	SET LOCAL enable_bitmapscan = off;
	SET LOCAL enable_seqscan = on;
	EXECUTE format('CREATE TEMP TABLE exact_nn AS SELECT q, id FROM recall_queries
		CROSS JOIN LATERAL (SELECT id FROM %s ORDER BY v <-> qv LIMIT 10) nn', tbl);
	SET LOCAL enable_indexscan = on;
	SET LOCAL enable_seqscan = off;
	EXECUTE format('CREATE TEMP TABLE approx_nn AS SELECT q, id FROM recall_queries
		CROSS JOIN LATERAL (SELECT id FROM %s ORDER BY v <-> qv LIMIT 10) nn', tbl);
	SELECT count(*) INTO found FROM exact_nn JOIN approx_nn USING (q, id);
	DROP TABLE recall_queries, exact_nn, approx_nn;
	RETURN round(found::numeric / (queries * 10), 4);
END $$;
SQL
}

# expect_index_plan INDEX QUERY: the query's plan scans INDEX (so a check cannot pass through a sequential scan)
expect_index_plan()
{
	local plan
	plan=$(sql -c "SET enable_seqscan = off" -c "EXPLAIN (COSTS OFF) $2")
	grep -q "Index Scan using $1 " <<<"$plan" || fail "plan does not scan $1: $plan"
}

# check_index TABLE INDEX EXPECTED_ROWS [SAMPLE_STEP]
# The table (id bigint, v vector(16)) and its hnsw index agree:
#   - the table holds EXPECTED_ROWS rows, each with its vector gv(id);
#   - ruvector_index_check passes and counts at least EXPECTED_ROWS heap TIDs;
#   - every SAMPLE_STEP-th row (every row by default) is the nearest neighbour of its own vector through the index,
#     at distance 0;
#   - an iterative scan through the index returns every row, once;
#   - recall@10 against exact results on 50 random queries is at least 0.9.
check_index()
{
	local table=$1 index=$2 expected=$3 step=${4:-1} rows wrong sampled found missing count distinct recall
	rows=$(sql -c "SELECT count(*) FROM $table")
	expect_eq "rows in $table" "$rows" "$expected"
	wrong=$(sql -c "SELECT count(*) FROM $table WHERE (v <-> gv(id)) <> 0")
	expect_eq "rows of $table whose vector is not gv(id)" "$wrong" 0
	# The index is consistent page by page; it may still hold the TIDs of rows deleted but not vacuumed yet
	local heap_tids
	heap_tids=$(sql -c "SELECT heap_tids FROM ruvector_index_check('$index')")
	((heap_tids >= expected)) || fail "ruvector_index_check counted $heap_tids heap TIDs in $index, below $expected rows"

	local self="FROM (SELECT id, v FROM $table WHERE id % $step = 0) s CROSS JOIN LATERAL
		(SELECT t.id, t.v <-> s.v AS d FROM $table t ORDER BY t.v <-> s.v LIMIT 1) nn"
	expect_index_plan "$index" "SELECT s.id $self"
	IFS='|' read -r sampled found missing < <(sql -c "SET enable_seqscan = off" \
		-c "SELECT count(*), count(*) FILTER (WHERE nn.d = 0),
			coalesce(string_agg(s.id::text, ',') FILTER (WHERE nn.d <> 0), '') $self")
	((sampled > 0)) || fail "no rows sampled from $table"
	((sampled == found)) || fail "$((sampled - found)) of $sampled rows not found by their own vector: ids ${missing:0:200}"

	local all="SELECT id FROM $table ORDER BY v <-> gv(-1) LIMIT 100000000"
	expect_index_plan "$index" "$all"
	IFS='|' read -r count distinct < <(sql -c "SET enable_seqscan = off" -c "SET hnsw.iterative_scan = relaxed_order" \
		-c "SET hnsw.max_scan_tuples = 100000000" -c "SET work_mem = '256MB'" \
		-c "SELECT count(*), count(DISTINCT id) FROM ($all) s")
	expect_eq "rows of $table returned by an iterative index scan" "$count" "$expected"
	expect_eq "distinct rows of $table returned by an iterative index scan" "$distinct" "$count"

	recall=$(sql -c "SELECT recall_at_10('$table', 50)")
	[[ $(sql -c "SELECT $recall >= 0.9") == t ]] || fail "recall@10 of $index is $recall, below 0.9"
	log "$table: $rows rows; $found/$sampled found by their own vector; iterative scan returned $count; recall@10 $recall"
}

# check_ivf_index TABLE INDEX LISTS
# The table (id bigint, v vector(16)) and its flat or ivfflat index agree, with all LISTS lists probed:
#   - ruvector_index_check passes and counts at least as many entries as rows (a crash or an unvacuumed delete may
#     leave more, never fewer);
#   - a full index scan returns every row once;
#   - every 7th row is found through the index by its own vector, at distance 0;
#   - recall@10 against exact results on 20 queries is 1.
check_ivf_index()
{
	local table=$1 index=$2 lists=$3 rows heap_tids count distinct found exact
	local settings=(-c "SET enable_seqscan = off" -c "SET ivfflat.probes = $lists")
	rows=$(sql -c "SELECT count(*) FROM $table")
	heap_tids=$(sql -c "SELECT heap_tids FROM ruvector_index_check('$index')")
	((heap_tids >= rows)) || fail "ruvector_index_check counted $heap_tids entries in $index, below $rows rows"

	local all="SELECT id FROM $table ORDER BY v <-> gv(-1) LIMIT 100000000"
	expect_index_plan "$index" "$all"
	IFS='|' read -r count distinct < <(sql "${settings[@]}" -c "SELECT count(*), count(DISTINCT id) FROM ($all) s")
	expect_eq "rows of $table returned by a full index scan" "$count" "$rows"
	expect_eq "distinct rows of $table returned by a full index scan" "$distinct" "$rows"

	found=$(sql "${settings[@]}" -c "SELECT count(*) FROM $table s CROSS JOIN LATERAL
		(SELECT t.v <-> s.v AS d FROM $table t ORDER BY t.v <-> s.v LIMIT 1) nn WHERE s.id % 7 = 0 AND nn.d = 0")
	expect_eq "rows of $table found by their own vector" "$found" "$(sql -c "SELECT count(*) FROM $table WHERE id % 7 = 0")"

	exact=$(sql "${settings[@]}" -c "SELECT recall_at_10('$table', 20)")
	[[ $(sql -c "SELECT $exact = 1") == t ]] || fail "recall@10 of $index is $exact, not 1"
	log "$index: $rows rows, $heap_tids entries, recall@10 $exact"
}

phase_seconds=${RUVECTOR_CONCURRENCY_SECONDS:-7}

# vacuum_phase TABLE: the phase of the VACUUM of TABLE under way, empty when none
vacuum_phase()
{
	sql -c "SELECT phase FROM pg_stat_progress_vacuum WHERE relid = '$1'::regclass"
}

# Sessions and locks, for a run that hangs
dump_activity()
{
	sql -c "SELECT pid, state, wait_event_type, wait_event, left(query, 80) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()" \
		-c "SELECT pid, relation::regclass, locktype, page, mode, granted FROM pg_locks
			WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database())" >&2 || true
}

# pgbench_run NAME CLIENTS [-R TPS] SCRIPT...: a time-bounded run of the scripts $WORK/SCRIPT for phase_seconds
# (make soak runs longer phases); its report goes to $WORK/NAME.out. It must end in time, with no failed transaction,
# and every script must have run.
pgbench_run()
{
	local name=$1 clients=$2 status=0 rate=()
	shift 2
	if [[ $1 == -R ]]; then
		rate=(-R "$2")
		shift 2
	fi
	local scripts=()
	for script in "$@"; do
		scripts+=(-f "$WORK/$script")
	done
	# A transaction under way when the time is up finishes first (a VACUUM, say), so a run may end after its time
	timeout -k 5 $((phase_seconds + 90)) "$CLIENT_BIN/pgbench" -n -c "$clients" -j "$clients" -T "$phase_seconds" \
		"${rate[@]}" "${scripts[@]}" "$DB" >"$WORK/$name.out" 2>&1 || status=$?
	if ((status == 124 || status == 137)); then
		dump_activity
		fail "pgbench $name did not end in time: hang or undetected deadlock"
	fi
	((status == 0)) || fail "pgbench $name failed (exit $status): $(grep -iE 'error|abort' "$WORK/$name.out" | head -n 5)"
	grep -q '^number of failed transactions: 0 ' "$WORK/$name.out" ||
		fail "pgbench $name: $(grep 'failed transactions' "$WORK/$name.out")"
	local counts
	# With several scripts, one "- N transactions" line each; with one, the total
	counts=$(grep -E '^ - [0-9]+ transactions' "$WORK/$name.out" | awk '{print $2}' | paste -sd ' ' || true)
	[[ -n $counts ]] || counts=$(grep 'actually processed' "$WORK/$name.out" | awk '{print $NF}')
	[[ -n $counts ]] || fail "pgbench $name reported no transactions: $(cat "$WORK/$name.out")"
	for n in $counts; do
		((n > 0)) || fail "pgbench $name: a script never ran: $counts"
	done
	log "pgbench $name: transactions per script ($*): $counts; latency $(grep -m 1 'latency average' "$WORK/$name.out" | cut -d ' ' -f 4-)"
}

crash_server()
{
	"$SERVER" crash "$RUVECTOR_PG_VERSION"
}

# Restart after a crash and make sure the server did replay WAL
restart_server()
{
	local log_file before
	log_file="$(cat "${BUILD:-$RUVECTOR_ROOT/build}/pgrun/$RUVECTOR_PG_VERSION.dir" 2>/dev/null || true)/server.log"
	before=$(grep -c 'redo starts at' "$log_file" 2>/dev/null || true)
	"$SERVER" restart "$RUVECTOR_PG_VERSION"
	(($(grep -c 'redo starts at' "$log_file") > before)) || fail "the server did not replay WAL after the crash"
}

# wait_for TIMEOUT_S SQL: until SQL returns t; fails after TIMEOUT_S seconds
wait_for()
{
	local deadline=$((SECONDS + $1))
	until [[ $(sql -c "$2") == t ]]; do
		((SECONDS < deadline)) || fail "timed out waiting for: $2"
		sleep 0.05
	done
}
