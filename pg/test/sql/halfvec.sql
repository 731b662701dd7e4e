-- halfvec: float16 elements, printed as the shortest text of each half's float value
SELECT '[1,2,3]'::halfvec, ' [ 1 , -2.5 , 3e2 ] '::halfvec, '[0.1,0.2,0.3333]'::halfvec;
SELECT '[65504,-65504,65519]'::halfvec, '[6e-8,3e-8,2.9e-8,1e-50]'::halfvec, '[-0]'::halfvec;
-- ties round to the even neighbour: 2049 -> 2048, 2051 -> 2052, 1 + 2^-11 -> 1
SELECT '[2049,2051,1.00048828125,1.00146484375]'::halfvec;
SELECT '[1,2,3]'::halfvec(3), vector_dims('[1,2,3]'::halfvec);

-- rejected input
SELECT '[65520]'::halfvec;
SELECT '[1e39]'::halfvec;
SELECT '[nan]'::halfvec;
SELECT '[inf]'::halfvec;
SELECT '[]'::halfvec;
SELECT '[1,2'::halfvec;
SELECT '[1,2] x'::halfvec;
SELECT '1'::halfvec;
SELECT '[1,2]'::halfvec(3);
SELECT '[1]'::halfvec(0);
SELECT '[1]'::halfvec(16001);
SELECT '[1]'::halfvec(2, 3);
SELECT vector_dims(array_fill(1, ARRAY[16000])::halfvec);
SELECT vector_dims(array_fill(1, ARRAY[16001])::halfvec);

-- distances, worked by hand for [1,2,3] and [3,2,1]: L2 = sqrt(8), IP = 10, cosine = 1 - 10/14, L1 = 4
SELECT l2_distance('[1,2,3]'::halfvec, '[3,2,1]'), '[1,2,3]'::halfvec <-> '[3,2,1]';
SELECT inner_product('[1,2,3]'::halfvec, '[3,2,1]'), '[1,2,3]'::halfvec <#> '[3,2,1]';
SELECT cosine_distance('[1,2,3]'::halfvec, '[3,2,1]'), '[1,2,3]'::halfvec <=> '[3,2,1]';
SELECT l1_distance('[1,2,3]'::halfvec, '[3,2,1]'), '[1,2,3]'::halfvec <+> '[3,2,1]';
SELECT halfvec_l2_squared_distance('[1,2,3]', '[3,2,1]'), halfvec_negative_inner_product('[1,2,3]', '[3,2,1]');
SELECT halfvec_spherical_distance('[1,0]', '[0,1]'), halfvec_spherical_distance('[1,0]', '[-1,0]');
SELECT cosine_distance('[0,0]'::halfvec, '[1,2]'), cosine_distance('[1,1]'::halfvec, '[-2,-2]');
SELECT '[1,2]'::halfvec <-> '[1,2,3]';
-- products of the largest halves leave the half range; the float32 sums hold them
SELECT inner_product('[65504,65504]'::halfvec, '[65504,65504]');

-- distances on longer vectors of small integers (exact at any summation order), against SQL over the elements
CREATE TABLE halfvec_pairs AS
SELECT i, ('[' || string_agg(((i * 7 + j * 3) % 17 - 8)::text, ',' ORDER BY j) || ']')::halfvec AS a,
       ('[' || string_agg(((i * 5 + j * 11) % 13 - 6)::text, ',' ORDER BY j) || ']')::halfvec AS b
FROM generate_series(1, 12) i, generate_series(1, 20 + i * 29) j GROUP BY i;
WITH elements AS (
	SELECT p.i, x.a::float8 AS a, x.b::float8 AS b
	FROM halfvec_pairs p, unnest(p.a::real[], p.b::real[]) AS x(a, b)
), reference AS (
	SELECT i, sqrt(sum((a - b) ^ 2)) AS l2, sum(a * b) AS ip, sum(abs(a - b)) AS l1,
	       1 - sum(a * b) / sqrt(sum(a * a) * sum(b * b)) AS cosine, sqrt(sum(a * a)) AS norm
	FROM elements GROUP BY i
)
SELECT count(*) AS pairs,
       bool_and(p.a <-> p.b = r.l2) AS l2, bool_and(p.a <#> p.b = -r.ip) AS ip, bool_and(p.a <+> p.b = r.l1) AS l1,
       bool_and(abs((p.a <=> p.b) - r.cosine) < 1e-15) AS cosine, bool_and(l2_norm(p.a) = r.norm) AS norm
FROM halfvec_pairs p JOIN reference r USING (i);

-- norms, normalization, quantization, subvectors
SELECT l2_norm('[3,4]'::halfvec), l2_normalize('[3,4]'::halfvec), l2_normalize('[0,0]'::halfvec);
SELECT binary_quantize('[1,-1,0,2,3,4,5,6,7]'::halfvec);
SELECT subvector('[1,2,3,4,5]'::halfvec, 2, 3), subvector('[1,2,3]'::halfvec, 0, 2), subvector('[1,2,3]'::halfvec, 3, 5);
SELECT subvector('[1,2,3]'::halfvec, 4, 1);
SELECT subvector('[1,2,3]'::halfvec, 1, 0);

-- arithmetic rounds each result to half; leaving the range is an error
SELECT '[1,2,3]'::halfvec + '[4,5,6]', '[1,2,3]'::halfvec - '[4,5,6]', '[1,2,3]'::halfvec * '[4,5,6]';
SELECT '[2048]'::halfvec + '[1]', '[1,2]'::halfvec || '[3]';
SELECT '[60000]'::halfvec + '[60000]';
SELECT '[300]'::halfvec * '[300]';
SELECT '[1e-4]'::halfvec * '[1e-4]';
SELECT '[1,2]'::halfvec + '[1]';

-- comparisons: element by element by value, then by length
SELECT '[1,2]'::halfvec < '[1,3]', '[1,2]'::halfvec < '[1,2,0]', '[-0]'::halfvec = '[0]', '[2]'::halfvec > '[1,5]';
SELECT halfvec_cmp('[1,2]', '[1,2]'), halfvec_cmp('[1,2]', '[1]'), halfvec_cmp('[0,5]', '[1]');
CREATE TABLE halfvec_sorted (v halfvec);
INSERT INTO halfvec_sorted VALUES ('[1,2]'), ('[1,2,3]'), ('[0,5]'), ('[1]'), ('[-1,7]'), ('[65504]'), (NULL);
CREATE INDEX ON halfvec_sorted (v);
SET enable_seqscan = off;
SELECT v FROM halfvec_sorted WHERE v > '[0,9]' ORDER BY v;
RESET enable_seqscan;
SELECT v FROM halfvec_sorted ORDER BY v DESC NULLS LAST;

-- aggregates
SELECT avg(v), sum(v) FROM (VALUES ('[1,2,3]'::halfvec), ('[3,4,5]'), (NULL)) t(v);
SELECT avg(v), sum(v) FROM (VALUES ('[1,2]'::halfvec)) t(v) WHERE false;
SELECT avg(v) FROM (VALUES ('[65504]'::halfvec), ('[65504]')) t(v);
SELECT sum(v) FROM (VALUES ('[65504]'::halfvec), ('[65504]')) t(v);
SELECT avg(v) FROM (VALUES ('[1,2]'::halfvec), ('[1,2,3]')) t(v);
SELECT halfvec_combine('{2,1,2}', '{1,3,4}'), halfvec_combine('{0}', '{1,3,4}'), halfvec_combine('{1,3,4}', '{0}');
SELECT halfvec_combine('{2,1,2}', '{1,3}');

-- binary output: int16 dim, int16 unused, big-endian half bit patterns
SELECT halfvec_send('[1,-2,65504,6e-8]');
