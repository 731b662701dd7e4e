-- The largest elements hnsw takes (vector 2000, halfvec 4000, sparsevec 1000 non-zeros): an element and its
-- neighbour list do not fit on one page together, so the list goes on a page of its own
CREATE FUNCTION wide_rows(dims int, first int, count int) RETURNS TABLE (id int, v real[]) LANGUAGE sql AS $$
	SELECT i, array_fill(i::real, ARRAY[dims]) FROM generate_series(first, first + count - 1) i
$$;
-- Exact order (no ties: row i holds the value i in every dimension) and a clean index check
CREATE FUNCTION wide_check(tab regclass, idx regclass, query text, op text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	exact int[];
	indexed int[];
	rows bigint;
BEGIN
	SET LOCAL enable_indexscan = off;
	SET LOCAL enable_seqscan = on;
	EXECUTE format('SELECT count(*) FROM %s', tab) INTO rows;
	EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM %s ORDER BY v %s %s, id LIMIT 5) t', tab, op, query) INTO exact;
	SET LOCAL enable_indexscan = on;
	SET LOCAL enable_seqscan = off;
	EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM %s ORDER BY v %s %s LIMIT 5) t', tab, op, query) INTO indexed;
	RETURN format('same order: %s, check: %s', exact = indexed,
		(ruvector_index_check(idx)).heap_tids = rows);
END $$;

CREATE TABLE wide_vector (id int, v vector(2000));
INSERT INTO wide_vector SELECT id, v::vector FROM wide_rows(2000, 1, 60);
CREATE INDEX wide_vector_l2 ON wide_vector USING hnsw (v vector_l2_ops);
SELECT wide_check('wide_vector', 'wide_vector_l2', 'array_fill(10.2::real, ARRAY[2000])::vector', '<->');
-- inserts after the build, then deletes + VACUUM and inserts that reuse the freed elements
INSERT INTO wide_vector SELECT id, v::vector FROM wide_rows(2000, 61, 30);
DELETE FROM wide_vector WHERE id % 4 = 0;
VACUUM wide_vector;
SELECT pg_relation_size('wide_vector_l2') AS size_before \gset
-- Without reuse each of these ten takes two pages; an element above level 0 reuses only a slot as high, so allow three such
INSERT INTO wide_vector SELECT id, v::vector FROM wide_rows(2000, 101, 10);
SELECT pg_relation_size('wide_vector_l2') <= :size_before + 6 * 8192 AS freed_elements_reused;
SELECT wide_check('wide_vector', 'wide_vector_l2', 'array_fill(10.2::real, ARRAY[2000])::vector', '<->');
-- the widest neighbour lists
CREATE INDEX wide_vector_m100 ON wide_vector USING hnsw (v vector_l2_ops) WITH (m = 100, ef_construction = 200);
SELECT wide_check('wide_vector', 'wide_vector_m100', 'array_fill(50.6::real, ARRAY[2000])::vector', '<->');
DROP TABLE wide_vector;

CREATE TABLE wide_half (id int, v halfvec(4000));
INSERT INTO wide_half SELECT id, v::halfvec FROM wide_rows(4000, 1, 40);
CREATE INDEX wide_half_l2 ON wide_half USING hnsw (v halfvec_l2_ops);
INSERT INTO wide_half SELECT id, v::halfvec FROM wide_rows(4000, 41, 10);
SELECT wide_check('wide_half', 'wide_half_l2', 'array_fill(20.3::real, ARRAY[4000])::halfvec', '<->');
DROP TABLE wide_half;

-- 1000 non-zeros, at most as many as pgvector's hnsw takes, spread over 100000 dimensions
CREATE FUNCTION wide_sparse(nnz int, value real) RETURNS sparsevec LANGUAGE sql AS $$
	SELECT ('{' || string_agg((j * 97) || ':' || value, ',') || '}/100000')::sparsevec FROM generate_series(1, nnz) j
$$;
CREATE TABLE wide_sparse (id int, v sparsevec(100000));
INSERT INTO wide_sparse SELECT i, wide_sparse(1000, (i % 97)::real) FROM generate_series(1, 30) i;
CREATE INDEX wide_sparse_l2 ON wide_sparse USING hnsw (v sparsevec_l2_ops);
INSERT INTO wide_sparse SELECT i, wide_sparse(1000, (i % 97)::real) FROM generate_series(31, 40) i;
DELETE FROM wide_sparse WHERE id % 3 = 0;
VACUUM wide_sparse;
INSERT INTO wide_sparse SELECT i, wide_sparse(1000, (i % 97)::real) FROM generate_series(41, 50) i;
SELECT wide_check('wide_sparse', 'wide_sparse_l2', 'wide_sparse(1000, 7.4)', '<->');
-- a query may have more non-zeros than an element
SET enable_seqscan = off;
SELECT array_agg(id) FROM (SELECT id FROM wide_sparse ORDER BY v <-> wide_sparse(1001, 4) LIMIT 3) t;
RESET enable_seqscan;
DROP TABLE wide_sparse;
DROP FUNCTION wide_check(regclass, regclass, text, text);
DROP FUNCTION wide_rows(int, int, int);
DROP FUNCTION wide_sparse(int, real);
