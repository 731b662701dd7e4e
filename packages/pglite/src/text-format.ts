// pgvector's text forms on the client side: values to bind as query parameters, and query results back into typed
// arrays. `vector` and `halfvec` print as `[1,2.5,-3e-05]`; `sparsevec` as `{1:1.5,3:-2}/5` (1-based indices, then
// the number of dimensions). halfvec values are exactly representable in float32, so both parse to a Float32Array.
import type { ParserOptions, PGliteInterface } from '@electric-sql/pglite'

/** A sparse vector with 0-based indices, as in pgvector's own client libraries; the text form is 1-based. */
export interface SparseVector {
	dimensions: number
	indices: ArrayLike<number>
	values: ArrayLike<number>
}

/** A parsed `sparsevec` result. */
export interface ParsedSparseVector extends SparseVector {
	indices: Int32Array
	values: Float32Array
}

/** The text of one element: -0 keeps its sign, every float32 value prints as a decimal that parses back to it. */
function elementText(x: number): string {
	return Object.is(x, -0) ? '-0' : String(x)
}

/**
 * The text form of a `vector` or `halfvec` value, for a query parameter: `toSql([1, 2, 3])` is `'[1,2,3]'`.
 * A Float32Array comes back exactly; PostgreSQL rounds other numbers to float32 (or float16 for halfvec) and
 * rejects NaN and infinities with pgvector's errors.
 */
export function toSql(values: ArrayLike<number>): string {
	return `[${Array.from(values, elementText).join(',')}]`
}

/** The text form of a `sparsevec` value: `{1:1.5,3:-2}/5` for `{ dimensions: 5, indices: [0, 2], values: [1.5, -2] }`. */
export function sparsevecToSql(vector: SparseVector): string {
	if (vector.indices.length !== vector.values.length)
		throw new RangeError(`sparse vector has ${vector.indices.length} indices but ${vector.values.length} values`)
	const elements = Array.from(vector.indices, (index, i) => `${index + 1}:${elementText(vector.values[i] as number)}`)
	return `{${elements.join(',')}}/${vector.dimensions}`
}

/** One number of a text form, or a SyntaxError naming the whole value. */
function parseNumber(text: string, whole: string): number {
	const value = text.trim() === '' ? Number.NaN : Number(text)
	if (Number.isNaN(value)) throw new SyntaxError(`invalid vector text: "${whole}"`)
	return value
}

/** A `vector` result (text form `[1,2,3]`) as a Float32Array. */
export function parseVector(text: string): Float32Array {
	if (!text.startsWith('[') || !text.endsWith(']')) throw new SyntaxError(`invalid vector text: "${text}"`)
	const body = text.slice(1, -1)
	if (body.trim() === '') return new Float32Array(0)
	return Float32Array.from(body.split(','), (element) => parseNumber(element, text))
}

/** A `halfvec` result as a Float32Array (every float16 value is exactly a float32 value). */
export const parseHalfvec: (text: string) => Float32Array = parseVector

/** A `sparsevec` result (text form `{1:1.5,3:-2}/5`) with 0-based indices. */
export function parseSparsevec(text: string): ParsedSparseVector {
	const match = /^\{(.*)\}\/(\d+)$/s.exec(text)
	if (!match) throw new SyntaxError(`invalid sparsevec text: "${text}"`)
	const [, body = '', dimensions = ''] = match
	const elements = body.trim() === '' ? [] : body.split(',')
	const vector = {
		dimensions: Number(dimensions),
		indices: new Int32Array(elements.length),
		values: new Float32Array(elements.length),
	}
	elements.forEach((element, i) => {
		const colon = element.indexOf(':')
		const index = colon < 0 ? Number.NaN : parseNumber(element.slice(0, colon), text)
		if (!Number.isInteger(index)) throw new SyntaxError(`invalid sparsevec text: "${text}"`)
		vector.indices[i] = index - 1
		vector.values[i] = parseNumber(element.slice(colon + 1), text)
	})
	return vector
}

/**
 * Result parsers for PGlite keyed by this database's type OIDs, so `vector` and `halfvec` columns come back as
 * Float32Array and `sparsevec` as a SparseVector. The OIDs exist once `CREATE EXTENSION ruvector` has run:
 *
 * ```ts
 * const parsers = await vectorParsers(pg)
 * const { rows } = await pg.query('SELECT embedding FROM items', [], { parsers })
 * ```
 */
export async function vectorParsers(pg: PGliteInterface): Promise<ParserOptions> {
	const { rows } = await pg.query<{ typname: string; oid: number }>(
		"SELECT typname, oid::int4 AS oid FROM pg_type WHERE typname IN ('vector', 'halfvec', 'sparsevec')"
	)
	const byName: Record<string, (text: string) => unknown> = {
		vector: parseVector,
		halfvec: parseHalfvec,
		sparsevec: parseSparsevec,
	}
	if (rows.length !== 3) throw new Error('vector types not found: run CREATE EXTENSION ruvector first')
	const parsers: ParserOptions = {}
	for (const { typname, oid } of rows) parsers[oid] = byName[typname] as (text: string) => unknown
	return parsers
}
