-- sparsevec: {index:value,...}/dimensions, indices 1-based in text, zeros dropped, sorted
SELECT '{1:1.5,3:2}/5'::sparsevec, '{3:2,1:1.5}/5'::sparsevec, ' { 2 : 1.5 , 1:2 } / 5 '::sparsevec;
SELECT '{}/3'::sparsevec, '{1:0,2:-0}/2'::sparsevec, '{1:1,1:0}/2'::sparsevec, '{1:1e-45}/2'::sparsevec;
SELECT '{1000000000:1}/1000000000'::sparsevec, '{1:1}/3'::sparsevec(3);

-- rejected input
SELECT '{1:1,1:2}/2'::sparsevec;
SELECT '{0:1}/2'::sparsevec;
SELECT '{3:1}/2'::sparsevec;
SELECT '{2147483648:1}/2'::sparsevec;
SELECT '{1:1e-50}/2'::sparsevec;
SELECT '{1:1e39}/2'::sparsevec;
SELECT '{1:nan}/2'::sparsevec;
SELECT '{1:inf}/2'::sparsevec;
SELECT '{}/0'::sparsevec;
SELECT '{1:1}/1000000001'::sparsevec;
SELECT '{1:1}/5 x'::sparsevec;
SELECT '{1:1} x/5'::sparsevec;
SELECT '[1,2]'::sparsevec;
SELECT '{1:1,}/2'::sparsevec;
SELECT '{1:1}/2'::sparsevec(3);
SELECT '{1:1}/2'::sparsevec(0);
SELECT '{1:1}/2'::sparsevec(1000000001);

-- distances: a = (1,0,2,0,0), b = (0,3,4,0,-1): L2 = sqrt(1+9+4+1), IP = 8, L1 = 1+3+2+1
SELECT l2_distance('{1:1,3:2}/5'::sparsevec, '{2:3,3:4,5:-1}/5'), '{1:1,3:2}/5'::sparsevec <-> '{2:3,3:4,5:-1}/5';
SELECT inner_product('{1:1,3:2}/5'::sparsevec, '{2:3,3:4,5:-1}/5'), '{1:1,3:2}/5'::sparsevec <#> '{2:3,3:4,5:-1}/5';
SELECT cosine_distance('{1:1,3:2}/5'::sparsevec, '{2:3,3:4,5:-1}/5'), '{1:1,3:2}/5'::sparsevec <=> '{2:3,3:4,5:-1}/5';
SELECT l1_distance('{1:1,3:2}/5'::sparsevec, '{2:3,3:4,5:-1}/5'), '{1:1,3:2}/5'::sparsevec <+> '{2:3,3:4,5:-1}/5';
SELECT sparsevec_l2_squared_distance('{1:1,3:2}/5', '{2:3,3:4,5:-1}/5'), sparsevec_negative_inner_product('{1:1}/5', '{1:2}/5');
-- empty and disjoint vectors
SELECT '{}/4'::sparsevec <-> '{}/4', '{1:1,2:1}/4'::sparsevec <-> '{3:1,4:1}/4', '{1:1,2:1}/4'::sparsevec <#> '{3:1,4:1}/4';
SELECT '{}/4'::sparsevec <=> '{1:1}/4', '{1:1,2:1}/4'::sparsevec <=> '{3:1,4:1}/4', '{1:3}/4'::sparsevec <=> '{1:-1}/4';
SELECT '{1:1}/3'::sparsevec <-> '{1:1}/2';

-- sparse distances equal the dense ones; small integers make every float32 sum exact at any summation order
CREATE TABLE sparsevec_pairs AS
SELECT i, ('[' || string_agg(CASE WHEN (i + j) % 3 = 0 THEN ((i * 7 + j) % 9 - 4)::text ELSE '0' END,
                             ',' ORDER BY j) || ']')::vector AS a,
       ('[' || string_agg(CASE WHEN (i * j) % 4 = 1 THEN ((i * 3 + j) % 11 - 5)::text ELSE '0' END,
                             ',' ORDER BY j) || ']')::vector AS b
FROM generate_series(1, 12) i, generate_series(1, 30 + i * 17) j GROUP BY i;
SELECT count(*) AS pairs,
       bool_and(a <-> b = a::sparsevec <-> b::sparsevec) AS l2, bool_and(a <#> b = a::sparsevec <#> b::sparsevec) AS ip,
       bool_and(a <=> b = a::sparsevec <=> b::sparsevec) AS cosine, bool_and(a <+> b = a::sparsevec <+> b::sparsevec) AS l1,
       bool_and(vector_norm(a) = l2_norm(a::sparsevec)) AS norm, bool_and(a::sparsevec::vector = a) AS round_trip
FROM sparsevec_pairs;

-- norms and normalization
SELECT l2_norm('{1:3,3:4}/5'::sparsevec), l2_normalize('{1:3,3:4}/5'::sparsevec), l2_normalize('{}/5'::sparsevec);
SELECT l2_normalize('{1:1e-45,2:1}/2'::sparsevec);

-- comparisons: as dense vectors where both have the position, then by dimensions
SELECT '{1:1}/3'::sparsevec = '{1:1}/3', '{1:1}/3'::sparsevec = '{1:1}/2', '{1:-1}/3'::sparsevec < '{}/3';
SELECT '{2:1}/3'::sparsevec < '{1:1}/3', '{2:1}/3'::sparsevec < '{}/1', '{3:-1}/3'::sparsevec < '{}/2';
CREATE TABLE sparsevec_sorted (v sparsevec);
INSERT INTO sparsevec_sorted VALUES ('{}/2'), ('{1:1}/2'), ('{2:1}/2'), ('{1:-1}/3'), ('{3:5}/3'), ('{}/1'), ('{1:2}/2');
CREATE INDEX ON sparsevec_sorted (v);
SET enable_seqscan = off;
SELECT v FROM sparsevec_sorted WHERE v >= '{1:1}/2' ORDER BY v;
RESET enable_seqscan;
SELECT v FROM sparsevec_sorted ORDER BY v;

-- binary output: int32 dim, nnz, unused, 0-based int32 indices, big-endian float4 values
SELECT sparsevec_send('{1:1.5,3:-2}/5'), sparsevec_send('{}/1');
