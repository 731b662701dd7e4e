#!/usr/bin/env bash
# Makes a wasm32 copy of the PostgreSQL 18 server headers for building PGlite side modules.
# Debian's pg_config.h describes amd64; PGlite is PostgreSQL built for wasm32 (4-byte pointers, size_t and long) with
# no x86 instruction-set features. PostgreSQL's module magic check rejects a module built with the wrong values.
# Usage: make-pg18-wasm32-headers.sh SERVER_INCLUDE_DIR DEST_SERVER_INCLUDE_DIR
set -euo pipefail

src=$1
dest=$2
config=$dest/pg_config.h

rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
cp -a "$src" "$dest"

set_value()
{
	grep -q "^#define $1 " "$config" || {
		echo "make-pg18-wasm32-headers: $1 not in pg_config.h" >&2
		exit 1
	}
	sed -i "s|^#define $1 .*|#define $1 $2|" "$config"
}
set_value SIZEOF_VOID_P 4
set_value SIZEOF_SIZE_T 4
set_value SIZEOF_LONG 4
set_value ALIGNOF_LONG 4
# clang (which builds PGlite and its side modules) knows no gnu_printf format archetype
set_value PG_C_PRINTF_ATTRIBUTE printf
set_value PG_CXX_PRINTF_ATTRIBUTE printf

# x86 instruction-set features (POPCNT, XSAVE, AVX-512, SSE 4.2 CRC, cpuid) and LLVM JIT do not exist in wasm32.
x86='(X86_[A-Z0-9_]*|XSAVE_[A-Z0-9_]*|AVX[0-9]*_[A-Z0-9_]*|SSE[0-9]*_[A-Z0-9_]*|_GET_CPUID[A-Z0-9_]*|_CPUIDEX)'
sed -i -E "s@^#define ((HAVE|USE)_$x86|USE_LLVM) .*@/* #undef \\1 */@" "$config"
if grep -nE "^#define (HAVE|USE)_$x86 " "$config"; then
	echo "make-pg18-wasm32-headers: x86 features left in $config" >&2
	exit 1
fi

# Check every size and alignment the header states against what clang says for wasm32 (when clang-16 is here),
# and that the core server headers compile cleanly for wasm32 with them.
clang=${CLANG:-clang-16}
sysroot=${EMSCRIPTEN_SYSROOT:-/usr/share/emscripten/cache/sysroot}
if command -v "$clang" >/dev/null && [[ -d $sysroot ]]; then
	check=$(mktemp --suffix=.c)
	trap 'rm -f "$check"' EXIT
	{
		echo '#include <stddef.h>'
		echo '#include <stdint.h>'
		echo '#include <sys/types.h>'
		echo '#include "postgres.h"'
		echo '#include "fmgr.h"'
		echo '#define CHECK(m, v) _Static_assert((m) == (v), #m " does not match wasm32")'
		echo 'CHECK(SIZEOF_VOID_P, sizeof(void *)); CHECK(SIZEOF_SIZE_T, sizeof(size_t));'
		echo 'CHECK(SIZEOF_LONG, sizeof(long)); CHECK(SIZEOF_LONG_LONG, sizeof(long long));'
		echo 'CHECK(SIZEOF_OFF_T, sizeof(off_t));'
		echo 'CHECK(ALIGNOF_SHORT, _Alignof(short)); CHECK(ALIGNOF_INT, _Alignof(int));'
		echo 'CHECK(ALIGNOF_LONG, _Alignof(long)); CHECK(ALIGNOF_INT64_T, _Alignof(int64_t));'
		echo 'CHECK(ALIGNOF_DOUBLE, _Alignof(double)); CHECK(MAXIMUM_ALIGNOF, _Alignof(double));'
		echo '#ifdef PG_INT128_TYPE'
		echo 'CHECK(ALIGNOF_PG_INT128_TYPE, _Alignof(PG_INT128_TYPE));'
		echo '#endif'
		echo '_Static_assert(sizeof(Datum) == 4 && !FLOAT8PASSBYVAL, "Datum must be 4 bytes, float8 by reference");'
	} >"$check"
	"$clang" --target=wasm32-unknown-emscripten --sysroot="$sysroot" -D__PGLITE__ -I"$dest" -Werror -fsyntax-only "$check"
	echo "make-pg18-wasm32-headers: sizes and alignments checked against $clang wasm32"
fi
echo "make-pg18-wasm32-headers: $dest"
