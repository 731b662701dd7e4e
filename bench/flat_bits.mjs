// A flat index over bit vectors in PGlite: ms per query (ORDER BY b <op> q LIMIT 10) for Hamming and Jaccard,
// through the index's pages (ruvector.flat_cache_size = 0), through the backend's copy of the index (the PGlite
// default), and by PostgreSQL's exact sequential scan, on seeded random bits. CPU ms per query to stdout.
//
//   node bench/flat_bits.mjs
// Environment: BENCH_BITS_ROWS (default 100000), BENCH_BITS_DIMS (bits per row, default 384),
//              BENCH_BITS_QUERIES (default 50)
import { PGlite } from '@electric-sql/pglite'
import { ruvector } from '@ruvector/pglite'
import { intEnv, seededRandom } from './datasets.mjs'

const ROWS = intEnv('BENCH_BITS_ROWS', 100000)
const DIMS = intEnv('BENCH_BITS_DIMS', 384)
const QUERIES = intEnv('BENCH_BITS_QUERIES', 50)

const rand = seededRandom(20261125)
/** One row's bits as a bit-string literal's digits, each bit set with probability 0.4 */
const bits = () => Array.from({ length: DIMS }, () => (rand() < 0.4 ? '1' : '0')).join('')

const pg = await PGlite.create({ extensions: { ruvector } })
await pg.exec('CREATE EXTENSION ruvector')
await pg.exec(`CREATE TABLE items (id int, b bit(${DIMS}))`)
for (let first = 0; first < ROWS; first += 1000) {
	const values = []
	for (let i = first; i < Math.min(ROWS, first + 1000); i++) values.push(`(${i + 1}, B'${bits()}')`)
	await pg.exec(`INSERT INTO items VALUES ${values.join(',')}`)
}
const queries = Array.from({ length: QUERIES }, bits)

/**
 * CPU ms per query (this process's user + system time: PGlite runs on this thread, and on a shared machine CPU
 * time moves less than wall time), the least of three passes over all queries, after one untimed pass (which also
 * lets a copy be made).
 * @param {string} op
 */
async function msPerQuery(op) {
	const sql = `SELECT id FROM items ORDER BY b ${op} $1::bit(${DIMS}) LIMIT 10`
	for (const q of queries) await pg.query(sql, [q])
	let best = Infinity
	for (let pass = 0; pass < 3; pass++) {
		const start = process.cpuUsage()
		for (const q of queries) await pg.query(sql, [q])
		const used = process.cpuUsage(start)
		best = Math.min(best, (used.user + used.system) / 1000 / queries.length)
	}
	return best
}

console.log(`flat over bit(${DIMS}) in PGlite: ${ROWS} rows, ${QUERIES} queries, CPU ms per query (least of 3 passes)`)
console.log('| metric | index pages | index copy | sequential scan |')
console.log('|---|---|---|---|')
for (const [opclass, op] of /** @type {const} */ ([
	['bit_hamming_ops', '<~>'],
	['bit_jaccard_ops', '<%>'],
])) {
	await pg.exec(`CREATE INDEX items_b ON items USING flat (b ${opclass})`)
	await pg.exec('SET enable_seqscan = off')
	await pg.exec('SET ruvector.flat_cache_size = 0')
	const pages = await msPerQuery(op)
	await pg.exec('RESET ruvector.flat_cache_size')
	const copy = await msPerQuery(op)
	await pg.exec('DROP INDEX items_b; RESET enable_seqscan')
	const sequential = await msPerQuery(op)
	console.log(`| ${opclass} | ${pages.toFixed(2)} | ${copy.toFixed(2)} | ${sequential.toFixed(2)} |`)
}
await pg.close()
