-- flat and ivfflat scans keep only their first 256 rows, then measure the lists
-- again for the rows after them: every LIMIT, below and past that, returns the
-- rows of an exact sort by (distance, ctid), ties and infinite distances too
SELECT setseed(0.41);
-- 3-d points on a 3 x 3 x 3 grid: each distance is shared by dozens of rows
CREATE TABLE order_items (id int, v vector(3));
INSERT INTO order_items
SELECT i, ('[' || floor(random() * 3) || ',' || floor(random() * 3) || ',' || floor(random() * 3) || ']')::vector
FROM generate_series(1, 1200) i;
-- squares past float's range: L2 distance infinity, tied with each other
INSERT INTO order_items SELECT 2000 + i, '[3e38,3e38,3e38]' FROM generate_series(1, 5) i;
CREATE TABLE order_queries (qid int, q vector(3));
INSERT INTO order_queries VALUES (1, '[0,0,0]'), (2, '[1,1,1]'), (3, '[0.5,2,1]'), (4, '[2,2,2]');

-- each query's ids (or distances) in order, as one text: through the index, or a sequential scan sorted by
-- (distance, ctid). Re-checked scans are compared by distances: the executor orders ties among exact ones its own way.
CREATE FUNCTION order_answers(through_index bool, n int, op text DEFAULT '<->', filter text DEFAULT 'true',
	distances bool DEFAULT false) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	answers text;
BEGIN
	PERFORM set_config('enable_seqscan', (NOT through_index)::text, true);
	PERFORM set_config('enable_indexscan', through_index::text, true);
	PERFORM set_config('enable_bitmapscan', 'false', true);
	EXECUTE format('SELECT string_agg(ids, '' / '' ORDER BY qid) FROM order_queries CROSS JOIN LATERAL
		(SELECT string_agg(x::text, '','') AS ids FROM
			(SELECT %s AS x FROM order_items WHERE %s ORDER BY v %s q %s LIMIT %s) t) a',
		CASE WHEN distances THEN format('v %s q', op) ELSE 'id' END, filter, op,
		CASE WHEN through_index THEN '' ELSE ', ctid' END, n) INTO answers;
	RETURN answers;
END $$;

CREATE INDEX order_flat ON order_items USING flat (v vector_l2_ops);
-- the plans the functions compare: the index, or a sort of a sequential scan
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM order_items ORDER BY v <-> '[1,1,1]' LIMIT 300;
RESET enable_seqscan;
SET enable_indexscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM order_items ORDER BY v <-> '[1,1,1]', ctid LIMIT 300;
RESET enable_indexscan;
SELECT n, order_answers(true, n) = order_answers(false, n) AS exact
FROM unnest(ARRAY[1, 10, 255, 256, 257, 300, 1205, 2000]) n;
-- a filter that throws most rows away: past 256 rows measured before 40 pass
SELECT order_answers(true, 40, '<->', 'id % 9 = 0') = order_answers(false, 40, '<->', 'id % 9 = 0') AS filtered_exact;
-- the backend's copy of the index (made on the second scan) answers the same
SET ruvector.flat_cache_size = '16MB';
SELECT n, order_answers(true, n) = order_answers(false, n) AS exact_from_copy
FROM unnest(ARRAY[10, 256, 257, 1205]) n;
SELECT ruvector_flat_cached_rows('order_flat') AS copied;
RESET ruvector.flat_cache_size;
-- inner product: negative distances, the order of floats below zero
CREATE INDEX order_flat_ip ON order_items USING flat (v vector_ip_ops) WHERE id < 2000;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM order_items WHERE id < 2000 ORDER BY v <#> '[1,1,1]' LIMIT 300;
RESET enable_seqscan;
SELECT n, order_answers(true, n, '<#>', 'id < 2000') = order_answers(false, n, '<#>', 'id < 2000') AS ip_exact
FROM unnest(ARRAY[10, 300]) n;
DROP INDEX order_flat, order_flat_ip;

-- lower bounds (sq8) re-checked by the executor: past the first 256, the same distances as a sort
CREATE INDEX order_flat_sq8 ON order_items USING flat (v vector_l2_ops) WITH (quantization = 'sq8') WHERE id < 2000;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM order_items WHERE id < 2000 ORDER BY v <-> '[1,1,1]' LIMIT 300;
RESET enable_seqscan;
SELECT n, order_answers(true, n, '<->', 'id < 2000', true) = order_answers(false, n, '<->', 'id < 2000', true) AS sq8_distances_exact
FROM unnest(ARRAY[10, 300, 1200]) n;
DROP INDEX order_flat_sq8;

-- ivfflat probing every list: one pass over all of them, the same order
CREATE INDEX order_ivf ON order_items USING ivfflat (v vector_l2_ops) WITH (lists = 4);
SET ivfflat.probes = 4;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM order_items ORDER BY v <-> '[1,1,1]' LIMIT 300;
RESET enable_seqscan;
SELECT n, order_answers(true, n) = order_answers(false, n) AS ivfflat_exact
FROM unnest(ARRAY[10, 256, 257, 1205]) n;
RESET ivfflat.probes;
DROP TABLE order_items, order_queries;
DROP FUNCTION order_answers;
