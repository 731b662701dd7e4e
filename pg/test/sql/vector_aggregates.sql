-- avg and sum over vectors; NULLs are skipped, no rows give NULL
SELECT avg(v), sum(v) FROM (VALUES ('[1,2]'::vector), (NULL), ('[3,5]')) t(v);
SELECT avg(v), sum(v) FROM (VALUES (NULL::vector)) t(v);
SELECT g, avg(v), sum(v) FROM (VALUES (1, '[1,2]'::vector), (2, '[3,5]'), (1, '[4,4]')) t(g, v) GROUP BY g ORDER BY g;
SELECT avg(DISTINCT v), sum(v ORDER BY v) FROM (VALUES ('[1,2]'::vector), ('[1,2]'), ('[4,5]')) t(v);

-- avg sums in double, so no overflow where sum (float32) overflows
SELECT avg(v) FROM (VALUES ('[3e38]'::vector), ('[3e38]')) t(v);
SELECT sum(v) FROM (VALUES ('[3e38]'::vector), ('[3e38]')) t(v);
SELECT avg(v) FROM (VALUES ('[1,2]'::vector), ('[3,5,6]')) t(v);
SELECT sum(v) FROM (VALUES ('[1,2]'::vector), ('[3,5,6]')) t(v);

-- window frames: moving frames restart the state, growing frames extend it
SELECT id, avg(v) OVER w, sum(v) OVER w
FROM (VALUES (1, '[1,10]'::vector), (2, '[2,20]'), (3, '[3,30]'), (4, '[4,40]')) t(id, v)
WINDOW w AS (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) ORDER BY id;
SELECT id, avg(v) OVER (ORDER BY id), sum(v) OVER (ORDER BY id)
FROM (VALUES (1, '[1,10]'::vector), (2, '[2,20]'), (3, '[3,30]')) t(id, v) ORDER BY id;

-- the state: float8[] of the count, then the sums
SELECT vector_accum('{0}', '[1,2]'), vector_accum('{1,2,3}', '[1,2]'), vector_accum('{5}', '[1,2]');
SELECT vector_combine('{1,2,3}', '{2,3,4}'), vector_combine('{0}', '{2,3,4}'), vector_combine('{2,1,2}', '{0}');
SELECT vector_avg('{2,3,4}'), vector_avg('{0}'), vector_avg('{3,1,2,3}');
SELECT vector_accum('{1,1e308}', '[1]'), vector_combine('{1,1e308}', '{1,1}');
SELECT vector_combine('{1,1e308}', '{1,1e308}');
SELECT vector_accum('{}', '[1,2]');
SELECT vector_accum('{1,NULL}', '[1]');
SELECT vector_accum('{1,2}', '[1,2]');
SELECT vector_combine('{1,2}', '{1,2,3}');
SELECT vector_avg('{{1,2}}');
SELECT vector_avg('{2,1e300}');
SELECT vector_avg('{1,NaN}');
SELECT vector_avg('{3}');

-- many rows, against SQL over the unnested elements; integer-valued elements keep every sum exact
CREATE TABLE vector_agg AS
SELECT i, ARRAY[i % 7, -(i % 11), i % 100, 1]::vector AS v FROM generate_series(1, 5000) i;
WITH reference AS (
	SELECT ARRAY[sum(i % 7), sum(-(i % 11)), sum(i % 100), count(*)]::float8[] AS s, count(*) AS n
	FROM generate_series(1, 5000) i
)
SELECT (SELECT sum(v) FROM vector_agg) = s::vector AS sum_ok,
       (SELECT avg(v) FROM vector_agg) = (SELECT array_agg(x / n ORDER BY o) FROM unnest(s) WITH ORDINALITY u(x, o))::vector AS avg_ok
FROM reference;

-- a parallel plan: partial states from the workers meet in vector_combine / vector_add
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT avg(v), sum(v) FROM vector_agg;
SELECT avg(v), sum(v) FROM vector_agg;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
SELECT avg(v), sum(v) FROM vector_agg;
DROP TABLE vector_agg;
