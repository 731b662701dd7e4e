-- hnsw WITH (quantization = ...): recall@10 against exact scans for every
-- operator class and quantization, rows in nondecreasing exact distance, the
-- index used; inserts after the build, deletes + VACUUM, a build on an empty
-- table, iterative scans, the index check, and bad option values
SET jit = off;
SELECT setseed(0.29);
CREATE TABLE hq_items (id int, v vector(32), h halfvec(32), b bit(32));
INSERT INTO hq_items (id, v)
SELECT i, ('[' || array_to_string(ARRAY(SELECT round((random() * 2 - 1 + (i % 4) * 0.5)::numeric, 4) FROM generate_series(1, 32 + 0 * i)), ',') || ']')::vector
FROM generate_series(1, 1200) i;
UPDATE hq_items SET h = v::halfvec(32), b = binary_quantize(v)::bit(32);
CREATE TABLE hq_queries (qid int, v vector(32), h halfvec(32));
INSERT INTO hq_queries (qid, v)
SELECT i, ('[' || array_to_string(ARRAY(SELECT round((random() * 2 - 1 + (i % 4) * 0.5)::numeric, 4) FROM generate_series(1, 32 + 0 * i)), ',') || ']')::vector
FROM generate_series(1, 12) i;
UPDATE hq_queries SET h = v::halfvec(32);

-- Over all queries: the share of the index's rows within the exact 10th distance
-- (ties count), whether each query got 10 rows in nondecreasing distance, each
-- shown distance being the exact one of its row, and whether the index was used
CREATE FUNCTION hq_check(col text, op text, OUT recall numeric, OUT ordered bool, OUT exact_distances bool,
	OUT used_index bool)
LANGUAGE plpgsql AS $$
DECLARE
	query record;
	exact float8[];
	ids int[];
	got float8[];
	hits int := 0;
	total int := 0;
	matches bool;
	line text;
BEGIN
	ordered := true;
	exact_distances := true;
	used_index := false;
	FOR query IN SELECT qid FROM hq_queries ORDER BY qid LOOP
		PERFORM set_config('enable_indexscan', 'off', true);
		PERFORM set_config('enable_seqscan', 'on', true);
		EXECUTE format('SELECT array_agg(d ORDER BY d) FROM (SELECT i.%1$I %2$s q.%1$I AS d FROM hq_items i, hq_queries q
			WHERE q.qid = %3$s ORDER BY 1 LIMIT 10) s', col, op, query.qid) INTO exact;
		PERFORM set_config('enable_indexscan', 'on', true);
		PERFORM set_config('enable_seqscan', 'off', true);
		EXECUTE format('SELECT array_agg(id ORDER BY n), array_agg(d ORDER BY n) FROM (SELECT id, d, row_number() OVER () AS n
			FROM (SELECT id, i.%1$I %2$s (SELECT %1$I FROM hq_queries WHERE qid = %3$s) AS d FROM hq_items i
			ORDER BY i.%1$I %2$s (SELECT %1$I FROM hq_queries WHERE qid = %3$s) LIMIT 10) s) t',
			col, op, query.qid) INTO ids, got;
		-- each shown distance is its row's, computed again without the index
		PERFORM set_config('enable_indexscan', 'off', true);
		PERFORM set_config('enable_seqscan', 'on', true);
		EXECUTE format('SELECT bool_and(i.%1$I %2$s q.%1$I = g.d) FROM unnest($1, $2) g(id, d)
			JOIN hq_items i USING (id), hq_queries q WHERE q.qid = %3$s', col, op, query.qid) INTO matches USING ids, got;
		exact_distances := exact_distances AND coalesce(matches, false);
		PERFORM set_config('enable_indexscan', 'on', true);
		PERFORM set_config('enable_seqscan', 'off', true);
		ordered := ordered AND coalesce(array_length(got, 1), 0) = 10;
		FOR i IN 1 .. coalesce(array_length(got, 1), 0) LOOP
			hits := hits + CASE WHEN got[i] <= exact[10] + 1e-9 THEN 1 ELSE 0 END;
			ordered := ordered AND (i = 1 OR got[i - 1] <= got[i]);
		END LOOP;
		total := total + 10;
		FOR line IN EXECUTE format('EXPLAIN (COSTS OFF) SELECT id FROM hq_items i ORDER BY i.%1$I %2$s
			(SELECT %1$I FROM hq_queries WHERE qid = %3$s) LIMIT 10', col, op, query.qid) LOOP
			used_index := used_index OR line LIKE '%Index Scan using hq_idx%';
		END LOOP;
	END LOOP;
	recall := round(hits::numeric / total, 2);
END $$;

-- The least recall each quantization must reach with hnsw.ef_search = 100 (seen at m = 8: none and sq8 0.85
-- for inner product, 0.98 or more otherwise; binary 0.83 or more)
SET hnsw.ef_search = 100;
CREATE TABLE hq_floor (quantization text, recall numeric, empty_build_recall numeric);
INSERT INTO hq_floor VALUES ('none', 0.75, 0.75), ('sq8', 0.75, 0.55), ('binary', 0.6, 0.25);
CREATE TABLE hq_results (stage text, seq serial, opclass text, quantization text, recall numeric, ordered bool, exact_distances bool,
	used_index bool);
CREATE TABLE hq_cases (opclass text, col text, op text);
INSERT INTO hq_cases VALUES
	('vector_l2_ops', 'v', '<->'), ('vector_ip_ops', 'v', '<#>'), ('vector_cosine_ops', 'v', '<=>'),
	('vector_l1_ops', 'v', '<+>'), ('halfvec_l2_ops', 'h', '<->'), ('halfvec_ip_ops', 'h', '<#>'),
	('halfvec_cosine_ops', 'h', '<=>'), ('halfvec_l1_ops', 'h', '<+>');

DO $$
DECLARE
	c record;
	quantization text;
BEGIN
	FOR c IN SELECT * FROM hq_cases LOOP
		FOREACH quantization IN ARRAY ARRAY['none', 'sq8', 'binary'] LOOP
			EXECUTE format('CREATE INDEX hq_idx ON hq_items USING hnsw (%I %s) WITH (m = 8, ef_construction = 32, quantization = %L)',
				c.col, c.opclass, quantization);
			INSERT INTO hq_results (stage, opclass, quantization, recall, ordered, exact_distances, used_index) SELECT 'build', c.opclass, quantization, r.* FROM hq_check(c.col, c.op) r;
			DROP INDEX hq_idx;
		END LOOP;
	END LOOP;
END $$;
SELECT stage, opclass, r.quantization, r.recall >= f.recall AS recall_ok, ordered, exact_distances, used_index
FROM hq_results r JOIN hq_floor f USING (quantization) ORDER BY opclass, r.quantization;

-- Half built, half inserted into the index on disk (walked with code distances),
-- then deletes + VACUUM (relinking measures decoded codes); and a build on an
-- empty table (the default codebook) followed by inserts. The index check walks
-- every tuple and counts the heap TIDs. (hnsw_recall covers all this without
-- quantization.) The default codebook represents [-1, 1], which these rows
-- overflow, and its binary codes are the same for most of them: its recall floor
-- is lower (seen over 8 runs: sq8 0.68 to 0.74 for inner product, binary 0.33 to
-- 0.46 for cosine).
CREATE TABLE hq_later AS SELECT * FROM hq_items WHERE id > 600;
CREATE TABLE hq_base AS SELECT * FROM hq_items;
CREATE TABLE hq_checks (stage text, opclass text, quantization text, tids_match bool);
-- (without the notice of an index built on no data, shown below)
SET client_min_messages = warning;
SELECT 'DELETE FROM hq_items WHERE id > 600',
	format('CREATE INDEX hq_idx ON hq_items USING hnsw (%I %s) WITH (m = 8, ef_construction = 32, quantization = %L)',
		col, opclass, quantization),
	'INSERT INTO hq_items SELECT * FROM hq_later',
	format('INSERT INTO hq_results (stage, opclass, quantization, recall, ordered, exact_distances, used_index)
		SELECT %L, %L, %L, r.* FROM hq_check(%L, %L) r', '+inserts', opclass, quantization, col, op),
	'DELETE FROM hq_items WHERE id % 3 = 0',
	'VACUUM hq_items',
	format('INSERT INTO hq_results (stage, opclass, quantization, recall, ordered, exact_distances, used_index)
		SELECT %L, %L, %L, r.* FROM hq_check(%L, %L) r', '+vacuum', opclass, quantization, col, op),
	format('INSERT INTO hq_checks SELECT %L, %L, %L, heap_tids = (SELECT count(*) FROM hq_items)
		FROM ruvector_index_check(%L)', '+vacuum', opclass, quantization, 'hq_idx'),
	'DROP INDEX hq_idx',
	'TRUNCATE hq_items',
	format('CREATE INDEX hq_idx ON hq_items USING hnsw (%I %s) WITH (m = 8, ef_construction = 32, quantization = %L)',
		col, opclass, quantization),
	'INSERT INTO hq_items SELECT * FROM hq_base',
	format('INSERT INTO hq_results (stage, opclass, quantization, recall, ordered, exact_distances, used_index)
		SELECT %L, %L, %L, r.* FROM hq_check(%L, %L) r', 'empty build', opclass, quantization, col, op),
	format('INSERT INTO hq_checks SELECT %L, %L, %L, heap_tids = (SELECT count(*) FROM hq_items)
		FROM ruvector_index_check(%L)', 'empty build', opclass, quantization, 'hq_idx'),
	'DROP INDEX hq_idx'
FROM hq_cases, unnest(ARRAY['sq8', 'binary']) quantization \gexec
SELECT stage, opclass, r.quantization,
	r.recall >= CASE WHEN stage = 'empty build' THEN f.empty_build_recall ELSE f.recall END AS recall_ok, ordered, exact_distances, used_index
FROM hq_results r JOIN hq_floor f USING (quantization) WHERE stage <> 'build' ORDER BY opclass, r.quantization, seq;
RESET client_min_messages;
SELECT stage, count(*) AS indexes, bool_and(tids_match) AS tids_match FROM hq_checks GROUP BY stage ORDER BY stage;

-- Under the default codebook half of these rows share one binary code (their
-- signs), so to the graph they are all one point. Inserted one by one, every row
-- must still be reachable: an iterative scan returns each of them once.
SET client_min_messages = warning;
TRUNCATE hq_items;
CREATE INDEX hq_idx ON hq_items USING hnsw (v vector_cosine_ops) WITH (m = 8, ef_construction = 32, quantization = 'binary');
INSERT INTO hq_items SELECT * FROM hq_base;
RESET client_min_messages;
SELECT max(rows) >= 500 AS many_share_one_code FROM (SELECT count(*) AS rows FROM hq_items GROUP BY b) g;
SET enable_seqscan = off;
SET hnsw.iterative_scan = relaxed_order;
SET work_mem = '64MB';
SELECT count(*) AS reached, count(DISTINCT id) AS distinct_rows FROM (SELECT id FROM hq_items
	ORDER BY v <=> (SELECT v FROM hq_queries WHERE qid = 1) LIMIT 5000) t;
RESET enable_seqscan;
RESET hnsw.iterative_scan;
RESET work_mem;
DROP INDEX hq_idx;

-- Codes are smaller than vectors (32 dimensions: 128 bytes of floats, 44 of sq8, 12 of binary)
CREATE TABLE hq_sizes (quantization text, bytes bigint);
SELECT format('CREATE INDEX hq_idx ON hq_items USING hnsw (v vector_l2_ops) WITH (m = 8, ef_construction = 32, quantization = %L)', q),
	format('INSERT INTO hq_sizes VALUES (%L, pg_relation_size(%L))', q, 'hq_idx'),
	'DROP INDEX hq_idx'
FROM unnest(ARRAY['none', 'sq8', 'binary']) q \gexec
SELECT (SELECT bytes FROM hq_sizes WHERE quantization = 'sq8') < (SELECT bytes FROM hq_sizes WHERE quantization = 'none')
	AS sq8_smaller, (SELECT bytes FROM hq_sizes WHERE quantization = 'binary') <
	(SELECT bytes FROM hq_sizes WHERE quantization = 'sq8') AS binary_smaller;

-- Page layout (on-disk version 5): a 384-d sq8 element at m = 6 with its 4-byte
-- links is 472 bytes, so a page holds 17 (with 6-byte links 496 bytes: 16), and
-- the build writes upper-level elements (larger) on pages of their own, so
-- pages average over 16.5 elements (the meta page aside)
CREATE TABLE hq_wide (id int, v vector(384));
INSERT INTO hq_wide SELECT i, ARRAY(SELECT random() FROM generate_series(1, 384 + 0 * i))::real[]::vector
FROM generate_series(1, 1700) i;
CREATE INDEX hq_wide_idx ON hq_wide USING hnsw (v vector_l2_ops) WITH (m = 6, ef_construction = 16, quantization = 'sq8');
SELECT elements, elements::float8 / (pages - 1) > 16.5 AS over_16_5_a_page FROM ruvector_index_check('hq_wide_idx');
DROP TABLE hq_wide;

-- Iterative scans: a filter that the first ef_search rows mostly fail. strict_order
-- keeps the bounds the executor sees ascending, so the rows come in exact order.
CREATE INDEX hq_idx ON hq_items USING hnsw (v vector_l2_ops) WITH (m = 8, ef_construction = 32, quantization = 'sq8');
SET hnsw.ef_search = 20;
SET enable_seqscan = off;
SELECT count(*) < 50 AS without_iterative_fewer FROM (SELECT id FROM hq_items WHERE id % 10 = 1
	ORDER BY v <-> (SELECT v FROM hq_queries WHERE qid = 2) LIMIT 50) t;
SET hnsw.iterative_scan = strict_order;
SELECT count(*) AS strict_rows, bool_and(previous IS NULL OR previous <= d) AS ordered FROM (
	SELECT d, lag(d) OVER (ORDER BY n) AS previous FROM (
		SELECT v <-> (SELECT v FROM hq_queries WHERE qid = 2) AS d, row_number() OVER () AS n FROM (
			SELECT v FROM hq_items WHERE id % 10 = 1 ORDER BY v <-> (SELECT v FROM hq_queries WHERE qid = 2) LIMIT 50) t
	) numbered) t;
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*) AS relaxed_rows FROM (SELECT id FROM hq_items WHERE id % 10 = 1
	ORDER BY v <-> (SELECT v FROM hq_queries WHERE qid = 2) LIMIT 50) t;
RESET hnsw.iterative_scan;
RESET enable_seqscan;

-- The meta page says how the index is stored: a changed option does not change the codes
ALTER INDEX hq_idx SET (quantization = 'binary');
SET enable_seqscan = off;
SELECT count(*) AS rows, bool_and(previous IS NULL OR previous <= d) AS ordered FROM (
	SELECT d, lag(d) OVER (ORDER BY n) AS previous FROM (
		SELECT v <-> (SELECT v FROM hq_queries WHERE qid = 3) AS d, row_number() OVER () AS n FROM (
			SELECT v FROM hq_items ORDER BY v <-> (SELECT v FROM hq_queries WHERE qid = 3) LIMIT 10) t
	) numbered) t;
RESET enable_seqscan;
RESET hnsw.ef_search;
DROP INDEX hq_idx;

-- A parallel build (natively): the participants share one graph; whoever writes it
-- out trains the quantizer on it
ALTER TABLE hq_items SET (parallel_workers = 2);
SET max_parallel_maintenance_workers = 2;
SET maintenance_work_mem = '16MB';
SET hnsw.ef_search = 100;
CREATE INDEX hq_idx ON hq_items USING hnsw (v vector_l2_ops) WITH (m = 8, ef_construction = 32, quantization = 'sq8');
SELECT recall >= 0.75 AS recall_ok, ordered, exact_distances, used_index FROM hq_check('v', '<->');
DROP INDEX hq_idx;
RESET maintenance_work_mem;
RESET max_parallel_maintenance_workers;
RESET hnsw.ef_search;
ALTER TABLE hq_items RESET (parallel_workers);

-- Options: the allowed values (case-insensitive), with the same error as flat and ivfflat for anything else
CREATE INDEX hq_idx ON hq_items USING hnsw (v vector_l2_ops) WITH (quantization = 'pq');
CREATE INDEX hq_idx ON hq_items USING hnsw (v vector_l2_ops) WITH (quantization = '');
CREATE INDEX hq_idx ON hq_items USING hnsw (v vector_l2_ops) WITH (quantization = 'SQ8');
SELECT reloptions FROM pg_class WHERE relname = 'hq_idx';
DROP INDEX hq_idx;
-- bit vectors are stored as they are
CREATE INDEX hq_idx ON hq_items USING hnsw (b bit_hamming_ops) WITH (quantization = 'binary');
CREATE INDEX hq_idx ON hq_items USING hnsw (b bit_jaccard_ops) WITH (quantization = 'sq8');
CREATE INDEX hq_idx ON hq_items USING hnsw (b bit_hamming_ops) WITH (quantization = 'none');
DROP INDEX hq_idx;
-- the codebook lives on the meta page: as many dimensions as fit there
CREATE TABLE hq_wide (h halfvec(3000));
CREATE INDEX ON hq_wide USING hnsw (h halfvec_l2_ops) WITH (quantization = 'sq8');
-- a build with no rows says so (and still answers exactly, as above)
CREATE INDEX ON hq_wide USING hnsw (h halfvec_l2_ops);
CREATE TABLE hq_empty (v vector(3));
CREATE INDEX ON hq_empty USING hnsw (v vector_l2_ops) WITH (quantization = 'binary');

DROP TABLE hq_items, hq_queries, hq_results, hq_cases, hq_floor, hq_later, hq_base, hq_checks, hq_sizes, hq_wide, hq_empty;
DROP FUNCTION hq_check;
