#!/usr/bin/env bash
# Concurrent use of an hnsw index, driven by pgbench:
#   phase 1: 4 clients insert rows, search, look up rows by their own vector, delete rows, and update rows (moving a
#            row to a new id and vector);
#   phase 2: while one client VACUUMs the table over and over, one inserts (also while VACUUM relinks and frees
#            elements; test_vacuum_inserts makes sure of that), one deletes, and two search and look up.
# Each insert and delete records its id in `inserted` / `deleted` in the same transaction (an update both). Rows 1..500 are never
# deleted: a lookup of one of them by its own vector must return it (a miss is recorded in `misses`), and a search
# must return 10 rows (fewer are recorded in `short_results`). Afterwards: no client failed, the table holds exactly
# the initial rows plus those inserted minus those deleted, and the index agrees with it (lib.sh check_index),
# before and after a last VACUUM. pgbench runs are time-bounded; one that does not end in time is a hang (a
# deadlock the server cannot see), reported with the sessions and locks of that moment.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

initial=1000
pinned=500

setup_db
sql <<SQL
CREATE TABLE items (id bigint PRIMARY KEY, v vector(16)) WITH (autovacuum_enabled = off);
CREATE SEQUENCE items_seq START $((initial + 1));
CREATE TABLE inserted (id bigint PRIMARY KEY);
CREATE TABLE deleted (id bigint PRIMARY KEY);
CREATE TABLE misses (k bigint, got bigint);
CREATE TABLE short_results (seed bigint, n bigint);
INSERT INTO items SELECT i, gv(i) FROM generate_series(1, $initial) i;
CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops);
SQL

cat >"$WORK/insert.sql" <<'SQL'
BEGIN;
INSERT INTO items SELECT n, gv(n) FROM nextval('items_seq') n;
INSERT INTO inserted VALUES (currval('items_seq'));
COMMIT;
SQL
cat >"$WORK/delete.sql" <<SQL
WITH victim AS (
	SELECT id FROM items WHERE id >= $((pinned + 1)) + (random() * (SELECT last_value FROM items_seq))::bigint
	ORDER BY id LIMIT 1
), d AS (DELETE FROM items WHERE id = (SELECT id FROM victim) RETURNING id)
INSERT INTO deleted SELECT id FROM d;
SQL
# An update moves a row to a new id (and so a new vector): a delete and an insert for the index and the bookkeeping
cat >"$WORK/update.sql" <<SQL
WITH victim AS (
	SELECT id FROM items WHERE id >= $((pinned + 1)) + (random() * (SELECT last_value FROM items_seq))::bigint
	ORDER BY id LIMIT 1
), moved AS (
	UPDATE items SET id = m.n, v = gv(m.n) FROM (SELECT nextval('items_seq') AS n) m
	WHERE items.id = (SELECT id FROM victim) RETURNING m.n
), gone AS (INSERT INTO deleted SELECT id FROM victim WHERE EXISTS (SELECT 1 FROM moved))
INSERT INTO inserted SELECT n FROM moved;
SQL
search="SELECT id FROM items ORDER BY v <-> gv(-:s) LIMIT 10"
cat >"$WORK/search.sql" <<SQL
\\set s random(1, 1000000000)
INSERT INTO short_results SELECT :s, n FROM (SELECT count(*) AS n FROM ($search) r) c WHERE n < 10;
SQL
lookup="SELECT id FROM items ORDER BY v <-> gv(:k) LIMIT 1"
cat >"$WORK/lookup.sql" <<SQL
\\set k random(1, $pinned)
INSERT INTO misses SELECT * FROM (SELECT :k::bigint AS k, ($lookup) AS got) l WHERE got IS DISTINCT FROM k;
SQL
echo "VACUUM items;" >"$WORK/vacuum.sql"
expect_index_plan items_v "${search//:s/1}"
expect_index_plan items_v "${lookup//:k/1}"

start=$SECONDS
pgbench_run mixed 4 insert.sql@4 search.sql@3 lookup.sql@2 delete.sql@1 update.sql@1
pgbench_run vacuum 1 vacuum.sql &
vacuum_run=$!
pgbench_run inserter 1 insert.sql &
inserter_run=$!
# A steady trickle, so that each VACUUM finds some work but not the whole table
pgbench_run deleter 1 -R 20 delete.sql &
deleter_run=$!
pgbench_run readers 2 search.sql@3 lookup.sql@2
wait "$inserter_run" || fail "the inserter's run failed"
wait "$deleter_run" || fail "the deleter's run failed"
wait "$vacuum_run" || fail "the VACUUM run failed"
log "pgbench phases took $((SECONDS - start)) s"

IFS='|' read -r rows inserts deletes < <(sql -c "SELECT (SELECT count(*) FROM items), (SELECT count(*) FROM inserted),
	(SELECT count(*) FROM deleted)")
log "$inserts inserts, $deletes deletes, $rows rows"
expect_eq "rows" "$rows" $((initial + inserts - deletes))
expect_eq "rows that should not be there" "$(sql -c "SELECT count(*) FROM items WHERE id > $initial AND id NOT IN
	(SELECT id FROM inserted) OR id IN (SELECT id FROM deleted)")" 0
expect_eq "deleted rows never inserted" "$(sql -c "SELECT count(*) FROM deleted WHERE id <= $pinned OR
	(id > $initial AND id NOT IN (SELECT id FROM inserted))")" 0
expect_eq "lookups of a pinned row by its own vector that missed it" \
	"$(sql -c "SELECT (SELECT count(*) FROM misses) || coalesce(': ' || string_agg(k || ' got ' ||
		coalesce(got::text, 'nothing'), ', '), '') FROM (SELECT * FROM misses LIMIT 5) m")" 0
expect_eq "searches that returned fewer than 10 rows" \
	"$(sql -c "SELECT (SELECT count(*) FROM short_results) || coalesce(': ' || string_agg(seed || ' got ' || n, ', '), '')
		FROM (SELECT * FROM short_results LIMIT 5) r")" 0

check_index items items_v "$rows" 2
sql -c "VACUUM items"
check_index items items_v "$rows"
log "passed"
