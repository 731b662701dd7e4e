-- element-wise arithmetic: exact float32 results
SELECT '[1,2,3]'::vector + '[4,5,6]', '[1,2,3]'::vector - '[4,5,6]', '[1,2,3]'::vector * '[4,5,6]';
SELECT '[0.1,0.2]'::vector + '[0.2,0.1]', '[-0]'::vector * '[5]';
-- overflow and underflow are errors, as for float4
SELECT '[3e38]'::vector + '[3e38]';
SELECT '[-3e38]'::vector - '[3e38]';
SELECT '[1e30]'::vector * '[1e30]';
SELECT '[1e-30]'::vector * '[1e-30]';
SELECT '[0]'::vector * '[1e-30]';
SELECT '[1,2]'::vector + '[1]';
SELECT '[1,2]'::vector - '[1]';
SELECT '[1,2]'::vector * '[1]';

-- concatenation, up to 16000 dimensions
SELECT '[1,2]'::vector || '[3]';
SELECT vector_dims(array_fill(1, ARRAY[8000])::vector || array_fill(2, ARRAY[8000])::vector);
SELECT array_fill(1, ARRAY[8000])::vector || array_fill(1, ARRAY[8001])::vector;

-- comparison: element by element, then the shorter vector first; -0 = 0
SELECT '[1,2]'::vector < '[1,2,3]', '[1,3]'::vector > '[1,2,3]', '[1,2]'::vector = '[1,2]', '[1,2]'::vector <> '[1,2]';
SELECT '[1,2]'::vector <= '[1,2]', '[1,2]'::vector >= '[1,3]', '[-0]'::vector = '[0]';
SELECT vector_cmp('[1,2]'::vector, '[1,2,0]'), vector_cmp('[1,2,0]'::vector, '[1,2]'), vector_cmp('[1]'::vector, '[1]'),
       vector_cmp('[2]'::vector, '[1,5]');
SELECT v FROM (VALUES ('[1,2]'::vector), ('[1]'), ('[0,5]'), ('[1,2,0]'), ('[-1]')) t(v) ORDER BY v;

-- the btree opclass: ORDER BY, =, ranges and uniqueness through an index
CREATE TABLE vector_btree (id int, v vector);
INSERT INTO vector_btree SELECT i, ARRAY[i % 5, i % 3]::vector FROM generate_series(1, 60) i;
INSERT INTO vector_btree VALUES (61, '[1]'), (62, '[1,0,0]');
CREATE INDEX vector_btree_v ON vector_btree (v);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM vector_btree WHERE v = '[1,0]';
SELECT id FROM vector_btree WHERE v = '[1,0]' ORDER BY id;
SELECT v, count(*) FROM vector_btree WHERE v >= '[1]' AND v < '[2]' GROUP BY v ORDER BY v;
RESET enable_seqscan;
CREATE UNIQUE INDEX vector_btree_unique ON vector_btree (v);
CREATE TABLE vector_unique (v vector UNIQUE);
INSERT INTO vector_unique VALUES ('[1,2]'), ('[1,2,0]');
INSERT INTO vector_unique VALUES ('[-0,2]'), ('[0,2]');
DROP TABLE vector_btree, vector_unique;

-- l2_normalize: norm in double; the zero vector stays zero
SELECT l2_normalize('[3,4]'::vector), l2_normalize('[0,0]'::vector), l2_normalize('[3e38,3e38]'::vector);
SELECT l2_normalize('[1e-45]'::vector), l2_normalize('[1e-40,1e-45]'::vector);

-- binary_quantize: one bit per element, set when positive
SELECT binary_quantize('[1,0,-1,2,0.5,-0,3,4,5]'::vector), binary_quantize('[1e-45,-1e-45]'::vector);
SELECT length(binary_quantize(array_fill(1, ARRAY[16000])::vector));

-- subvector(v, start, count): 1-based, clipped like substring, never empty
SELECT subvector('[1,2,3,4,5]'::vector, 1, 3), subvector('[1,2,3,4,5]'::vector, 3, 2), subvector('[1,2,3,4,5]'::vector, 5, 1);
SELECT subvector('[1,2,3,4,5]'::vector, -1, 3), subvector('[1,2,3,4,5]'::vector, 4, 10), subvector('[1,2,3,4,5]'::vector, 0, 2);
SELECT subvector('[1,2,3,4,5]'::vector, 1, 2147483647), subvector('[1,2,3,4,5]'::vector, 5, 2147483647);
SELECT subvector('[1,2,3,4,5]'::vector, 1, 0);
SELECT subvector('[1,2,3,4,5]'::vector, 6, 1);
SELECT subvector('[1,2,3,4,5]'::vector, -1, 2);
SELECT subvector('[1,2,3,4,5]'::vector, 2147483647, 2147483647);
SELECT subvector('[1,2,3,4,5]'::vector, -2147483648, 2147483647);

-- vector_spherical_distance: the angle between unit vectors, as a fraction of pi
SELECT vector_spherical_distance('[1,0]'::vector, '[0,1]'), vector_spherical_distance('[1,0]'::vector, '[-1,0]'),
       vector_spherical_distance('[2,0]'::vector, '[2,0]');
SELECT vector_spherical_distance('[1,0]'::vector, '[1]');

-- casts from arrays (assignment) and to real[] (implicit)
SELECT ARRAY[1,2,3]::vector, ARRAY[1.5,2,3]::real[]::vector, ARRAY[1e-50, 2]::float8[]::vector, ARRAY[1.25,2]::numeric[]::vector;
SELECT '[1:2]={1,2}'::int[]::vector, ARRAY[16777217]::vector, '[1,2,3]'::vector::real[];
CREATE TABLE vector_assign (v vector(2), r real[]);
INSERT INTO vector_assign VALUES (ARRAY[1,2], '[1,2]'::vector), (ARRAY[1.5,2.5]::real[], NULL), (ARRAY[3,4]::numeric[], NULL);
SELECT * FROM vector_assign;
DROP TABLE vector_assign;
SELECT ARRAY[1e39]::float8[]::vector;
SELECT ARRAY[1e39]::numeric[]::vector;
SELECT ARRAY['NaN']::float8[]::vector;
SELECT ARRAY['Infinity']::real[]::vector;
SELECT ARRAY[[1,2],[3,4]]::vector;
SELECT ARRAY[1,NULL]::vector;
SELECT '{}'::int[]::vector;
SELECT ARRAY[1,2,3]::vector(2);
SELECT array_fill(1, ARRAY[16001])::vector;
SELECT ARRAY[1,2]::int8[]::vector;
