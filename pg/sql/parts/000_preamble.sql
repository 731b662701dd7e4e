-- ruvector 0.1.0: pgvector-compatible SQL surface over ruvector's kernels.
-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION ruvector" to load this file. \quit
