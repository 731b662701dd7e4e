/*
 * The recv side of the binary formats: core's readers (ruvector/vector_binary.hpp) over
 * a message buffer, their errors raised as pgvector's.
 *
 * Include after postgres.h, lib/stringinfo.h and vector_checks.h.
 */
#pragma once

#include "ruvector/vector_binary.hpp"

/* A reader over what is left of the message; on success the caller adds reader.cursor to buffer->cursor */
ruvector::binary_reader BinaryReader(StringInfo buffer);

/* The details an error for this type names, before the header is read */
InputErrorDetails BinaryErrorDetails(const char* type, int maxDim, int32 typmod);

/* Raise the error for a reader's code, naming the header's fields */
[[noreturn]] void ReportBinaryError(ruvector::input_error error, InputErrorDetails details,
                                    const ruvector::binary_header& header);
