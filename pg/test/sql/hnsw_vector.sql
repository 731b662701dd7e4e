-- hnsw on vector: index use, results against exact scans, options and errors
SET enable_seqscan = off;

CREATE TABLE hnsw_small (id int, embedding vector(3));
INSERT INTO hnsw_small VALUES (1, '[1,1,1]'), (2, '[2,2,2]'), (3, '[1,1,2]'), (4, '[-1,0,1]'), (5, NULL), (6, '[0,0,0]');

CREATE INDEX hnsw_small_l2 ON hnsw_small USING hnsw (embedding vector_l2_ops);
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_small ORDER BY embedding <-> '[1,1,1]' LIMIT 3;
-- rows come from the index in distance order; the outer ORDER BY only fixes the order of ties
CREATE FUNCTION hnsw_small_knn(op text, q vector) RETURNS TABLE (id int, distance numeric) LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format('SELECT id, round(d::numeric, 4) FROM (SELECT id, embedding %s $1 AS d
		FROM hnsw_small ORDER BY embedding %s $1 LIMIT 10) t ORDER BY d, id', op, op) USING q;
END $$;
SELECT * FROM hnsw_small_knn('<->', '[1,1,1]');
DROP INDEX hnsw_small_l2;

CREATE INDEX hnsw_small_ip ON hnsw_small USING hnsw (embedding vector_ip_ops);
SELECT * FROM hnsw_small_knn('<#>', '[1,1,1]');
DROP INDEX hnsw_small_ip;

-- cosine: the zero vector has no direction and is not indexed
CREATE INDEX hnsw_small_cosine ON hnsw_small USING hnsw (embedding vector_cosine_ops);
SELECT * FROM hnsw_small_knn('<=>', '[1,1,1]');
DROP INDEX hnsw_small_cosine;

CREATE INDEX hnsw_small_l1 ON hnsw_small USING hnsw (embedding vector_l1_ops);
SELECT * FROM hnsw_small_knn('<+>', '[1,1,1]');

-- inserts after the build
INSERT INTO hnsw_small VALUES (7, '[1,1,1.5]'), (8, NULL);
SELECT * FROM hnsw_small_knn('<+>', '[1,1,1]');

-- a query of the wrong dimensions
SELECT id FROM hnsw_small ORDER BY embedding <+> '[1,1]' LIMIT 3;

-- the plan of the helper's query uses the index too
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_small ORDER BY embedding <+> '[1,1,1]' LIMIT 10;
DROP FUNCTION hnsw_small_knn(text, vector);
DROP TABLE hnsw_small;

-- duplicates share an element: even ef_search = 1 finds all ten
CREATE TABLE hnsw_dups (id int, embedding vector(2));
INSERT INTO hnsw_dups SELECT i, '[1,1]' FROM generate_series(1, 10) i;
INSERT INTO hnsw_dups VALUES (11, '[5,5]');
CREATE INDEX ON hnsw_dups USING hnsw (embedding vector_l2_ops);
SET hnsw.ef_search = 1;
SELECT count(*) FROM (SELECT id FROM hnsw_dups ORDER BY embedding <-> '[1,1]' LIMIT 20) t;
RESET hnsw.ef_search;
DROP TABLE hnsw_dups;

-- Many more duplicates, inserted after the build, than share one element or fit
-- in a beam: every row stays reachable (an iterative scan returns each once)
CREATE TABLE hnsw_many_dups (id int, embedding vector(3));
CREATE INDEX ON hnsw_many_dups USING hnsw (embedding vector_l2_ops) WITH (m = 4, ef_construction = 10);
INSERT INTO hnsw_many_dups SELECT i, CASE WHEN i % 10 = 0 THEN ARRAY[i, i % 7, 1]::vector ELSE '[2,2,2]' END
FROM generate_series(1, 1500) i;
SET enable_seqscan = off;
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.ef_search = 10;
SELECT count(*) AS reached, count(DISTINCT id) AS distinct_rows FROM (SELECT id FROM hnsw_many_dups
	ORDER BY embedding <-> '[2,2,2]' LIMIT 5000) t;
RESET hnsw.ef_search;
RESET hnsw.iterative_scan;
RESET enable_seqscan;
DROP TABLE hnsw_many_dups;

-- options and their bounds
CREATE TABLE hnsw_options (embedding vector(3));
CREATE INDEX ON hnsw_options USING hnsw (embedding vector_l2_ops) WITH (m = 1);
CREATE INDEX ON hnsw_options USING hnsw (embedding vector_l2_ops) WITH (m = 101);
CREATE INDEX ON hnsw_options USING hnsw (embedding vector_l2_ops) WITH (ef_construction = 3);
CREATE INDEX ON hnsw_options USING hnsw (embedding vector_l2_ops) WITH (ef_construction = 1001);
CREATE INDEX ON hnsw_options USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 31);
CREATE INDEX ON hnsw_options USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 32);
SHOW hnsw.ef_search;
SET hnsw.ef_search = 0;
SET hnsw.ef_search = 1001;
DROP TABLE hnsw_options;

-- dimensions the index cannot take
CREATE TABLE hnsw_dims (a vector, b vector(2001));
CREATE INDEX ON hnsw_dims USING hnsw (a vector_l2_ops);
CREATE INDEX ON hnsw_dims USING hnsw (b vector_l2_ops);
DROP TABLE hnsw_dims;

-- an unlogged table's index, and TRUNCATE
CREATE UNLOGGED TABLE hnsw_unlogged (id int, embedding vector(3));
CREATE INDEX ON hnsw_unlogged USING hnsw (embedding vector_l2_ops);
INSERT INTO hnsw_unlogged VALUES (1, '[1,2,3]'), (2, '[3,2,1]');
SELECT id FROM hnsw_unlogged ORDER BY embedding <-> '[1,2,3]' LIMIT 1;
TRUNCATE hnsw_unlogged;
INSERT INTO hnsw_unlogged VALUES (3, '[3,2,1]');
SELECT id FROM hnsw_unlogged ORDER BY embedding <-> '[1,2,3]' LIMIT 5;
DROP TABLE hnsw_unlogged;

-- iterative scans: a selective filter still gets its rows
CREATE TABLE hnsw_filter (id int, category int, embedding vector(2));
INSERT INTO hnsw_filter SELECT i, i % 50, ('[' || cos(i) || ',' || sin(i) || ']')::vector FROM generate_series(1, 2000) i;
CREATE INDEX ON hnsw_filter USING hnsw (embedding vector_l2_ops);
SET enable_seqscan = on;
SET enable_indexscan = off;
CREATE TEMP TABLE hnsw_filter_exact AS
	SELECT id FROM hnsw_filter WHERE category = 7 ORDER BY embedding <-> '[1,0]' LIMIT 10;
RESET enable_indexscan;
SET enable_seqscan = off;
SHOW hnsw.iterative_scan;
SELECT count(*) < 10 AS too_few_without FROM
	(SELECT id FROM hnsw_filter WHERE category = 7 ORDER BY embedding <-> '[1,0]' LIMIT 10) t;
SET hnsw.iterative_scan = relaxed_order;
SELECT count(*) AS found, count(*) FILTER (WHERE id IN (SELECT id FROM hnsw_filter_exact)) AS exact FROM
	(SELECT id FROM hnsw_filter WHERE category = 7 ORDER BY embedding <-> '[1,0]' LIMIT 10) t;
SET hnsw.iterative_scan = strict_order;
SELECT count(*) AS found, bool_and(ordered) AS ascending FROM (
	SELECT d >= coalesce(lag(d) OVER (ORDER BY n), 0) AS ordered FROM (
		SELECT row_number() OVER () AS n, embedding <-> '[1,0]' AS d FROM
			(SELECT embedding FROM hnsw_filter WHERE category = 7 ORDER BY embedding <-> '[1,0]' LIMIT 10) t) u) v;
SET hnsw.max_scan_tuples = 60;
SELECT count(*) < 10 AS stopped_early FROM
	(SELECT id FROM hnsw_filter WHERE category = 7 ORDER BY embedding <-> '[1,0]' LIMIT 10) t;
SET hnsw.iterative_scan = 'sometimes';
RESET hnsw.max_scan_tuples;
RESET hnsw.iterative_scan;
DROP TABLE hnsw_filter;
