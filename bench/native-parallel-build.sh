#!/usr/bin/env bash
# hnsw build on a native PostgreSQL 18 server, serial against parallel (2 workers): wall time, CPU time of the
# leader and its workers, recall@10 at hnsw.ef_search 40 against exact scans. Not a test; see docs/PERFORMANCE.md.
#
#   make native-install-18 && scripts/pg-server.sh start 18
#   bench/native-parallel-build.sh [rows] [dimensions] [rounds]   (default 20000 384 2)
#   BENCH_DATA=fashion-mnist bench/native-parallel-build.sh [rows]   (784 dimensions)
#   scripts/pg-server.sh stop 18
#
# Data: clustered, 20 Gaussian blobs (sigma 0.1) around uniform centres in [-1, 1]^d, 100 queries from the same
# distribution, generated in SQL from a fixed seed; or Fashion-MNIST (Debian's dataset-fashion-mnist, loaded by
# bench/datasets.mjs): the first training images, queries the first 100 test images. CPU time: the leader backend's utime + stime (/proc/self/stat)
# plus the postmaster's cutime + cstime, where the workers' time lands once they exit (nothing else runs on the
# throwaway server).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
rows=${1:-20000}
dim=${2:-384}
rounds=${3:-2}
eval "$("$root/scripts/pg-server.sh" env 18)"
psql_bin=/usr/lib/postgresql/15/bin/psql
db=bench_parallel_build
data_dir=$(cat "$root/build/pgrun/18.dir")/data
postmaster=$(head -1 "$data_dir/postmaster.pid")
ticks=$(getconf CLK_TCK)

"$psql_bin" -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
sql()
{
	"$psql_bin" -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" "$@"
}

data=${BENCH_DATA:-clustered}
if [[ $data == fashion-mnist ]]; then
	dim=784
	echo "loading $rows Fashion-MNIST images and 100 queries"
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	node --input-type=module -e "
		import { writeFileSync } from 'node:fs'
		import { fashionMnist } from '$root/bench/datasets.mjs'
		const d = await fashionMnist($rows, 100)
		const lines = (vectors, n) => Array.from({ length: n }, (_, i) =>
			(i + 1) + '\t[' + Array.from(vectors.subarray(i * d.dims, (i + 1) * d.dims)).join(',') + ']').join('\n') + '\n'
		writeFileSync('$work/items.tsv', lines(d.base, d.count))
		writeFileSync('$work/queries.tsv', lines(d.queries, d.queryCount))"
	sql <<SQL
CREATE EXTENSION ruvector;
CREATE TABLE items (id int, v vector($dim));
CREATE TABLE queries (q int, qv vector($dim));
\copy items FROM '$work/items.tsv'
\copy queries FROM '$work/queries.tsv'
SQL
else
	echo "generating $rows x $dim clustered rows and 100 queries"
	sql <<SQL
CREATE EXTENSION ruvector;
SELECT setseed(0.3);
CREATE TABLE centres AS SELECT c, array_agg(random() * 2 - 1 ORDER BY d) AS ctr
	FROM generate_series(1, 20) c, generate_series(1, $dim) d GROUP BY c;
CREATE TABLE items AS SELECT i AS id,
	(SELECT array_agg(ctr[d] + random_normal(0, 0.1) ORDER BY d) FROM generate_series(1, $dim) d)::vector($dim) AS v
	FROM generate_series(1, $rows) i JOIN centres ON c = 1 + i % 20;
CREATE TABLE queries AS SELECT q,
	(SELECT array_agg(ctr[d] + random_normal(0, 0.1) ORDER BY d) FROM generate_series(1, $dim) d)::vector($dim) AS qv
	FROM generate_series(1, 100) q JOIN centres ON c = 1 + (q * 7) % 20;
SQL
fi
sql <<SQL
VACUUM ANALYZE items;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE exact AS SELECT q, id FROM queries CROSS JOIN LATERAL (SELECT id FROM items ORDER BY v <-> qv LIMIT 10) t;
SQL

# CPU ticks of this backend (utime + stime) and the postmaster's exited children (cutime + cstime), and the time
cpu_and_time="SELECT s[14]::bigint + s[15]::bigint + p[16]::bigint + p[17]::bigint AS ticks,
	extract(epoch FROM clock_timestamp()) AS t
	FROM string_to_array(pg_read_file('/proc/self/stat'), ' ') s, string_to_array(pg_read_file('/proc/$postmaster/stat'), ' ') p"

# build WORKERS: prints "wall_ms cpu_ms recall"
build()
{
	sql -F ' ' <<SQL
SET maintenance_work_mem = '512MB';
SET max_parallel_maintenance_workers = $1;
$cpu_and_time \gset before_
CREATE INDEX items_v ON items USING hnsw (v vector_l2_ops);
$cpu_and_time \gset after_
SET enable_seqscan = off;
SET hnsw.ef_search = 40;
SELECT round((:after_t - :before_t) * 1000), (:after_ticks - :before_ticks) * 1000 / $ticks,
	(SELECT count(*) / 1000.0 FROM exact JOIN (SELECT q, id FROM queries CROSS JOIN LATERAL
		(SELECT id FROM items ORDER BY v <-> qv LIMIT 10) t) a USING (q, id));
DROP INDEX items_v;
SQL
}

echo "$data, $rows x $dim; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-8s %-6s %10s %10s %8s\n' round workers wall_ms cpu_ms recall
for ((round = 1; round <= rounds; round++)); do
	for workers in 0 2; do
		read -r wall cpu recall < <(build "$workers")
		printf '%-8s %-6s %10s %10s %8s\n' "$round" "$workers" "$wall" "$cpu" "$recall"
	done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
"$psql_bin" -X -q -d postgres -c "DROP DATABASE $db"
