-- ruvector's own functions
CREATE FUNCTION ruvector_simd_level() RETURNS text
	AS 'MODULE_PATHNAME' LANGUAGE C STABLE STRICT PARALLEL SAFE;
