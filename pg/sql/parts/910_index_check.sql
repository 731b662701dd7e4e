-- ruvector_index_check(index): walks a ruvector index (hnsw, flat, ivfflat) like amcheck and raises
-- index_corrupted (XX002) at the first inconsistency; returns what it counted.
CREATE FUNCTION ruvector_index_check(index regclass, OUT pages bigint, OUT elements bigint, OUT deleted bigint,
	OUT heap_tids bigint, OUT links bigint)
	AS 'MODULE_PATHNAME' LANGUAGE C STRICT PARALLEL RESTRICTED;
