-- vector: text input and output
SELECT '[1,2,3]'::vector;
SELECT '[-1,2.5,-3e-05]'::vector;
SELECT ' [ 1 ,  2 , 3 ] '::vector;
SELECT '[1e+06,0.1,1e-07]'::vector;
SELECT '[3.4028235e+38,-3.4028235e+38,1e-45]'::vector;
SELECT '[1,2,3]'::vector(3);
SELECT '[0.1]'::vector::text;

-- vector: rejected text input, with pgvector's messages
SELECT '[1,2,3]'::vector(2);
SELECT '[]'::vector;
SELECT '[ ]'::vector;
SELECT ''::vector;
SELECT '1,2,3'::vector;
SELECT '[1,2,3'::vector;
SELECT '[1,2,]'::vector;
SELECT '[1,,2]'::vector;
SELECT '[1 2]'::vector;
SELECT '[1,2] x'::vector;
SELECT '[a]'::vector;
SELECT '[NaN]'::vector;
SELECT '[Infinity]'::vector;
SELECT '[-inf]'::vector;
SELECT '[4e38]'::vector;
SELECT '[1,-4e38]'::vector;
SELECT '[1e-50]'::vector;

-- vector: typmod
SELECT '[1]'::vector(0);
SELECT '[1]'::vector(16001);
SELECT '[1]'::vector(1, 2);
CREATE TABLE vector_typmod (v vector(3));
INSERT INTO vector_typmod VALUES ('[1,2,3]');
INSERT INTO vector_typmod VALUES ('[1,2]');
SELECT v, v::vector(3) FROM vector_typmod;
SELECT v::vector(2) FROM vector_typmod;
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'vector_typmod'::regclass AND attname = 'v';
DROP TABLE vector_typmod;

-- vector: dimension limits
SELECT vector_dims(('[' || array_to_string(array_fill(1, ARRAY[16000]), ',') || ']')::vector);
SELECT ('[' || array_to_string(array_fill(1, ARRAY[16001]), ',') || ']')::vector;

-- vector: binary send and receive round trip
SELECT vector_send('[1,-2.5,3e-05]'::vector);
CREATE TABLE vector_binary (id int, v vector);
INSERT INTO vector_binary VALUES (1, '[1,2,3]'), (2, '[-0.5,1e+10,7]'), (3, NULL);
COPY vector_binary TO '/tmp/ruvector_vector_binary.bin' WITH (FORMAT binary);
CREATE TABLE vector_binary_copy (id int, v vector);
COPY vector_binary_copy FROM '/tmp/ruvector_vector_binary.bin' WITH (FORMAT binary);
SELECT a.id, a.v, b.v, a.v::text = b.v::text AS same FROM vector_binary a JOIN vector_binary_copy b USING (id) ORDER BY id;
CREATE TABLE vector_binary_dims (id int, v vector(2));
COPY vector_binary_dims FROM '/tmp/ruvector_vector_binary.bin' WITH (FORMAT binary);
DROP TABLE vector_binary, vector_binary_copy, vector_binary_dims;
