-- distances between [1,2,3] and [3,2,1], worked by hand:
-- L2 = sqrt(4+0+4), IP = 3+4+3 = 10, cosine = 1 - 10/14, L1 = 2+0+2
SELECT l2_distance('[1,2,3]'::vector, '[3,2,1]'::vector), '[1,2,3]'::vector <-> '[3,2,1]';
SELECT inner_product('[1,2,3]'::vector, '[3,2,1]'::vector), '[1,2,3]'::vector <#> '[3,2,1]';
SELECT cosine_distance('[1,2,3]'::vector, '[3,2,1]'::vector), '[1,2,3]'::vector <=> '[3,2,1]';
SELECT l1_distance('[1,2,3]'::vector, '[3,2,1]'::vector), '[1,2,3]'::vector <+> '[3,2,1]';
SELECT vector_l2_squared_distance('[1,2,3]'::vector, '[3,2,1]'::vector);
SELECT vector_dims('[1,2,3]'::vector), vector_norm('[3,4]'::vector);

-- cosine: identical, opposite, orthogonal, zero vectors
SELECT cosine_distance('[1,2]'::vector, '[1,2]'::vector), cosine_distance('[1,2]'::vector, '[-1,-2]'::vector), cosine_distance('[1,0]'::vector, '[0,1]'::vector);
SELECT cosine_distance('[0,0]'::vector, '[1,2]'::vector), cosine_distance('[0,0]'::vector, '[0,0]'::vector);
SELECT '[1,1]'::vector <=> '[1,1]';

-- sums are float32, as in pgvector, so they can overflow; vector_norm sums in double
SELECT l2_distance('[3e+38]'::vector, '[-3e+38]'::vector), inner_product('[3e+38]'::vector, '[3e+38]'::vector);
SELECT vector_norm('[3e+38,3e+38]'::vector);

-- every distance on longer vectors, against SQL over the unnested elements (float8 math)
CREATE TABLE vector_pairs AS
SELECT i, ('[' || string_agg(round((sin(i * 7 + j) * 10)::numeric, 3)::text, ',' ORDER BY j) || ']')::vector AS a,
       ('[' || string_agg(round((cos(i * 3 + j) * 10)::numeric, 3)::text, ',' ORDER BY j) || ']')::vector AS b
FROM generate_series(1, 20) i, generate_series(1, 37 + i * 11) j GROUP BY i;
WITH elements AS (
	SELECT p.i, x.a::float8 AS a, x.b::float8 AS b
	FROM vector_pairs p,
	     unnest(string_to_array(trim(both '[]' from p.a::text), ',')::float4[],
	            string_to_array(trim(both '[]' from p.b::text), ',')::float4[]) AS x(a, b)
), reference AS (
	SELECT i, sqrt(sum((a - b) ^ 2)) AS l2, sum(a * b) AS ip, sum(abs(a - b)) AS l1,
	       1 - sum(a * b) / sqrt(sum(a * a) * sum(b * b)) AS cosine, sqrt(sum(a * a)) AS norm
	FROM elements GROUP BY i
)
SELECT count(*) AS pairs,
       max(abs(l2_distance(p.a, p.b) - r.l2) / r.l2) < 1e-6 AS l2_ok,
       max(abs(inner_product(p.a, p.b) - r.ip) / (abs(r.ip) + 1)) < 1e-5 AS ip_ok,
       max(abs((p.a <#> p.b) + r.ip) / (abs(r.ip) + 1)) < 1e-5 AS neg_ip_ok,
       max(abs(cosine_distance(p.a, p.b) - r.cosine)) < 1e-6 AS cosine_ok,
       max(abs(l1_distance(p.a, p.b) - r.l1) / r.l1) < 1e-6 AS l1_ok,
       max(abs(vector_norm(p.a) - r.norm) / r.norm) < 1e-12 AS norm_ok
FROM vector_pairs p JOIN reference r USING (i);
DROP TABLE vector_pairs;

-- dimension mismatch
SELECT l2_distance('[1,2,3]'::vector, '[1,2]'::vector);
SELECT '[1,2,3]'::vector <#> '[1,2]';
SELECT '[1,2,3]'::vector <=> '[1,2]';
SELECT '[1,2]'::vector <+> '[1,2,3]';

-- nearest neighbours by each operator, without an index
CREATE TABLE items (id int, embedding vector(3));
INSERT INTO items VALUES (1, '[1,1,1]'), (2, '[2,2,2]'), (3, '[1,1,2]'), (4, '[-1,0,1]'), (5, NULL);
SELECT id FROM items ORDER BY embedding <-> '[1,1,1]' LIMIT 3;
SELECT id FROM items ORDER BY embedding <#> '[1,1,1]' LIMIT 3;
SELECT id FROM items ORDER BY embedding <=> '[1,1,1]', id LIMIT 3;
SELECT id FROM items ORDER BY embedding <+> '[1,1,1]', id LIMIT 3;
DROP TABLE items;

-- the kernel family in use is one this build knows
SELECT ruvector_simd_level() IN ('serial', 'avx2', 'avx512', 'neon', 'wasm_simd128');
