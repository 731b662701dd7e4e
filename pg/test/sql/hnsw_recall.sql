-- hnsw recall@10 against exact scans, per opclass: after a build, after inserts
-- into the built index, and after deletes + VACUUM
SELECT setseed(0.42);
CREATE TABLE hnsw_items (id int, embedding vector(16));
INSERT INTO hnsw_items
SELECT i, ('[' || array_to_string(ARRAY(SELECT round((random() * 2 - 1)::numeric, 4) FROM generate_series(1, 16 + 0 * i)), ',') || ']')::vector
FROM generate_series(1, 1500) i;
CREATE TABLE hnsw_queries (qid int, q vector(16));
INSERT INTO hnsw_queries
SELECT i, ('[' || array_to_string(ARRAY(SELECT round((random() * 2 - 1)::numeric, 4) FROM generate_series(1, 16 + 0 * i)), ',') || ']')::vector
FROM generate_series(1, 25) i;

-- fraction of the exact 10 nearest that the index returns, over all queries
CREATE FUNCTION hnsw_recall(op text, items text DEFAULT 'hnsw_items') RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
	found numeric;
BEGIN
	SET LOCAL enable_indexscan = off;
	SET LOCAL enable_seqscan = on;
	EXECUTE format('CREATE TEMP TABLE exact AS SELECT qid, id FROM hnsw_queries CROSS JOIN LATERAL
		(SELECT id FROM %I ORDER BY embedding %s q LIMIT 10) t', items, op);
	SET LOCAL enable_indexscan = on;
	SET LOCAL enable_seqscan = off;
	EXECUTE format('CREATE TEMP TABLE approx AS SELECT qid, id FROM hnsw_queries CROSS JOIN LATERAL
		(SELECT id FROM %I ORDER BY embedding %s q LIMIT 10) t', items, op);
	SELECT count(*) INTO found FROM exact JOIN approx USING (qid, id);
	DROP TABLE exact, approx;
	RETURN found / (SELECT count(*) FROM hnsw_queries) / 10;
END $$;

CREATE INDEX hnsw_items_l2 ON hnsw_items USING hnsw (embedding vector_l2_ops);
SELECT hnsw_recall('<->') >= 0.95 AS l2_recall_ok;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_items ORDER BY embedding <-> ('[' || repeat('0.5,', 15) || '0.5]')::vector LIMIT 10;
RESET enable_seqscan;
DROP INDEX hnsw_items_l2;

CREATE INDEX hnsw_items_ip ON hnsw_items USING hnsw (embedding vector_ip_ops);
SELECT hnsw_recall('<#>') >= 0.90 AS ip_recall_ok;
DROP INDEX hnsw_items_ip;

CREATE INDEX hnsw_items_cosine ON hnsw_items USING hnsw (embedding vector_cosine_ops);
SELECT hnsw_recall('<=>') >= 0.95 AS cosine_recall_ok;
DROP INDEX hnsw_items_cosine;

CREATE INDEX hnsw_items_l1 ON hnsw_items USING hnsw (embedding vector_l1_ops) WITH (m = 8, ef_construction = 40);
SELECT hnsw_recall('<+>') >= 0.90 AS l1_recall_ok;
DROP INDEX hnsw_items_l1;

-- half built, half inserted one by one into the index on disk
CREATE TABLE hnsw_later (LIKE hnsw_items);
INSERT INTO hnsw_later SELECT * FROM hnsw_items WHERE id > 750;
DELETE FROM hnsw_items WHERE id > 750;
CREATE INDEX hnsw_items_l2 ON hnsw_items USING hnsw (embedding vector_l2_ops);
INSERT INTO hnsw_items SELECT * FROM hnsw_later;
SELECT count(*) FROM hnsw_items;
SELECT hnsw_recall('<->') >= 0.95 AS l2_recall_after_inserts_ok;

-- deleted rows never come back; recall holds over the rows that remain
DELETE FROM hnsw_items WHERE id % 3 = 0;
VACUUM hnsw_items;
SET enable_seqscan = off;
SELECT count(*) AS deleted_returned FROM hnsw_queries CROSS JOIN LATERAL
	(SELECT id FROM hnsw_items ORDER BY embedding <-> q LIMIT 10) t WHERE id % 3 = 0;
RESET enable_seqscan;
SELECT hnsw_recall('<->') >= 0.95 AS l2_recall_after_vacuum_ok;

-- vacuum frees the deleted elements and inserts reuse them: delete/insert cycles do not grow the index
CREATE TABLE hnsw_cycle AS SELECT * FROM hnsw_items WHERE id % 3 = 1;
CREATE TEMP TABLE hnsw_size AS SELECT pg_relation_size('hnsw_items_l2') AS before;
DELETE FROM hnsw_items WHERE id % 3 = 1;
VACUUM hnsw_items;
INSERT INTO hnsw_items SELECT * FROM hnsw_cycle;
DELETE FROM hnsw_items WHERE id % 3 = 1;
VACUUM hnsw_items;
INSERT INTO hnsw_items SELECT * FROM hnsw_cycle;
DELETE FROM hnsw_items WHERE id % 3 = 1;
VACUUM hnsw_items;
INSERT INTO hnsw_items SELECT * FROM hnsw_cycle;
SELECT pg_relation_size('hnsw_items_l2') <= before * 1.1 AS size_bounded FROM hnsw_size;
SELECT count(*) FROM hnsw_items;
SELECT hnsw_recall('<->') >= 0.95 AS l2_recall_after_cycles_ok;

-- a build that outgrows maintenance_work_mem goes on inserting on disk
CREATE TABLE hnsw_wide (id int, embedding vector(128));
INSERT INTO hnsw_wide
SELECT i, ('[' || array_to_string(ARRAY(SELECT round((random() * 2 - 1)::numeric, 3) FROM generate_series(1, 128 + 0 * i)), ',') || ']')::vector
FROM generate_series(1, 2400) i;
ALTER TABLE hnsw_queries ADD COLUMN wide vector(128);
UPDATE hnsw_queries SET wide = embedding FROM hnsw_wide WHERE id = qid;
ALTER TABLE hnsw_queries RENAME COLUMN q TO narrow;
ALTER TABLE hnsw_queries RENAME COLUMN wide TO q;
SET maintenance_work_mem = '1MB';
CREATE INDEX ON hnsw_wide USING hnsw (embedding vector_l2_ops);
RESET maintenance_work_mem;
SELECT hnsw_recall('<->', 'hnsw_wide') >= 0.9 AS l2_recall_after_memory_fallback_ok;

DROP FUNCTION hnsw_recall(text, text);
DROP TABLE hnsw_items, hnsw_queries, hnsw_later, hnsw_wide, hnsw_cycle;
