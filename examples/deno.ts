// ruvector in Deno: the Node example's search, in TypeScript with Deno's own file API.
//   deno run --allow-read --allow-env examples/deno.ts [document id]
// In a project of your own, import "npm:@electric-sql/pglite" and "npm:@ruvector/pglite" (or add them with
// `deno add`); here the bare names resolve from the repository's package.json and node_modules.
import { PGlite } from '@electric-sql/pglite'
import { getEmbeddingsPath } from '@sap-ux/fiori-docs-embeddings'
import { ruvector, toSql } from '@ruvector/pglite'

const DIMS = 384
const wanted = Deno.args[0] ?? 'local-fiori-tools-opa-guide-0-chunk-0'

const dir = getEmbeddingsPath()
const records = (await Deno.readTextFile(`${dir}/records.jsonl`))
	.split('\n')
	.filter((line) => line.trim() !== '')
	.map((line) => JSON.parse(line) as { id: string; title: string })
const vectors = new Float32Array((await Deno.readFile(`${dir}/embeddings.bin`)).buffer)

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

const { rows } = await pg.query<{ doc: string; title: string; distance: number }>(
	`SELECT doc, title, embedding <=> (SELECT embedding FROM docs WHERE doc = $1) AS distance
	FROM docs ORDER BY distance LIMIT 5`,
	[wanted]
)
console.log(`nearest to ${wanted}:`)
for (const { doc, title, distance } of rows) console.log(`${distance.toFixed(4)} ${doc} ${title}`)
await pg.close()
