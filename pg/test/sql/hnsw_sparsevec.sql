-- hnsw on sparsevec columns: each element is as large as its non-zeros
SELECT setseed(0.3);
-- 32 candidate positions spread over 5000 dimensions, about half of them set per row:
-- rows differ in size as well as in values
CREATE FUNCTION random_sparse(dims int, positions int) RETURNS sparsevec LANGUAGE sql VOLATILE AS $$
	SELECT ('{' || coalesce(string_agg((j * 73 % dims + 1) || ':' || round((random() * 2 - 1)::numeric, 3), ','), '') ||
		'}/' || dims)::sparsevec
	FROM generate_series(1, positions) j WHERE random() < 0.5
$$;
CREATE TABLE sp_items (id int, v sparsevec(5000));
INSERT INTO sp_items SELECT i, random_sparse(5000, 32) FROM generate_series(1, 800) i;
CREATE TABLE sp_queries (qid int, q sparsevec(5000));
INSERT INTO sp_queries SELECT i, random_sparse(5000, 32) FROM generate_series(1, 20) i;
SELECT min(nnz) < max(nnz) AS sizes_vary FROM (SELECT array_length(regexp_split_to_array(v::text, ','), 1) AS nnz FROM sp_items) t;

-- Recall@10 of the index against an exact scan; a result counts when it is as near as the exact 10th
CREATE FUNCTION sp_recall(op text) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
	found numeric;
BEGIN
	SET LOCAL enable_indexscan = off;
	SET LOCAL enable_seqscan = on;
	EXECUTE format('CREATE TEMP TABLE tenth AS SELECT qid, max(d) AS d FROM sp_queries CROSS JOIN LATERAL
		(SELECT v %1$s q AS d FROM sp_items ORDER BY v %1$s q LIMIT 10) t GROUP BY qid', op);
	SET LOCAL enable_indexscan = on;
	SET LOCAL enable_seqscan = off;
	EXECUTE format('SELECT count(*) FROM sp_queries JOIN tenth USING (qid) CROSS JOIN LATERAL
		(SELECT v %1$s q AS d FROM sp_items ORDER BY v %1$s q LIMIT 10) t WHERE t.d <= tenth.d', op) INTO found;
	DROP TABLE tenth;
	RETURN found / (SELECT count(*) FROM sp_queries) / 10;
END $$;

CREATE INDEX sp_l2 ON sp_items USING hnsw (v sparsevec_l2_ops);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM sp_items ORDER BY v <-> '{1:1}/5000' LIMIT 5;
RESET enable_seqscan;
SELECT sp_recall('<->') >= 0.9 AS sparsevec_l2_ok;
SELECT (ruvector_index_check('sp_l2')).elements AS l2_elements;
-- inserts after the build, deletes and VACUUM: freed elements are reused by vectors of other sizes
INSERT INTO sp_items SELECT i, random_sparse(5000, 32) FROM generate_series(801, 1000) i;
DELETE FROM sp_items WHERE id % 3 = 0;
VACUUM sp_items;
INSERT INTO sp_items SELECT i, random_sparse(5000, 32) FROM generate_series(1001, 1300) i;
SELECT sp_recall('<->') >= 0.9 AS sparsevec_l2_after_changes_ok;
SELECT (ruvector_index_check('sp_l2')).heap_tids = (SELECT count(*) FROM sp_items) AS l2_check_counts_rows;
DROP INDEX sp_l2;

CREATE INDEX sp_ip ON sp_items USING hnsw (v sparsevec_ip_ops);
SELECT sp_recall('<#>') >= 0.85 AS sparsevec_ip_ok;
DROP INDEX sp_ip;
CREATE INDEX sp_cosine ON sp_items USING hnsw (v sparsevec_cosine_ops);
SELECT sp_recall('<=>') >= 0.9 AS sparsevec_cosine_ok;
DROP INDEX sp_cosine;
CREATE INDEX sp_l1 ON sp_items USING hnsw (v sparsevec_l1_ops);
SELECT sp_recall('<+>') >= 0.85 AS sparsevec_l1_ok;
DROP INDEX sp_l1;

-- Workers on offer: sparse elements, each its own size, are still built by the leader alone (no "using N parallel workers")
ALTER TABLE sp_items SET (parallel_workers = 2);
SET max_parallel_maintenance_workers = 2;
SET client_min_messages = debug1;
CREATE INDEX sp_l2_par ON sp_items USING hnsw (v sparsevec_l2_ops);
RESET client_min_messages;
RESET max_parallel_maintenance_workers;
SELECT sp_recall('<->') >= 0.9 AS sparsevec_l2_offered_workers_ok;
DROP INDEX sp_l2_par;

-- The same recall when the build writes rows to pages one by one (maintenance_work_mem too small)
SET maintenance_work_mem = '1MB';
INSERT INTO sp_items SELECT i, random_sparse(5000, 32) FROM generate_series(1301, 2500) i;
CREATE INDEX sp_l2_small ON sp_items USING hnsw (v sparsevec_l2_ops);
RESET maintenance_work_mem;
SET hnsw.ef_search = 100;
SELECT sp_recall('<->') >= 0.95 AS sparsevec_l2_on_pages_ok;
RESET hnsw.ef_search;
SELECT (ruvector_index_check('sp_l2_small')).heap_tids = (SELECT count(*) FROM sp_items) AS on_pages_check_counts_rows;
DROP TABLE sp_items;

-- Exact results on a small table; the zero vector is not indexed under cosine, but is under l2
CREATE TABLE sp_small (id int, v sparsevec(3));
INSERT INTO sp_small VALUES (1, '{1:1}/3'), (2, '{1:1,2:1}/3'), (3, '{3:2}/3'), (4, '{}/3'), (5, NULL);
CREATE INDEX sp_small_l2 ON sp_small USING hnsw (v sparsevec_l2_ops);
SET enable_seqscan = off;
SELECT id, v <-> '{1:1}/3' AS d FROM sp_small ORDER BY v <-> '{1:1}/3' LIMIT 5;
DROP INDEX sp_small_l2;
CREATE INDEX sp_small_cosine ON sp_small USING hnsw (v sparsevec_cosine_ops);
SELECT id, round((v <=> '{2:1}/3')::numeric, 4) AS d FROM sp_small ORDER BY v <=> '{2:1}/3' LIMIT 5;
RESET enable_seqscan;

-- duplicates share an element: even ef_search = 1 finds all ten
CREATE TABLE sp_dups (id int, v sparsevec(4));
INSERT INTO sp_dups SELECT i, '{1:1,4:2}/4' FROM generate_series(1, 10) i;
INSERT INTO sp_dups VALUES (11, '{2:5}/4');
CREATE INDEX ON sp_dups USING hnsw (v sparsevec_l2_ops);
SET hnsw.ef_search = 1;
SET enable_seqscan = off;
SELECT count(*) FROM (SELECT id FROM sp_dups ORDER BY v <-> '{1:1,4:2}/4' LIMIT 20) t;
-- an element holds ten: three more make another
INSERT INTO sp_dups SELECT i, '{1:1,4:2}/4' FROM generate_series(12, 14) i;
RESET hnsw.ef_search;
SELECT count(*) FROM (SELECT id FROM sp_dups ORDER BY v <-> '{1:1,4:2}/4' LIMIT 20) t;
SELECT (ruvector_index_check('sp_dups_v_idx')).elements AS dup_elements;
RESET enable_seqscan;

-- At most 1000 non-zeros per element, as pgvector (larger elements: hnsw_large_elements)
CREATE TABLE sp_wide (id int, v sparsevec(100000));
INSERT INTO sp_wide VALUES (1, ('{' || (SELECT string_agg(j || ':1', ',') FROM generate_series(1, 1001) j) || '}/100000')::sparsevec);
CREATE INDEX ON sp_wide USING hnsw (v sparsevec_l2_ops);
-- dimensions as pgvector checks them
CREATE TABLE sp_nodims (v sparsevec);
CREATE INDEX ON sp_nodims USING hnsw (v sparsevec_l2_ops);
INSERT INTO sp_small VALUES (6, '{1:1}/4');
DROP TABLE sp_small, sp_dups, sp_wide, sp_nodims, sp_queries;
DROP FUNCTION sp_recall(text);
DROP FUNCTION random_sparse(int, int);
