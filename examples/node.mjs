// ruvector in Node.js (and Bun: `bun examples/node.mjs`): 778 real MiniLM embeddings (384-d) of SAP Fiori
// documentation in a PGlite table with an HNSW index, and the documents nearest to one of them.
//   node examples/node.mjs [document id]
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { getEmbeddingsPath } from '@sap-ux/fiori-docs-embeddings'
import { ruvector, toSql } from '@ruvector/pglite'

const DIMS = 384
const wanted = process.argv[2] ?? 'local-fiori-tools-opa-guide-0-chunk-0'

// records.jsonl has one JSON object a line; embeddings.bin 384 float32 values per record, in the same order
const dir = getEmbeddingsPath()
const records = (await readFile(path.join(dir, 'records.jsonl'), 'utf8'))
	.split('\n')
	.filter((line) => line.trim() !== '')
	.map((line) => /** @type {{ id: string, title: string }} */ (JSON.parse(line)))
const vectors = new Float32Array(new Uint8Array(await readFile(path.join(dir, 'embeddings.bin'))).buffer)

const pg = await PGlite.create({ extensions: { ruvector } })
await pg.exec('CREATE EXTENSION ruvector')
await pg.exec('CREATE TABLE docs (doc text PRIMARY KEY, title text, embedding vector(384))')
await pg.transaction(async (tx) => {
	for (const [i, { id, title }] of records.entries())
		await tx.query('INSERT INTO docs VALUES ($1, $2, $3)', [
			id,
			title,
			toSql(vectors.subarray(i * DIMS, (i + 1) * DIMS)),
		])
})
await pg.exec('CREATE INDEX ON docs USING hnsw (embedding vector_cosine_ops)')

const { rows } = await pg.query(
	`SELECT doc, title, embedding <=> (SELECT embedding FROM docs WHERE doc = $1) AS distance
	FROM docs ORDER BY distance LIMIT 5`,
	[wanted]
)
console.log(`nearest to ${wanted}:`)
for (const row of rows) {
	const { doc, title, distance } = /** @type {{ doc: string, title: string, distance: number }} */ (row)
	console.log(`${distance.toFixed(4)} ${doc} ${title}`)
}
await pg.close()
