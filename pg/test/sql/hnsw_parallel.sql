-- hnsw parallel build: leader and workers insert into one shared in-memory graph.
-- The build logs "using N parallel workers" at DEBUG1 (shown below), its recall
-- matches a serial build's, the index checks clean, and inserts and VACUUM work
-- on it after; every opclass family once. (The maintenance_work_mem fallback of a
-- parallel build is tested in test/t/test_parallel_build.sh: its notice counts rows.)
SELECT setseed(0.17);
CREATE TABLE hnsw_par (id int, embedding vector(16)) WITH (parallel_workers = 2, autovacuum_enabled = off);
INSERT INTO hnsw_par
SELECT i, ('[' || array_to_string(ARRAY(SELECT round((random() * 2 - 1)::numeric, 4) FROM generate_series(1, 16 + 0 * i)), ',') || ']')::vector
FROM generate_series(1, 3000) i;
CREATE TABLE hnsw_par_queries (qid int, q vector(16));
INSERT INTO hnsw_par_queries
SELECT i, ('[' || array_to_string(ARRAY(SELECT round((random() * 2 - 1)::numeric, 4) FROM generate_series(1, 16 + 0 * i)), ',') || ']')::vector
FROM generate_series(1, 30) i;

-- recall@10 of the index for an operator (over an expression of embedding) against exact scans
CREATE FUNCTION hnsw_par_recall(op text, expr text DEFAULT 'embedding', qexpr text DEFAULT 'q') RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
	found numeric;
BEGIN
	SET LOCAL enable_indexscan = off;
	SET LOCAL enable_seqscan = on;
	EXECUTE format('CREATE TEMP TABLE exact AS SELECT qid, id FROM hnsw_par_queries CROSS JOIN LATERAL
		(SELECT id FROM hnsw_par ORDER BY %s %s %s LIMIT 10) t', expr, op, qexpr);
	SET LOCAL enable_indexscan = on;
	SET LOCAL enable_seqscan = off;
	EXECUTE format('CREATE TEMP TABLE approx AS SELECT qid, id FROM hnsw_par_queries CROSS JOIN LATERAL
		(SELECT id FROM hnsw_par ORDER BY %s %s %s LIMIT 10) t', expr, op, qexpr);
	SELECT count(*) INTO found FROM exact JOIN approx USING (qid, id);
	DROP TABLE exact, approx;
	RETURN found / (SELECT count(*) FROM hnsw_par_queries) / 10;
END $$;

-- The serial build's recall, to compare with
SET max_parallel_maintenance_workers = 0;
SET client_min_messages = debug1;
CREATE INDEX hnsw_par_serial ON hnsw_par USING hnsw (embedding vector_l2_ops);
RESET client_min_messages;
CREATE TEMP TABLE serial_recall AS SELECT hnsw_par_recall('<->') AS r;
DROP INDEX hnsw_par_serial;

-- Workers granted: the table's parallel_workers (the planner then ignores the table's size and memory).
-- PostgreSQL's own "building index ... serially" means only that it did not plan the workers itself (hnsw does).
SET max_parallel_maintenance_workers = 2;
SET maintenance_work_mem = '16MB';
SET client_min_messages = debug1;
CREATE INDEX hnsw_par_l2 ON hnsw_par USING hnsw (embedding vector_l2_ops);
RESET client_min_messages;
SELECT hnsw_par_recall('<->') >= 0.95 AS l2_recall_ok,
	hnsw_par_recall('<->') >= (SELECT r FROM serial_recall) - 0.03 AS l2_as_good_as_serial;
SELECT elements, heap_tids FROM ruvector_index_check('hnsw_par_l2');

-- Inserts into the built index, then deletes + VACUUM
INSERT INTO hnsw_par
SELECT i, ('[' || array_to_string(ARRAY(SELECT round((random() * 2 - 1)::numeric, 4) FROM generate_series(1, 16 + 0 * i)), ',') || ']')::vector
FROM generate_series(3001, 3300) i;
SELECT hnsw_par_recall('<->') >= 0.95 AS l2_recall_after_inserts_ok;
DELETE FROM hnsw_par WHERE id % 4 = 0;
VACUUM hnsw_par;
SELECT hnsw_par_recall('<->') >= 0.95 AS l2_recall_after_vacuum_ok;
SELECT heap_tids FROM ruvector_index_check('hnsw_par_l2');
SET enable_seqscan = off;
SELECT count(*) FROM (SELECT id FROM hnsw_par ORDER BY embedding <-> (SELECT q FROM hnsw_par_queries WHERE qid = 1) LIMIT 40) t
WHERE id % 4 = 0;
RESET enable_seqscan;
DROP INDEX hnsw_par_l2;

-- cosine, halfvec (expression index), bit hamming (expression index over binary_quantize)
SET client_min_messages = debug1;
CREATE INDEX hnsw_par_cosine ON hnsw_par USING hnsw (embedding vector_cosine_ops);
RESET client_min_messages;
SELECT hnsw_par_recall('<=>') >= 0.95 AS cosine_recall_ok;
SELECT heap_tids FROM ruvector_index_check('hnsw_par_cosine');
DROP INDEX hnsw_par_cosine;

SET client_min_messages = debug1;
CREATE INDEX hnsw_par_half ON hnsw_par USING hnsw ((embedding::halfvec(16)) halfvec_l2_ops);
RESET client_min_messages;
SELECT hnsw_par_recall('<->', 'embedding::halfvec(16)', 'q::halfvec(16)') >= 0.95 AS halfvec_recall_ok;
SELECT heap_tids FROM ruvector_index_check('hnsw_par_half');
DROP INDEX hnsw_par_half;

-- 16 bits: many rows share a code and many are at equal distance, so compare the
-- distances found with the exact ones rather than ids
SET client_min_messages = debug1;
CREATE INDEX hnsw_par_bit ON hnsw_par USING hnsw ((binary_quantize(embedding)::bit(16)) bit_hamming_ops);
RESET client_min_messages;
SELECT heap_tids FROM ruvector_index_check('hnsw_par_bit');
SET enable_seqscan = off;
CREATE TEMP TABLE approx_bits AS SELECT qid, array_agg(d ORDER BY d) AS ds FROM hnsw_par_queries CROSS JOIN LATERAL
	(SELECT binary_quantize(embedding)::bit(16) <~> binary_quantize(q)::bit(16) AS d FROM hnsw_par
	 ORDER BY binary_quantize(embedding)::bit(16) <~> binary_quantize(q)::bit(16) LIMIT 10) t GROUP BY qid;
RESET enable_seqscan;
SET enable_indexscan = off;
CREATE TEMP TABLE exact_bits AS SELECT qid, array_agg(d ORDER BY d) AS ds FROM hnsw_par_queries CROSS JOIN LATERAL
	(SELECT binary_quantize(embedding)::bit(16) <~> binary_quantize(q)::bit(16) AS d FROM hnsw_par
	 ORDER BY binary_quantize(embedding)::bit(16) <~> binary_quantize(q)::bit(16) LIMIT 10) t GROUP BY qid;
RESET enable_indexscan;
SELECT count(*) FILTER (WHERE a.ds = e.ds) >= 27 AS hamming_distances_ok FROM approx_bits a JOIN exact_bits e USING (qid);
DROP INDEX hnsw_par_bit;

DROP TABLE hnsw_par, hnsw_par_queries, serial_recall, approx_bits, exact_bits;
DROP FUNCTION hnsw_par_recall;
RESET maintenance_work_mem;
RESET max_parallel_maintenance_workers;
