-- flat and ivfflat: options, settings and their errors, the little-data notice,
-- unindexable rows, unlogged tables, plans
-- No JIT: with sequential scans disabled, plan costs would make every query compile
SET jit = off;
CREATE TABLE ivf_opt (id int, v vector(3), b bit(8), u vector);
INSERT INTO ivf_opt SELECT i, ARRAY[i % 7, (i * 3) % 11, i % 5]::real[]::vector, (i % 256)::bit(8), '[1,2]'
FROM generate_series(1, 300) i;

-- quantization: the allowed values, case-insensitive; anything else is an error listing them
CREATE INDEX ivf_opt_idx ON ivf_opt USING flat (v) WITH (quantization = 'pq');
CREATE INDEX ivf_opt_idx ON ivf_opt USING ivfflat (v) WITH (quantization = '');
CREATE INDEX ivf_opt_idx ON ivf_opt USING flat (v) WITH (quantization = 'SQ8');
SELECT reloptions FROM pg_class WHERE relname = 'ivf_opt_idx';
DROP INDEX ivf_opt_idx;
CREATE INDEX ivf_opt_idx ON ivf_opt USING flat (b bit_hamming_ops) WITH (quantization = 'binary');
CREATE INDEX ivf_opt_idx ON ivf_opt USING flat (v) WITH (lists = 10);

-- lists: pgvector's bounds
CREATE INDEX ivf_opt_idx ON ivf_opt USING ivfflat (v) WITH (lists = 0);
CREATE INDEX ivf_opt_idx ON ivf_opt USING ivfflat (v) WITH (lists = 32769);

-- columns without dimensions, or with too many
CREATE INDEX ivf_opt_idx ON ivf_opt USING ivfflat (u);
CREATE INDEX ivf_opt_idx ON ivf_opt USING flat (u);
CREATE TABLE ivf_wide (v vector(2001));
CREATE INDEX ON ivf_wide USING flat (v);
CREATE INDEX ON ivf_wide USING ivfflat (v);
DROP TABLE ivf_wide;

-- fewer rows than lists
CREATE INDEX ivf_opt_idx ON ivf_opt USING ivfflat (v) WITH (lists = 500);
DROP INDEX ivf_opt_idx;

-- settings: pgvector's bounds
SET ivfflat.probes = 0;
SET ivfflat.probes = 32769;
SET ivfflat.max_probes = 0;
SET ivfflat.iterative_scan = strict_order;
SHOW ivfflat.probes;
SHOW ivfflat.iterative_scan;

-- a query of other dimensions
CREATE INDEX ivf_opt_idx ON ivf_opt USING flat (v);
SET enable_seqscan = off;
SELECT id FROM ivf_opt ORDER BY v <-> '[1,2]' LIMIT 1;
-- an index used only for ORDER BY distance, ascending
EXPLAIN (COSTS OFF) SELECT id FROM ivf_opt ORDER BY v <-> '[1,2,3]' LIMIT 3;
DROP INDEX ivf_opt_idx;

-- NULLs are not indexed, nor (under cosine) zero vectors
INSERT INTO ivf_opt (id) VALUES (1000);
INSERT INTO ivf_opt (id, v) VALUES (1001, '[0,0,0]');
CREATE INDEX ivf_opt_idx ON ivf_opt USING ivfflat (v vector_cosine_ops) WITH (lists = 4, quantization = 'sq8');
SET ivfflat.probes = 4;
SELECT count(*) FROM (SELECT id FROM ivf_opt ORDER BY v <=> '[1,1,1]' LIMIT 1000) t;
SELECT id, round((v <=> '[1,0,0]')::numeric, 6) AS d FROM ivf_opt ORDER BY v <=> '[1,0,0]', id LIMIT 3;
RESET ivfflat.probes;
DROP INDEX ivf_opt_idx;
RESET enable_seqscan;

-- an unlogged table's index starts from its init fork
CREATE UNLOGGED TABLE ivf_unlogged (v vector(3));
CREATE INDEX ON ivf_unlogged USING ivfflat (v) WITH (lists = 2, quantization = 'binary');
CREATE INDEX ON ivf_unlogged USING flat (v) WITH (quantization = 'sq8');
INSERT INTO ivf_unlogged VALUES ('[1,2,3]'), ('[3,2,1]'), ('[0,0,1]');
SET enable_seqscan = off;
SELECT v FROM ivf_unlogged ORDER BY v <-> '[1,2,4]' LIMIT 2;
RESET enable_seqscan;
DROP TABLE ivf_unlogged;

-- operator classes of each access method
SELECT am.amname, opc.opcname, opc.opcdefault FROM pg_opclass opc JOIN pg_am am ON am.oid = opc.opcmethod
WHERE am.amname IN ('flat', 'ivfflat') ORDER BY 1, 2;

DROP TABLE ivf_opt;

-- the planner picks a flat index over a sequential scan for vectors stored out of line (784 dimensions), whose
-- TOAST pages the sequential scan's estimate leaves out; and for vectors stored in the row (16 dimensions)
CREATE TABLE ivf_plan (id int, wide vector(784), narrow vector(16));
INSERT INTO ivf_plan SELECT i, ARRAY(SELECT ((i * 31 + d * 17) % 97)::real FROM generate_series(1, 784) d),
	ARRAY(SELECT ((i * 13 + d * 7) % 89)::real FROM generate_series(1, 16) d) FROM generate_series(1, 1000) i;
CREATE INDEX ivf_plan_wide ON ivf_plan USING flat (wide);
CREATE INDEX ivf_plan_narrow ON ivf_plan USING flat (narrow);
ANALYZE ivf_plan;
SELECT pg_relation_size('ivf_plan_wide') > 10 * pg_relation_size('ivf_plan') AS index_larger_than_table;
CREATE FUNCTION plan_scans(query text, index text) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE
	line text;
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
		IF line LIKE '%Index Scan using ' || index || ' %' THEN
			RETURN true;
		END IF;
	END LOOP;
	RETURN false;
END $$;
SELECT plan_scans('SELECT id FROM ivf_plan ORDER BY wide <-> (SELECT wide FROM ivf_plan WHERE id = 7) LIMIT 5',
	'ivf_plan_wide') AS wide_uses_index,
	plan_scans('SELECT id FROM ivf_plan ORDER BY narrow <-> (SELECT narrow FROM ivf_plan WHERE id = 7) LIMIT 5',
	'ivf_plan_narrow') AS narrow_uses_index;
SELECT id FROM ivf_plan ORDER BY wide <-> (SELECT wide FROM ivf_plan WHERE id = 7) LIMIT 1;
DROP TABLE ivf_plan;
DROP FUNCTION plan_scans;
