#!/usr/bin/env bash
# Concurrent use of flat and ivfflat indexes, driven by pgbench, as test_concurrency.sh does for hnsw. Two tables hold
# the same rows: flat_items (flat index) and ivf_items (ivfflat, 20 lists); every transaction changes both alike.
#   phase 1: 4 clients insert rows, search, look up rows by their own vector, delete rows, and update rows (moving a
#            row to a new id and vector);
#   phase 2: while one client VACUUMs both tables over and over, one inserts, one deletes, and two search and look up.
# Each insert and delete records its id in `inserted` / `deleted` in the same transaction (an update both). Rows
# 1..500 are never deleted: a lookup of one of them by its own vector must return it from both indexes (a miss is
# recorded in `misses`), and a search must return 10 rows from each (fewer are recorded in `short_results`).
# Every client may scan a backend-local copy of the flat index (ruvector.flat_cache_size), so an inserter also looks
# its new row up by its vector in the same transaction (a stale copy would miss it; recorded in `misses`, probes 0).
# Searches probe every list, so ivfflat answers as an exact scan would; a lookup also runs with one probe, where a
# row's own list, the one nearest its vector, must hold it. Afterwards: no client failed, both tables hold exactly the
# initial rows plus those inserted minus those deleted, and each index agrees with its table (lib.sh
# check_ivf_index), before and after a last VACUUM.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

initial=1000
pinned=500
lists=20

setup_db
sql <<SQL
ALTER DATABASE $DB SET ivfflat.probes = $lists;
ALTER DATABASE $DB SET ruvector.flat_cache_size = '16MB';
CREATE SEQUENCE items_seq START $((initial + 1));
CREATE TABLE flat_items (id bigint PRIMARY KEY, v vector(16)) WITH (autovacuum_enabled = off);
CREATE TABLE ivf_items (id bigint PRIMARY KEY, v vector(16)) WITH (autovacuum_enabled = off);
CREATE TABLE inserted (id bigint PRIMARY KEY);
CREATE TABLE deleted (id bigint PRIMARY KEY);
CREATE TABLE misses (tbl text, probes int, k bigint, got bigint);
CREATE TABLE short_results (tbl text, seed bigint, n bigint);
INSERT INTO flat_items SELECT i, gv(i) FROM generate_series(1, $initial) i;
INSERT INTO ivf_items SELECT * FROM flat_items;
CREATE INDEX flat_items_v ON flat_items USING flat (v vector_l2_ops);
CREATE INDEX ivf_items_v ON ivf_items USING ivfflat (v vector_l2_ops) WITH (lists = $lists);
SQL

cat >"$WORK/insert.sql" <<'SQL'
BEGIN;
INSERT INTO flat_items SELECT n, gv(n) FROM nextval('items_seq') n;
INSERT INTO ivf_items VALUES (currval('items_seq'), gv(currval('items_seq')));
INSERT INTO inserted VALUES (currval('items_seq'));
INSERT INTO misses SELECT 'flat_items', 0, * FROM (SELECT currval('items_seq') AS k,
	(SELECT id FROM flat_items ORDER BY v <-> gv(currval('items_seq')) LIMIT 1) AS got) l WHERE got IS DISTINCT FROM k;
COMMIT;
SQL
# The victim is the first row at or after a random id, the same in both tables
victim="SELECT id FROM flat_items WHERE id >= $((pinned + 1)) + (random() * (SELECT last_value FROM items_seq))::bigint
	ORDER BY id LIMIT 1"
cat >"$WORK/delete.sql" <<SQL
WITH victim AS ($victim),
d1 AS (DELETE FROM flat_items WHERE id = (SELECT id FROM victim) RETURNING id),
d2 AS (DELETE FROM ivf_items WHERE id = (SELECT id FROM victim) RETURNING id)
INSERT INTO deleted SELECT id FROM d1 WHERE EXISTS (SELECT 1 FROM d2);
SQL
# An update moves a row to a new id (and so a new vector): a delete and an insert for the index and the bookkeeping
cat >"$WORK/update.sql" <<SQL
WITH victim AS ($victim), m AS (SELECT nextval('items_seq') AS n),
moved1 AS (
	UPDATE flat_items SET id = m.n, v = gv(m.n) FROM m WHERE flat_items.id = (SELECT id FROM victim) RETURNING m.n
), moved2 AS (
	UPDATE ivf_items SET id = m.n, v = gv(m.n) FROM m WHERE ivf_items.id = (SELECT id FROM victim) RETURNING m.n
), gone AS (INSERT INTO deleted SELECT id FROM victim WHERE EXISTS (SELECT 1 FROM moved1))
INSERT INTO inserted SELECT n FROM moved1 WHERE EXISTS (SELECT 1 FROM moved2);
SQL
search()
{
	echo "SELECT id FROM $1 ORDER BY v <-> gv(-:s) LIMIT 10"
}
lookup()
{
	echo "SELECT id FROM $1 ORDER BY v <-> gv(:k) LIMIT 1"
}
cat >"$WORK/search.sql" <<SQL
\\set s random(1, 1000000000)
INSERT INTO short_results SELECT 'flat_items', :s, n FROM (SELECT count(*) AS n FROM ($(search flat_items)) r) c WHERE n < 10;
INSERT INTO short_results SELECT 'ivf_items', :s, n FROM (SELECT count(*) AS n FROM ($(search ivf_items)) r) c WHERE n < 10;
SQL
cat >"$WORK/lookup.sql" <<SQL
\\set k random(1, $pinned)
INSERT INTO misses SELECT 'flat_items', $lists, * FROM (SELECT :k::bigint AS k, ($(lookup flat_items)) AS got) l WHERE got IS DISTINCT FROM k;
INSERT INTO misses SELECT 'ivf_items', $lists, * FROM (SELECT :k::bigint AS k, ($(lookup ivf_items)) AS got) l WHERE got IS DISTINCT FROM k;
BEGIN;
SET LOCAL ivfflat.probes = 1;
INSERT INTO misses SELECT 'ivf_items', 1, * FROM (SELECT :k::bigint AS k, ($(lookup ivf_items)) AS got) l WHERE got IS DISTINCT FROM k;
COMMIT;
SQL
echo "VACUUM flat_items, ivf_items;" >"$WORK/vacuum.sql"
for table in flat_items ivf_items; do
	q=$(search $table)
	expect_index_plan "${table}_v" "${q//:s/1}"
	q=$(lookup $table)
	expect_index_plan "${table}_v" "${q//:k/1}"
done

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

IFS='|' read -r flat_rows ivf_rows inserts deletes < <(sql -c "SELECT (SELECT count(*) FROM flat_items),
	(SELECT count(*) FROM ivf_items), (SELECT count(*) FROM inserted), (SELECT count(*) FROM deleted)")
log "$inserts inserts, $deletes deletes, $flat_rows rows in flat_items, $ivf_rows in ivf_items"
expected=$((initial + inserts - deletes))
for table in flat_items ivf_items; do
	expect_eq "rows of $table" "$(sql -c "SELECT count(*) FROM $table")" "$expected"
	expect_eq "rows of $table that should not be there" "$(sql -c "SELECT count(*) FROM $table WHERE id > $initial AND
		id NOT IN (SELECT id FROM inserted) OR id IN (SELECT id FROM deleted)")" 0
	expect_eq "rows of $table whose vector is not gv(id)" "$(sql -c "SELECT count(*) FROM $table WHERE (v <-> gv(id)) <> 0")" 0
done
expect_eq "deleted rows never inserted" "$(sql -c "SELECT count(*) FROM deleted WHERE id <= $pinned OR
	(id > $initial AND id NOT IN (SELECT id FROM inserted))")" 0
expect_eq "lookups of a pinned row by its own vector that missed it" \
	"$(sql -c "SELECT (SELECT count(*) FROM misses) || coalesce(': ' || string_agg(tbl || '/' || probes || ' ' || k ||
		' got ' || coalesce(got::text, 'nothing'), ', '), '') FROM (SELECT * FROM misses LIMIT 5) m")" 0
expect_eq "searches that returned fewer than 10 rows" \
	"$(sql -c "SELECT (SELECT count(*) FROM short_results) || coalesce(': ' || string_agg(tbl || ' ' || seed || ' got ' || n, ', '), '')
		FROM (SELECT * FROM short_results LIMIT 5) r")" 0

for pass in before after; do
	[[ $pass == after ]] && sql -c "VACUUM flat_items, ivf_items"
	check_ivf_index flat_items flat_items_v 1
	check_ivf_index ivf_items ivf_items_v "$lists"
	log "indexes agree with their tables $pass a last VACUUM"
done
log "passed"
