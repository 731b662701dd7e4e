-- hnsw graph copies (ruvector.hnsw_cache_size): scans that walk a backend's copy
-- of the graph answer exactly as scans that walk the pages, and the copy follows
-- every change of the index
SELECT setseed(0.17);
CREATE TABLE cache_items (id int, category int, embedding vector(8));
INSERT INTO cache_items
SELECT i, i % 10, ('[' || array_to_string(ARRAY(SELECT round((random() * 2 - 1)::numeric, 3) FROM generate_series(1, 8 + 0 * i)), ',') || ']')::vector
FROM generate_series(1, 1200) i;
CREATE TABLE cache_queries (qid int, q vector(8));
INSERT INTO cache_queries
SELECT i, ('[' || array_to_string(ARRAY(SELECT round((random() * 2 - 1)::numeric, 3) FROM generate_series(1, 8 + 0 * i)), ',') || ']')::vector
FROM generate_series(1, 20) i;

-- every query's ids in order, as one text, with a copy budget; `filter` is a WHERE clause
CREATE FUNCTION cache_answers(op text, budget text, filter text DEFAULT 'true') RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	answers text;
BEGIN
	PERFORM set_config('ruvector.hnsw_cache_size', budget, true);
	SET LOCAL enable_seqscan = off;
	EXECUTE format('SELECT string_agg(ids, '' / '' ORDER BY qid) FROM cache_queries CROSS JOIN LATERAL
		(SELECT string_agg(id::text, '','') AS ids FROM
			(SELECT id FROM cache_items WHERE %s ORDER BY embedding %s q LIMIT 10) t) a', filter, op) INTO answers;
	RETURN answers;
END $$;

CREATE INDEX cache_items_l2 ON cache_items USING hnsw (embedding vector_l2_ops) WITH (m = 8);
-- natively the copies are off unless asked for
SHOW ruvector.hnsw_cache_size;
SELECT cache_answers('<->', '0') IS NOT NULL AS pages_answer;
SELECT ruvector_hnsw_cached_elements('cache_items_l2') AS copied_with_copies_off;
SELECT cache_answers('<->', '0') = cache_answers('<->', '16MB') AS copy_answers_as_pages;
SELECT ruvector_hnsw_cached_elements('cache_items_l2') AS copied;

SET hnsw.ef_search = 1;
SELECT cache_answers('<->', '0') = cache_answers('<->', '16MB') AS copy_answers_as_pages_ef_1;
RESET hnsw.ef_search;

-- iterative scans with a selective filter
SET hnsw.iterative_scan = strict_order;
SELECT cache_answers('<->', '0', 'category = 3') = cache_answers('<->', '16MB', 'category = 3') AS strict_as_pages;
SET hnsw.iterative_scan = relaxed_order;
SELECT cache_answers('<->', '0', 'category = 3') = cache_answers('<->', '16MB', 'category = 3') AS relaxed_as_pages;
RESET hnsw.iterative_scan;

-- an insert makes the copy stale: the next scans see the new row
SET ruvector.hnsw_cache_size = '16MB';
SET enable_seqscan = off;
INSERT INTO cache_items VALUES (5000, 0, '[9,9,9,9,9,9,9,9]');
SELECT id FROM cache_items ORDER BY embedding <-> '[9,9,9,9,9,9,9,9]' LIMIT 1;
SELECT id FROM cache_items ORDER BY embedding <-> '[9,9,9,9,9,9,9,9]' LIMIT 1;
SELECT id FROM cache_items ORDER BY embedding <-> '[9,9,9,9,9,9,9,9]' LIMIT 1;
SELECT ruvector_hnsw_cached_elements('cache_items_l2') AS copied_after_insert;

-- deleted rows are gone from the copy after VACUUM, and answers match the pages
DELETE FROM cache_items WHERE id % 4 = 0 OR id = 5000;
VACUUM cache_items;
SELECT cache_answers('<->', '0') = cache_answers('<->', '16MB') AS copy_answers_as_pages_after_vacuum;
SELECT count(*) AS deleted_rows_returned FROM cache_queries CROSS JOIN LATERAL
	(SELECT id FROM cache_items ORDER BY embedding <-> q LIMIT 10) t WHERE id % 4 = 0 OR id = 5000;

-- a budget too small for the graph: no copy, same answers
SELECT cache_answers('<->', '0') = cache_answers('<->', '16kB') AS tiny_budget_as_pages;
SELECT ruvector_hnsw_cached_elements('cache_items_l2') AS copied_with_tiny_budget;

-- other metrics
CREATE INDEX cache_items_cosine ON cache_items USING hnsw (embedding vector_cosine_ops) WITH (m = 8);
SELECT cache_answers('<=>', '0') = cache_answers('<=>', '16MB') AS cosine_copy_as_pages;
DROP INDEX cache_items_cosine;

-- TRUNCATE and REINDEX give the index a new file: the old copy is not used
SET ruvector.hnsw_cache_size = '16MB';
SELECT count(*) FROM (SELECT id FROM cache_items ORDER BY embedding <-> '[0,0,0,0,0,0,0,0]' LIMIT 5) t;
SELECT count(*) FROM (SELECT id FROM cache_items ORDER BY embedding <-> '[0,0,0,0,0,0,0,0]' LIMIT 5) t;
TRUNCATE cache_items;
INSERT INTO cache_items VALUES (1, 0, '[1,1,1,1,1,1,1,1]'), (2, 0, '[2,2,2,2,2,2,2,2]');
SELECT id FROM cache_items ORDER BY embedding <-> '[0,0,0,0,0,0,0,0]' LIMIT 5;
SELECT id FROM cache_items ORDER BY embedding <-> '[0,0,0,0,0,0,0,0]' LIMIT 5;
SELECT id FROM cache_items ORDER BY embedding <-> '[0,0,0,0,0,0,0,0]' LIMIT 5;
SELECT ruvector_hnsw_cached_elements('cache_items_l2') AS copied_after_truncate;
INSERT INTO cache_items VALUES (3, 0, '[0,0,0,0,0,0,0,0]');
REINDEX INDEX cache_items_l2;
SELECT id FROM cache_items ORDER BY embedding <-> '[0,0,0,0,0,0,0,0]' LIMIT 5;
SELECT id FROM cache_items ORDER BY embedding <-> '[0,0,0,0,0,0,0,0]' LIMIT 5;
SELECT ruvector_hnsw_cached_elements('cache_items_l2') AS copied_after_reindex;
DROP INDEX cache_items_l2;
SELECT ruvector_hnsw_cached_elements('cache_items'::regclass) AS copied_of_a_table;
RESET enable_seqscan;
RESET ruvector.hnsw_cache_size;

-- bad settings
SET ruvector.hnsw_cache_size = 'lots';

DROP TABLE cache_items, cache_queries;
DROP FUNCTION cache_answers;
