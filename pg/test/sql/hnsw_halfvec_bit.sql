-- hnsw on halfvec and bit columns, and on expressions over a vector column
SELECT setseed(0.7);
CREATE TABLE hnsw_items (id int, embedding vector(64), half halfvec(64), bits bit(64));
INSERT INTO hnsw_items (id, embedding)
SELECT i, ('[' || array_to_string(ARRAY(SELECT round((random() * 2 - 1)::numeric, 3) FROM generate_series(1, 64 + 0 * i)), ',') || ']')::vector
FROM generate_series(1, 1200) i;
UPDATE hnsw_items SET half = embedding::halfvec(64), bits = binary_quantize(embedding)::bit(64);
CREATE TABLE hnsw_queries (qid int, q vector(64));
INSERT INTO hnsw_queries
SELECT i, ('[' || array_to_string(ARRAY(SELECT round((random() * 2 - 1)::numeric, 3) FROM generate_series(1, 64 + 0 * i)), ',') || ']')::vector
FROM generate_series(1, 20) i;

-- Recall@10 of the index for ORDER BY item <op> query: a result counts when it is
-- as near as the exact 10th (bit distances tie a lot, any of the tied rows is right)
CREATE FUNCTION hnsw_recall(item text, query text, op text) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
	found numeric;
BEGIN
	SET LOCAL enable_indexscan = off;
	SET LOCAL enable_seqscan = on;
	EXECUTE format('CREATE TEMP TABLE tenth AS SELECT qid, max(d) AS d FROM hnsw_queries CROSS JOIN LATERAL
		(SELECT %1$s %3$s %2$s AS d FROM hnsw_items ORDER BY %1$s %3$s %2$s LIMIT 10) t GROUP BY qid',
		item, query, op);
	SET LOCAL enable_indexscan = on;
	SET LOCAL enable_seqscan = off;
	EXECUTE format('SELECT count(*) FROM hnsw_queries JOIN tenth USING (qid) CROSS JOIN LATERAL
		(SELECT %1$s %3$s %2$s AS d FROM hnsw_items ORDER BY %1$s %3$s %2$s LIMIT 10) t WHERE t.d <= tenth.d',
		item, query, op) INTO found;
	DROP TABLE tenth;
	RETURN found / (SELECT count(*) FROM hnsw_queries) / 10;
END $$;

CREATE INDEX hnsw_half_l2 ON hnsw_items USING hnsw (half halfvec_l2_ops);
SELECT hnsw_recall('half', 'q::halfvec(64)', '<->') >= 0.95 AS halfvec_l2_ok;
DROP INDEX hnsw_half_l2;
CREATE INDEX hnsw_half_ip ON hnsw_items USING hnsw (half halfvec_ip_ops);
SELECT hnsw_recall('half', 'q::halfvec(64)', '<#>') >= 0.9 AS halfvec_ip_ok;
DROP INDEX hnsw_half_ip;
CREATE INDEX hnsw_half_cosine ON hnsw_items USING hnsw (half halfvec_cosine_ops);
SELECT hnsw_recall('half', 'q::halfvec(64)', '<=>') >= 0.95 AS halfvec_cosine_ok;
DROP INDEX hnsw_half_cosine;
CREATE INDEX hnsw_half_l1 ON hnsw_items USING hnsw (half halfvec_l1_ops);
SELECT hnsw_recall('half', 'q::halfvec(64)', '<+>') >= 0.9 AS halfvec_l1_ok;
DROP INDEX hnsw_half_l1;

CREATE INDEX hnsw_bits_hamming ON hnsw_items USING hnsw (bits bit_hamming_ops);
SELECT hnsw_recall('bits', 'binary_quantize(q)::bit(64)', '<~>') >= 0.9 AS bit_hamming_ok;
DROP INDEX hnsw_bits_hamming;
CREATE INDEX hnsw_bits_jaccard ON hnsw_items USING hnsw (bits bit_jaccard_ops);
SELECT hnsw_recall('bits', 'binary_quantize(q)::bit(64)', '<%>') >= 0.9 AS bit_jaccard_ok;
DROP INDEX hnsw_bits_jaccard;

-- expression indexes: a halfvec or binary copy of a vector column
CREATE INDEX hnsw_expr_half ON hnsw_items USING hnsw ((embedding::halfvec(64)) halfvec_l2_ops);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM hnsw_items ORDER BY embedding::halfvec(64) <-> ('[' || repeat('0.5,', 63) || '0.5]')::halfvec(64) LIMIT 5;
RESET enable_seqscan;
SELECT hnsw_recall('embedding::halfvec(64)', 'q::halfvec(64)', '<->') >= 0.95 AS expression_halfvec_ok;
DROP INDEX hnsw_expr_half;
CREATE INDEX hnsw_expr_bits ON hnsw_items USING hnsw ((binary_quantize(embedding)::bit(64)) bit_hamming_ops);
SELECT hnsw_recall('binary_quantize(embedding)::bit(64)', 'binary_quantize(q)::bit(64)', '<~>') >= 0.9 AS expression_bit_ok;

-- inserts after the build, and wrong lengths
INSERT INTO hnsw_items (id, embedding) SELECT id + 2000, embedding FROM hnsw_items WHERE id <= 100;
SELECT hnsw_recall('binary_quantize(embedding)::bit(64)', 'binary_quantize(q)::bit(64)', '<~>') >= 0.9 AS after_inserts_ok;
DROP INDEX hnsw_expr_bits;
CREATE TABLE hnsw_varbit (b varbit);
CREATE INDEX ON hnsw_varbit USING hnsw (b bit_hamming_ops);
CREATE TABLE hnsw_bitwide (b bit(64001));
CREATE INDEX ON hnsw_bitwide USING hnsw (b bit_hamming_ops);
CREATE TABLE hnsw_halfwide (h halfvec(4001));
CREATE INDEX ON hnsw_halfwide USING hnsw (h halfvec_l2_ops);
DROP TABLE hnsw_varbit, hnsw_bitwide, hnsw_halfwide;

DROP FUNCTION hnsw_recall(text, text, text);
DROP TABLE hnsw_items, hnsw_queries;
