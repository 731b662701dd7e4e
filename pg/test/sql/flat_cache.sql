-- flat index copies (ruvector.flat_cache_size): scans that read a backend's copy
-- of a flat index answer exactly as an exact sequential scan, and the copy is
-- never used once an insert or a VACUUM changed the index
SELECT setseed(0.29);
CREATE TABLE flat_items (id int, v vector(8));
INSERT INTO flat_items
SELECT i, ('[' || array_to_string(ARRAY(SELECT round((random() * 2 - 1)::numeric, 3) FROM generate_series(1, 8 + 0 * i)), ',') || ']')::vector
FROM generate_series(1, 1500) i;
CREATE TABLE flat_queries (qid int, q vector(8));
INSERT INTO flat_queries
SELECT i, ('[' || array_to_string(ARRAY(SELECT round((random() * 2 - 1)::numeric, 3) FROM generate_series(1, 8 + 0 * i)), ',') || ']')::vector
FROM generate_series(1, 20) i;

-- every query's ten nearest ids in order, as one text: through the index (with a copy budget) or a sequential scan
CREATE FUNCTION flat_answers(through_index bool, op text DEFAULT '<->', budget text DEFAULT '16MB') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	answers text;
BEGIN
	PERFORM set_config('ruvector.flat_cache_size', budget, true);
	PERFORM set_config('enable_seqscan', (NOT through_index)::text, true);
	PERFORM set_config('enable_indexscan', through_index::text, true);
	EXECUTE format('SELECT string_agg(ids, '' / '' ORDER BY qid) FROM flat_queries CROSS JOIN LATERAL
		(SELECT string_agg(id::text, '','') AS ids FROM
			(SELECT id FROM flat_items ORDER BY v %s q LIMIT 10) t) a', op) INTO answers;
	RETURN answers;
END $$;

CREATE INDEX flat_items_l2 ON flat_items USING flat (v vector_l2_ops);
-- natively the copies are off unless asked for
SHOW ruvector.flat_cache_size;
SELECT flat_answers(true, '<->', '0') = flat_answers(false) AS pages_exact;
SELECT ruvector_flat_cached_rows('flat_items_l2') AS copied_with_copies_off;
-- the first scan with a budget only notes the index, the second copies it (each answer is 20 scans)
SELECT flat_answers(true) = flat_answers(false) AS copy_exact;
SELECT ruvector_flat_cached_rows('flat_items_l2') AS copied;
SELECT flat_answers(true) = flat_answers(false) AS copy_exact_again;

-- rows inserted after the copy: the next query in the same session finds them (each query's own vector)
INSERT INTO flat_items SELECT 10000 + qid, q FROM flat_queries;
SELECT ruvector_flat_cached_rows('flat_items_l2') AS copied_before_next_scan;
SELECT flat_answers(true) = flat_answers(false) AS exact_after_insert;
SELECT count(*) AS queries_finding_their_own_row FROM flat_queries CROSS JOIN LATERAL
	(SELECT id FROM flat_items ORDER BY v <-> q LIMIT 1) t WHERE id = 10000 + qid;
-- copied again once unchanged
SELECT flat_answers(true) = flat_answers(false) AS exact_recopied;
SELECT ruvector_flat_cached_rows('flat_items_l2') AS recopied;

-- deletes + VACUUM between two queries: the copy is dropped, deleted rows never come back
DELETE FROM flat_items WHERE id % 3 = 0 OR id > 10000;
VACUUM flat_items;
SELECT flat_answers(true) = flat_answers(false) AS exact_after_vacuum;
SELECT flat_answers(true) = flat_answers(false) AS exact_after_vacuum_copied;
SELECT ruvector_flat_cached_rows('flat_items_l2') AS copied_after_vacuum;
SET ruvector.flat_cache_size = '16MB';
SET enable_seqscan = off;
SELECT count(*) AS deleted_rows_returned FROM flat_queries CROSS JOIN LATERAL
	(SELECT id FROM flat_items ORDER BY v <-> q LIMIT 10) t WHERE id % 3 = 0 OR id > 10000;

-- the heap reuses the removed rows' space: new rows with new vectors are measured with those vectors
INSERT INTO flat_items SELECT 20000 + qid, q FROM flat_queries;
SELECT count(*) AS queries_finding_their_new_row FROM flat_queries CROSS JOIN LATERAL
	(SELECT id FROM flat_items ORDER BY v <-> q LIMIT 1) t WHERE id = 20000 + qid;
SELECT flat_answers(true) = flat_answers(false) AS exact_after_reuse;

-- inside one transaction: its own insert is seen by its next query
BEGIN;
SELECT flat_answers(true) = flat_answers(false) AS exact_in_transaction;
INSERT INTO flat_items VALUES (30000, '[5,5,5,5,5,5,5,5]');
SELECT id FROM flat_items ORDER BY v <-> '[5,5,5,5,5,5,5,5]' LIMIT 1;
ROLLBACK;

-- a budget too small: no copy, same answers
SELECT flat_answers(true, '<->', '16kB') = flat_answers(false) AS tiny_budget_exact;
SELECT ruvector_flat_cached_rows('flat_items_l2') AS copied_with_tiny_budget;

-- other metrics and quantized entries (lower bounds re-checked by the executor)
DROP INDEX flat_items_l2;
CREATE INDEX flat_items_ip ON flat_items USING flat (v vector_ip_ops);
SELECT flat_answers(true, '<#>') = flat_answers(false, '<#>') AS ip_exact;
SELECT flat_answers(true, '<#>') = flat_answers(false, '<#>') AS ip_copy_exact;
SELECT ruvector_flat_cached_rows('flat_items_ip') IS NOT NULL AS ip_copied;
DROP INDEX flat_items_ip;
CREATE INDEX flat_items_cosine ON flat_items USING flat (v vector_cosine_ops) WITH (quantization = 'sq8');
SELECT flat_answers(true, '<=>') = flat_answers(false, '<=>') AS cosine_sq8_exact;
SELECT flat_answers(true, '<=>') = flat_answers(false, '<=>') AS cosine_sq8_copy_exact;
SELECT ruvector_flat_cached_rows('flat_items_cosine') IS NOT NULL AS cosine_sq8_copied;
DROP INDEX flat_items_cosine;

-- TRUNCATE and REINDEX give the index a new file: the old copy is not used
CREATE INDEX flat_items_l2 ON flat_items USING flat (v vector_l2_ops);
SELECT flat_answers(true) = flat_answers(false) AS before_truncate;
SELECT flat_answers(true) = flat_answers(false) AS before_truncate_copied;
TRUNCATE flat_items;
INSERT INTO flat_items VALUES (1, '[1,1,1,1,1,1,1,1]'), (2, '[2,2,2,2,2,2,2,2]');
SELECT id FROM flat_items ORDER BY v <-> '[0,0,0,0,0,0,0,0]' LIMIT 5;
SELECT id FROM flat_items ORDER BY v <-> '[0,0,0,0,0,0,0,0]' LIMIT 5;
SELECT id FROM flat_items ORDER BY v <-> '[0,0,0,0,0,0,0,0]' LIMIT 5;
SELECT ruvector_flat_cached_rows('flat_items_l2') AS copied_after_truncate;
SELECT ruvector_flat_cached_rows('flat_items'::regclass) AS copied_of_a_table;
RESET enable_seqscan;
RESET ruvector.flat_cache_size;

-- bit vectors: the bit batch kernels read the rows in place, 13-byte rows 24 bytes apart on the
-- pages and 16 apart in the copy; each query's ten nearest distances (ties make ids ambiguous)
CREATE TABLE flat_bits (id int, b bit(100));
INSERT INTO flat_bits SELECT i, (SELECT string_agg(CASE WHEN random() < 0.4 THEN '1' ELSE '0' END, '')
	FROM generate_series(1, 100 + 0 * i))::bit(100) FROM generate_series(1, 1500) i;
CREATE TABLE flat_bit_queries AS SELECT id AS qid, b AS q FROM flat_bits WHERE id % 75 = 0;
UPDATE flat_bit_queries SET q = q # B'1011'::bit(100);
CREATE FUNCTION flat_bit_answers(through_index bool, op text, budget text DEFAULT '16MB') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	answers text;
BEGIN
	PERFORM set_config('ruvector.flat_cache_size', budget, true);
	PERFORM set_config('enable_seqscan', (NOT through_index)::text, true);
	PERFORM set_config('enable_indexscan', through_index::text, true);
	EXECUTE format('SELECT string_agg(ds, '' / '' ORDER BY qid) FROM flat_bit_queries CROSS JOIN LATERAL
		(SELECT string_agg(d::text, '','' ORDER BY d) AS ds FROM
			(SELECT b %1$s q AS d FROM flat_bits ORDER BY b %1$s q LIMIT 10) t) a', op) INTO answers;
	RETURN answers;
END $$;
CREATE INDEX flat_bits_hamming ON flat_bits USING flat (b bit_hamming_ops);
SELECT flat_bit_answers(true, '<~>', '0') = flat_bit_answers(false, '<~>') AS hamming_pages_exact;
SELECT flat_bit_answers(true, '<~>') = flat_bit_answers(false, '<~>') AS hamming_exact;
SELECT flat_bit_answers(true, '<~>') = flat_bit_answers(false, '<~>') AS hamming_copy_exact;
SELECT ruvector_flat_cached_rows('flat_bits_hamming') AS hamming_copied;
DROP INDEX flat_bits_hamming;
CREATE INDEX flat_bits_jaccard ON flat_bits USING flat (b bit_jaccard_ops);
SELECT flat_bit_answers(true, '<%>', '0') = flat_bit_answers(false, '<%>') AS jaccard_pages_exact;
SELECT flat_bit_answers(true, '<%>') = flat_bit_answers(false, '<%>') AS jaccard_exact;
SELECT flat_bit_answers(true, '<%>') = flat_bit_answers(false, '<%>') AS jaccard_copy_exact;
SELECT ruvector_flat_cached_rows('flat_bits_jaccard') AS jaccard_copied;
-- each query is its row with 3 bits flipped: nearest at Hamming distance 3 or less
SELECT split_part(flat_bit_answers(false, '<~>'), ',', 1)::int <= 3 AS nearest_found;
DROP TABLE flat_bits, flat_bit_queries;
DROP FUNCTION flat_bit_answers;

-- bad settings
SET ruvector.flat_cache_size = 'lots';

DROP TABLE flat_items, flat_queries;
DROP FUNCTION flat_answers;
