-- Hamming and Jaccard distances between bit strings
SELECT hamming_distance(B'1010', B'0110'), jaccard_distance(B'1010', B'0110');
SELECT B'101' <~> B'111', B'101' <%> B'111';
-- Jaccard is 1 when no bit is set in both
SELECT jaccard_distance(B'0000', B'0000'), jaccard_distance(B'1000', B'0000'), jaccard_distance(B'1111', B'1111');
SELECT hamming_distance(B'', B''), jaccard_distance(B'', B'');
SELECT hamming_distance('1010'::varbit, '0110'::varbit), jaccard_distance('101'::bit(3), '111'::varbit);
SELECT hamming_distance(B'1010', B'011');
SELECT jaccard_distance(B'1010', B'011');
SELECT B'10000000' <%> B'1000000';

-- long strings (every block size of the kernels), against SQL over the characters
CREATE TABLE bit_pairs AS
SELECT n, string_agg(CASE WHEN sin(n * 13 + j) > 0.3 THEN '1' ELSE '0' END, '' ORDER BY j) AS a,
       string_agg(CASE WHEN cos(n * 5 + j) > -0.2 THEN '1' ELSE '0' END, '' ORDER BY j) AS b
FROM (SELECT unnest(ARRAY[1, 7, 8, 9, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1000, 4097, 70000]) AS n) s,
     generate_series(1, n) j GROUP BY n;
WITH chars AS (
	SELECT p.n, x.a, x.b
	FROM bit_pairs p, unnest(string_to_array(p.a, NULL), string_to_array(p.b, NULL)) AS x(a, b)
), reference AS (
	SELECT n, sum((a <> b)::int) AS differ, sum((a = '1' AND b = '1')::int) AS both_set,
	       sum((a = '1' OR b = '1')::int) AS either_set
	FROM chars GROUP BY n
)
SELECT p.n, hamming_distance(p.a::varbit, p.b::varbit) = r.differ AS hamming_ok,
       jaccard_distance(p.a::varbit, p.b::varbit) = 1 - r.both_set::float8 / r.either_set AS jaccard_ok
FROM bit_pairs p JOIN reference r USING (n) ORDER BY p.n;
DROP TABLE bit_pairs;

-- binary-quantised vectors
SELECT binary_quantize('[1,-2,3,-4]'::vector) <~> binary_quantize('[-1,-2,3,4]'::vector),
       binary_quantize('[1,-2,3,-4]'::vector) <%> binary_quantize('[-1,-2,3,4]'::vector);
