-- casts between vector, halfvec, sparsevec and arrays, in pgvector's contexts
SELECT '[1,2,3]'::vector::halfvec, '[0.1,1e-10]'::vector::halfvec, '[65519]'::vector::halfvec(1);
SELECT '[70000]'::vector::halfvec;
SELECT '[1,2]'::vector::halfvec(3);
SELECT '[0.1,-0]'::halfvec::vector, '[1,2]'::halfvec::real[];
SELECT '[1,2]'::halfvec::vector(3);
SELECT '[0,1,0,-0]'::vector::sparsevec, '[0,1.5,0]'::halfvec::sparsevec, '[0,0]'::vector::sparsevec(2);
SELECT '[0,1,0]'::vector::sparsevec(2);
SELECT '{2:1}/3'::sparsevec::vector, '{2:1.1}/3'::sparsevec::halfvec, '{}/2'::sparsevec::halfvec(2);
SELECT '{2:1}/20000'::sparsevec::vector;
SELECT '{2:1}/20000'::sparsevec::halfvec;
SELECT '{2:-70000}/2'::sparsevec::halfvec;

-- arrays: int4, float4, float8 and numeric; 1-D without NULLs
SELECT '{1,0,2}'::int[]::halfvec, '{1,0,2.5}'::real[]::halfvec, '{1,0,2.5}'::float8[]::halfvec,
       '{0.1,0.2}'::numeric[]::halfvec;
SELECT '{1,0,2}'::int[]::sparsevec, '{1,0,2.5}'::real[]::sparsevec, '{0,0}'::float8[]::sparsevec,
       '{0.1,0}'::numeric[]::sparsevec(2);
SELECT '{-1e-50,1}'::float8[]::sparsevec, '{65519.99}'::float8[]::halfvec;
SELECT '{}'::real[]::halfvec;
SELECT '{}'::real[]::sparsevec;
SELECT '{{1,2}}'::real[]::halfvec;
SELECT '{1,NULL}'::real[]::sparsevec;
SELECT '{NaN,1e6}'::float8[]::halfvec;
SELECT '{NaN,1e39}'::float8[]::sparsevec;
SELECT '{1e39,NaN}'::float8[]::sparsevec;
SELECT '{65520}'::float8[]::halfvec;
SELECT '{1e39}'::numeric[]::halfvec;
SELECT '{1,2}'::int[]::halfvec(3);
SELECT array_fill(1, ARRAY[16001])::sparsevec;
SELECT vector_dims(array_fill(0, ARRAY[20000])::sparsevec::halfvec);

-- implicit casts: vector -> halfvec -> sparsevec; the others need an explicit cast or an assignment
SELECT l2_distance('[1,2]'::vector, '[3,4]'::halfvec), '[1,2]'::halfvec <-> '{1:3,2:4}/2'::sparsevec;
SELECT l2_norm('[3,4]'::vector);
SELECT vector_norm('[3,4]'::halfvec);
CREATE TABLE cast_targets (v vector(2), h halfvec(2), s sparsevec(2));
INSERT INTO cast_targets VALUES ('[1,2]'::halfvec, '{1:1}/2'::sparsevec, '[0,3]'::vector);
INSERT INTO cast_targets VALUES ('{2:1}/2'::sparsevec, '{1,2}'::int[], '{0,4}'::real[]);
SELECT * FROM cast_targets;
