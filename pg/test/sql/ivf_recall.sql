-- flat and ivfflat: recall@10 against exact scans for every operator class and
-- quantization, rows in nondecreasing exact distance, the index actually used;
-- then inserts after the build, deletes + VACUUM, and ivfflat's probes and
-- iterative scans
-- No JIT: with sequential scans disabled, plan costs would make every query compile
SET jit = off;
SELECT setseed(0.17);
CREATE TABLE ivf_items (id int, v vector(32), h halfvec(32), b bit(32));
INSERT INTO ivf_items (id, v)
SELECT i, ('[' || array_to_string(ARRAY(SELECT round((random() * 2 - 1 + (i % 4) * 0.5)::numeric, 4) FROM generate_series(1, 32 + 0 * i)), ',') || ']')::vector
FROM generate_series(1, 1200) i;
UPDATE ivf_items SET h = v::halfvec(32), b = binary_quantize(v)::bit(32);
CREATE TABLE ivf_queries (qid int, v vector(32), h halfvec(32), b bit(32));
INSERT INTO ivf_queries (qid, v)
SELECT i, ('[' || array_to_string(ARRAY(SELECT round((random() * 2 - 1 + (i % 4) * 0.5)::numeric, 4) FROM generate_series(1, 32 + 0 * i)), ',') || ']')::vector
FROM generate_series(1, 12) i;
UPDATE ivf_queries SET h = v::halfvec(32), b = binary_quantize(v)::bit(32);

-- Over all queries: the share of the index's rows within the exact 10th distance
-- (ties count), whether each query's rows came in nondecreasing distance and were
-- 10, and whether the plan used an index scan
CREATE FUNCTION ivf_check(col text, op text, OUT recall numeric, OUT ordered bool, OUT used_index bool)
LANGUAGE plpgsql AS $$
DECLARE
	query record;
	exact float8[];
	got float8[];
	hits int := 0;
	total int := 0;
	line text;
BEGIN
	ordered := true;
	used_index := false;
	FOR query IN SELECT qid FROM ivf_queries ORDER BY qid LOOP
		PERFORM set_config('enable_indexscan', 'off', true);
		PERFORM set_config('enable_seqscan', 'on', true);
		EXECUTE format('SELECT array_agg(d ORDER BY d) FROM (SELECT i.%1$I %2$s q.%1$I AS d FROM ivf_items i, ivf_queries q
			WHERE q.qid = %3$s ORDER BY 1 LIMIT 10) s', col, op, query.qid) INTO exact;
		PERFORM set_config('enable_indexscan', 'on', true);
		PERFORM set_config('enable_seqscan', 'off', true);
		EXECUTE format('SELECT array_agg(d) FROM (SELECT i.%1$I %2$s (SELECT %1$I FROM ivf_queries WHERE qid = %3$s) AS d
			FROM ivf_items i ORDER BY i.%1$I %2$s (SELECT %1$I FROM ivf_queries WHERE qid = %3$s) LIMIT 10) s',
			col, op, query.qid) INTO got;
		FOR line IN EXECUTE format('EXPLAIN (COSTS OFF) SELECT id FROM ivf_items i ORDER BY i.%1$I %2$s
			(SELECT %1$I FROM ivf_queries WHERE qid = %3$s) LIMIT 10', col, op, query.qid) LOOP
			used_index := used_index OR line LIKE '%Index Scan using ivf_idx%';
		END LOOP;
		ordered := ordered AND coalesce(array_length(got, 1), 0) = 10;
		FOR i IN 1 .. coalesce(array_length(got, 1), 0) LOOP
			hits := hits + CASE WHEN got[i] <= exact[10] + 1e-9 THEN 1 ELSE 0 END;
			ordered := ordered AND (i = 1 OR got[i - 1] <= got[i]);
		END LOOP;
		total := total + 10;
	END LOOP;
	recall := round(hits::numeric / total, 2);
END $$;

CREATE TABLE ivf_results (am text, opclass text, quantization text, recall numeric, ordered bool, used_index bool);
CREATE TABLE ivf_cases (opclass text, col text, op text, ivfflat bool);
INSERT INTO ivf_cases VALUES
	('vector_l2_ops', 'v', '<->', true), ('vector_ip_ops', 'v', '<#>', true),
	('vector_cosine_ops', 'v', '<=>', true), ('vector_l1_ops', 'v', '<+>', false),
	('halfvec_l2_ops', 'h', '<->', true), ('halfvec_ip_ops', 'h', '<#>', true),
	('halfvec_cosine_ops', 'h', '<=>', true), ('halfvec_l1_ops', 'h', '<+>', false),
	('bit_hamming_ops', 'b', '<~>', true), ('bit_jaccard_ops', 'b', '<%>', false);

-- flat is exact, and so is ivfflat probing every list
SET ivfflat.probes = 8;
DO $$
DECLARE
	c record;
	am text;
	quantization text;
BEGIN
	FOR c IN SELECT * FROM ivf_cases LOOP
		FOREACH am IN ARRAY ARRAY['flat', 'ivfflat'] LOOP
			CONTINUE WHEN am = 'ivfflat' AND NOT c.ivfflat;
			FOREACH quantization IN ARRAY ARRAY['none', 'sq8', 'binary'] LOOP
				CONTINUE WHEN c.col = 'b' AND quantization <> 'none';
				EXECUTE format('CREATE INDEX ivf_idx ON ivf_items USING %s (%I %s) WITH (quantization = %L%s)',
					am, c.col, c.opclass, quantization, CASE WHEN am = 'ivfflat' THEN ', lists = 8' ELSE '' END);
				INSERT INTO ivf_results SELECT am, c.opclass, quantization, r.* FROM ivf_check(c.col, c.op) r;
				DROP INDEX ivf_idx;
			END LOOP;
		END LOOP;
	END LOOP;
END $$;
SELECT * FROM ivf_results ORDER BY am, opclass, quantization;

-- ivfflat with fewer probes than lists: approximate, still in exact order
SET ivfflat.probes = 3;
CREATE INDEX ivf_idx ON ivf_items USING ivfflat (v vector_l2_ops) WITH (lists = 8, quantization = 'sq8');
SELECT recall >= 0.6 AS recall_ok, ordered, used_index FROM ivf_check('v', '<->');
DROP INDEX ivf_idx;

-- half built, half inserted into the index on disk, then deletes + VACUUM
CREATE TABLE ivf_later AS SELECT * FROM ivf_items WHERE id > 600;
DELETE FROM ivf_items WHERE id > 600;
CREATE TABLE ivf_base AS SELECT * FROM ivf_items;
SET ivfflat.probes = 8;
SELECT format('CREATE INDEX ivf_idx ON ivf_items USING %s (v vector_l2_ops) WITH (quantization = %L%s)',
		am, quantization, CASE WHEN am = 'ivfflat' THEN ', lists = 8' ELSE '' END),
	'INSERT INTO ivf_items SELECT * FROM ivf_later',
	format('INSERT INTO ivf_results SELECT %L, ''vector_l2_ops'', %L, r.* FROM ivf_check(''v'', ''<->'') r',
		am || ' +inserts', quantization),
	'DELETE FROM ivf_items WHERE id % 3 = 0',
	'VACUUM ivf_items',
	format('INSERT INTO ivf_results SELECT %L, ''vector_l2_ops'', %L, r.* FROM ivf_check(''v'', ''<->'') r',
		am || ' +vacuum', quantization),
	'DROP INDEX ivf_idx',
	'TRUNCATE ivf_items',
	'INSERT INTO ivf_items SELECT * FROM ivf_base'
FROM unnest(ARRAY['flat', 'ivfflat']) am, unnest(ARRAY['none', 'sq8', 'binary']) quantization \gexec
SELECT * FROM ivf_results WHERE am LIKE '% +%' ORDER BY am, quantization;

-- VACUUM removes the entries of deleted rows: none comes back, and the count is right
CREATE INDEX ivf_idx ON ivf_items USING flat (v) WITH (quantization = 'sq8');
DELETE FROM ivf_items WHERE id % 2 = 0;
VACUUM ivf_items;
SET enable_seqscan = off;
SELECT count(*) AS rows_left, count(*) FILTER (WHERE id % 2 = 0) AS deleted_returned
FROM (SELECT id FROM ivf_items ORDER BY v <-> (SELECT v FROM ivf_queries WHERE qid = 1)) t;
RESET enable_seqscan;
DROP INDEX ivf_idx;

-- ivfflat iterative scans: a filter that the probed lists cannot satisfy
CREATE INDEX ivf_idx ON ivf_items USING ivfflat (v) WITH (lists = 8);
SET ivfflat.probes = 1;
SET enable_seqscan = off;
SELECT count(*) AS without_iterative FROM (SELECT id FROM ivf_items WHERE id % 4 = 1
	ORDER BY v <-> (SELECT v FROM ivf_queries WHERE qid = 2) LIMIT 400) t;
SET ivfflat.iterative_scan = relaxed_order;
SELECT count(*) AS iterative FROM (SELECT id FROM ivf_items WHERE id % 4 = 1
	ORDER BY v <-> (SELECT v FROM ivf_queries WHERE qid = 2) LIMIT 400) t;
SET ivfflat.max_probes = 2;
SELECT count(*) < (SELECT count(*) FROM ivf_items WHERE id % 4 = 1) AS max_probes_limits FROM (SELECT id FROM ivf_items
	WHERE id % 4 = 1 ORDER BY v <-> (SELECT v FROM ivf_queries WHERE qid = 2) LIMIT 400) t;
RESET ivfflat.iterative_scan;
RESET ivfflat.max_probes;
RESET ivfflat.probes;
RESET enable_seqscan;

DROP TABLE ivf_items, ivf_queries, ivf_results, ivf_cases, ivf_later, ivf_base;
DROP FUNCTION ivf_check;
