#!/usr/bin/env bash
# The SQL sweep natively (the cases come from scripts/sql-sweep-cases.mjs, the same the PGlite test compares with
# pgvector): thousands of malformed literals, typmods, huge dimensions, bad index options and settings, each run in
# its own subtransaction by one PL/pgSQL loop. Every error must be clean (SQLSTATE class 22, 54, 42 or 0A), no
# backend may crash (the loop's session survives to report, the server log has no crash), both successes and errors
# occur, and afterwards an hnsw index built before the sweep still finds its rows and passes ruvector_index_check.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

setup_db
sql <<'SQL'
CREATE TABLE sweep_cases (n int PRIMARY KEY, sql text);
CREATE TABLE sweep_results (n int PRIMARY KEY, state text, message text);
CREATE TABLE kept (id int, v vector(3));
INSERT INTO kept SELECT i, ARRAY[i, i % 7, i % 11]::vector FROM generate_series(1, 500) i;
CREATE INDEX kept_v ON kept USING hnsw (v vector_l2_ops);
SQL
node "$RUVECTOR_ROOT/scripts/sql-sweep-cases.mjs" --sql >"$WORK/cases.sql"
sql -f "$WORK/cases.sql"
cases=$(sql -c "SELECT count(*) FROM sweep_cases")
((cases >= 3000)) || fail "only $cases sweep cases"

server_log="$(cat "${BUILD:-$RUVECTOR_ROOT/build}/pgrun/$RUVECTOR_PG_VERSION.dir")/server.log"
crashes=$(grep -c 'terminated by signal' "$server_log" || true)
sql <<'SQL'
DO $$
DECLARE
	c record;
BEGIN
	FOR c IN SELECT n, sql FROM sweep_cases ORDER BY n LOOP
		BEGIN
			EXECUTE c.sql;
			INSERT INTO sweep_results VALUES (c.n, '00000', NULL);
		EXCEPTION WHEN OTHERS THEN
			INSERT INTO sweep_results VALUES (c.n, SQLSTATE, SQLERRM);
		END;
		RESET ALL;
	END LOOP;
END $$;
SQL
expect_eq "backends crashed during the sweep" "$(grep -c 'terminated by signal' "$server_log" || true)" "$crashes"
expect_eq "cases with a result" "$(sql -c "SELECT count(*) FROM sweep_results")" "$cases"
unclean=$(sql -c "SELECT string_agg(r.state || ' ' || r.message || ' <- ' || left(c.sql, 80), E'\n')
	FROM sweep_results r JOIN sweep_cases c USING (n) WHERE left(r.state, 2) NOT IN ('00', '22', '54', '42', '0A')")
[[ -z $unclean ]] || fail "errors of an unexpected class: ${unclean:0:2000}"
IFS='|' read -r succeeded failed < <(sql -c "SELECT count(*) FILTER (WHERE state = '00000'),
	count(*) FILTER (WHERE state <> '00000') FROM sweep_results")
((succeeded > 0 && failed > cases / 2)) || fail "$succeeded cases succeeded and $failed failed: the sweep lost its mix"
log "$cases cases: $succeeded answered, $failed refused cleanly; by class: $(sql -c "SELECT string_agg(cls || '=' || n, ' ')
	FROM (SELECT left(state, 2) AS cls, count(*) AS n FROM sweep_results GROUP BY 1 ORDER BY 1) s")"

expect_eq "nearest row after the sweep" "$(sql -c "SET enable_seqscan = off" -c "SELECT id FROM kept ORDER BY v <-> '[250, 5, 8]' LIMIT 1")" 250
expect_eq "index check after the sweep" "$(sql -c "SELECT elements || ' ' || heap_tids FROM ruvector_index_check('kept_v')")" "500 500"
log "passed"
