#!/usr/bin/env bash
# Damaged hnsw index pages are reported, never followed into a crash. The index file is edited while the server is
# down (CHECKPOINT, immediate stop, edit, restart: the WAL holds nothing newer for the index), one damage at a time:
#   garbage   a whole data page overwritten with random bytes (PostgreSQL's own page check refuses it: XX001)
#   tuples    the tuple space of a page (header intact) overwritten with random bytes
#   tidcount  an element claiming 200 heap TIDs (core holds at most 10)
#   level     an element on level 250 (above any level the graph has)
#   link      a neighbour link to block 100000, past the end of the index
#   offset    a neighbour link to offset 127 (no such tuple on the page)
#   version   a meta page of on-disk version 4 (an index built before 4-byte links: REINDEX)
#   loop      (a flat index) a list page linking to itself
# PostgreSQL 18 initialises with data checksums, which would refuse every edited page first: the damaged cases run
# with ignore_checksum_failure, so the pages reach ruvector's own checks.
# For each: ruvector_index_check fails with SQLSTATE XX002 (index_corrupted) or XX001 (data_corrupted, garbage
# page only), a full iterative index scan fails with the same classes or answers, a VACUUM (where the damage is on
# its path) fails with them, the server never restarts (no backend crashed), the session answers afterwards; with the
# original file back the check passes again.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

rows=2000
checked=items_v
setup_db
sql <<SQL
CREATE TABLE items (id bigint PRIMARY KEY, v vector(16)) WITH (autovacuum_enabled = off);
INSERT INTO items SELECT i, gv(i) FROM generate_series(1, $rows) i;
CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops) WITH (m = 8);
-- Dead rows, so that a VACUUM of the damaged index has work to do there
INSERT INTO items SELECT i, gv(i) FROM generate_series($rows + 1, $rows + 100) i;
DELETE FROM items WHERE id > $rows;
SQL
IFS='|' read -r pages elements deleted heap_tids links < <(sql -c "SELECT * FROM ruvector_index_check('items_v')")
expect_eq "elements counted by ruvector_index_check" "$elements" $((rows + 100))
expect_eq "heap TIDs counted by ruvector_index_check" "$heap_tids" $((rows + 100))
expect_eq "deleted elements counted by ruvector_index_check" "$deleted" 0
((links >= rows * 8)) || fail "only $links links in an index of $rows elements with m = 8"
log "intact index: $pages pages, $elements elements, $links links"

# ruvector_index_check refuses what is not a ruvector index
err=$(sql -c "SELECT ruvector_index_check('items_pkey')" 2>&1 || true)
grep -q 'is not a ruvector index' <<<"$err" || fail "checking a btree index: $err"

data_dir="$(cat "${BUILD:-$RUVECTOR_ROOT/build}/pgrun/$RUVECTOR_PG_VERSION.dir")/data"
file="$data_dir/$(sql -c "SELECT pg_relation_filepath('items_v')")"
server_log="$(dirname "$data_dir")/server.log"
sql -c "CHECKPOINT"
crash_server
cp "$file" "$WORK/items_v.orig"

# u16 FILE OFFSET: a little-endian uint16 of the file
u16()
{
	od -An -tu2 -j "$2" -N 2 "$1" | tr -d ' '
}

# put_bytes OFFSET HEX...: write bytes at OFFSET of the index file
put_bytes()
{
	local offset=$1
	shift
	printf '%b' "$(printf '\\x%s' "$@")" | dd of="$file" bs=1 seek="$offset" conv=notrunc status=none
}

# item_offset BLOCK TYPE: file offset of the first tuple of TYPE (1 element, 2 neighbour list apart) on BLOCK
item_offset()
{
	local page=$(($1 * 8192)) lower count lp off
	lower=$(u16 "$file" $((page + 12)))
	count=$(((lower - 24) / 4))
	for ((i = 0; i < count; i++)); do
		lp=$(od -An -tu4 -j $((page + 24 + 4 * i)) -N 4 "$file" | tr -d ' ')
		off=$((lp & 0x7fff))
		if (((lp >> 15 & 3) == 1)) && [[ $(od -An -tu1 -j $((page + off)) -N 1 "$file" | tr -d ' ') == "$2" ]]; then
			echo $((page + off))
			return
		fi
	done
	fail "no tuple of type $2 on block $1"
}

# list_offset BLOCK: file offset of the neighbour list inside the first element on BLOCK: after the element's header
# (12 bytes), its heap TID slots (6 bytes each, count at byte 4), aligned to 8, and the 16 floats of its vector. The
# list's header is 4 bytes; then come 4-byte links: block number << 7 | offset number (7 offset bits with 8 kB pages)
list_offset()
{
	local element slots
	element=$(item_offset "$1" 1)
	slots=$(od -An -tu1 -j $((element + 4)) -N 1 "$file" | tr -d ' ')
	echo $((element + (12 + 6 * slots + 7) / 8 * 8 + 16 * 4))
}

crashes_before()
{
	grep -c 'terminated by signal' "$server_log" || true
}

# damaged NAME EXPECTED_CODES [vacuum]: restart on the damaged file, check $checked, scan (and VACUUM), then stop and
# restore the original
damaged()
{
	local name=$1 codes=$2 before out code
	before=$(crashes_before)
	restart_quietly
	out=$(sql -c "\\set VERBOSITY verbose" -c "SET ignore_checksum_failure = on" \
		-c "SELECT * FROM ruvector_index_check('$checked')" 2>&1 || true)
	code=$(grep -o 'ERROR:  [0-9A-Z]\{5\}' <<<"$out" | head -n 1 | cut -c 9-)
	[[ " $codes " == *" $code "* ]] || fail "$name: ruvector_index_check gave '$out', expected SQLSTATE $codes"
	log "$name: ruvector_index_check: $(grep -m 1 ERROR <<<"$out")"

	out=$(sql -c "\\set VERBOSITY verbose" -c "SET ignore_checksum_failure = on" -c "SET enable_seqscan = off" \
		-c "SET hnsw.iterative_scan = relaxed_order" \
		-c "SET hnsw.max_scan_tuples = 100000000" \
		-c "SELECT count(*) FROM (SELECT id FROM items ORDER BY v <-> gv(-1) LIMIT 100000000) s" 2>&1 || true)
	if grep -q ERROR <<<"$out"; then
		code=$(grep -o 'ERROR:  [0-9A-Z]\{5\}' <<<"$out" | head -n 1 | cut -c 9-)
		[[ " $codes " == *" $code "* ]] || fail "$name: the index scan gave '$out', expected SQLSTATE $codes"
		log "$name: index scan: $(grep -m 1 ERROR <<<"$out")"
	else
		log "$name: index scan answered $out rows (the damage is off its path)"
	fi
	# VACUUM reads (and rewrites) every element: damage on its path must stop it, never be written through. (Only
	# there: a VACUUM that succeeded would free heap slots the restored index file still points to.)
	if [[ ${3:-} == vacuum ]]; then
		out=$(sql -c "\\set VERBOSITY verbose" -c "SET ignore_checksum_failure = on" \
			-c "VACUUM (INDEX_CLEANUP ON) items" 2>&1 || true)
		code=$(grep -o 'ERROR:  [0-9A-Z]\{5\}' <<<"$out" | head -n 1 | cut -c 9-)
		[[ " $codes " == *" $code "* ]] || fail "$name: VACUUM gave '$out', expected SQLSTATE $codes"
		log "$name: VACUUM: $(grep -m 1 ERROR <<<"$out")"
	fi
	expect_eq "$name: an answer after the errors" "$(sql -c "SELECT count(*) FROM items")" "$rows"
	expect_eq "$name: backends crashed" "$(crashes_before)" "$before"
	crash_server
	cp "$WORK/$checked.orig" "$file"
}

# The restart after an immediate stop replays the (empty) WAL tail; lib.sh's restart_server insists on a redo
restart_quietly()
{
	"$SERVER" restart "$RUVECTOR_PG_VERSION" >/dev/null
}

head -c 8192 /dev/urandom | dd of="$file" bs=8192 seek=1 conv=notrunc status=none
damaged garbage "XX001 XX002" vacuum

upper=$(u16 "$file" $((8192 + 14)))
special=$(u16 "$file" $((8192 + 16)))
head -c $((special - upper)) /dev/urandom | dd of="$file" bs=1 seek=$((8192 + upper)) conv=notrunc status=none
damaged tuples XX002 vacuum

put_bytes $(($(item_offset 1 1) + 3)) c8
damaged tidcount XX002 vacuum

put_bytes $(($(item_offset 1 1) + 1)) fa
damaged level XX002 vacuum

# Link slot 0 of the first neighbour list: block 100000, offset 1 (100000 << 7 | 1 = 0x00c35001)
put_bytes $(($(list_offset 1) + 4)) 01 50 c3 00
damaged link XX002

# Block 1, offset 127 (1 << 7 | 127 = 0xff): a page of 16-d elements holds 49
put_bytes $(($(list_offset 1) + 4)) ff 00 00 00
damaged offset XX002

# An index of an older on-disk layout (the meta page's version, after the page header and the magic number)
put_bytes $((24 + 4)) 04 00 00 00
damaged version XX002

restart_quietly
IFS='|' read -r pages elements deleted heap_tids links < <(sql -c "SELECT * FROM ruvector_index_check('items_v')")
expect_eq "elements after restoring the index file" "$elements" $((rows + 100))
check_index items items_v "$rows" 10

# flat and ivfflat: every entry counted; a list whose last page links back to itself is reported by the check and
# by a scan (which would otherwise read the page forever)
sql -c "CREATE INDEX items_ivf ON items USING ivfflat (v vector_l2_ops) WITH (lists = 4)"
IFS='|' read -r pages elements deleted heap_tids links < <(sql -c "SELECT * FROM ruvector_index_check('items_ivf')")
expect_eq "entries and lists of items_ivf" "$elements $heap_tids $deleted $links" "$rows $rows 0 4"
sql -c "DROP INDEX items_ivf" -c "DROP INDEX items_v" -c "CREATE INDEX items_flat ON items USING flat (v vector_l2_ops)"
IFS='|' read -r pages elements deleted heap_tids links < <(sql -c "SELECT * FROM ruvector_index_check('items_flat')")
expect_eq "entries and lists of items_flat" "$elements $heap_tids $deleted $links" "$rows $rows 0 1"
log "flat and ivfflat indexes: $rows entries each"

checked=items_flat
file="$data_dir/$(sql -c "SELECT pg_relation_filepath('items_flat')")"
sql -c "CHECKPOINT"
crash_server
cp "$file" "$WORK/items_flat.orig"
# The first data page with a next page (the opaque area is the page's last 8 bytes: nextblkno, unused, page_id)
blocks=$(($(stat -c %s "$file") / 8192))
looped=
for ((blkno = 1; blkno < blocks; blkno++)); do
	next=$(od -An -tu4 -j $((blkno * 8192 + 8184)) -N 4 "$file" | tr -d ' ')
	if [[ $(u16 "$file" $((blkno * 8192 + 8190))) == $((0xFF92)) && $next != 4294967295 ]]; then
		looped=$blkno
		break
	fi
done
[[ -n $looped ]] || fail "no flat data page links to another"
put_bytes $((looped * 8192 + 8184)) "$(printf '%02x' $((looped & 255)))" "$(printf '%02x' $((looped >> 8 & 255)))" 00 00
damaged loop XX002

restart_quietly
expect_eq "entries after restoring items_flat" "$(sql -c "SELECT elements FROM ruvector_index_check('items_flat')")" "$rows"
log "passed"
