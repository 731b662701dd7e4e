// The benchmark's data sets: real sentence embeddings, Fashion-MNIST images and seeded clustered vectors. Each loader
// returns the base vectors that go into the table and the query vectors, row-major float32.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { getEmbeddingsPath } from '@sap-ux/fiori-docs-embeddings'

/** @typedef {'l2' | 'cosine'} Metric */

/**
 * @typedef {object} Dataset
 * @property {string} name short name, used in file names
 * @property {string} description what the vectors are and where the queries come from
 * @property {Metric} metric the distance the index and the queries use
 * @property {number} dims
 * @property {number} count number of base vectors
 * @property {Float32Array} base count × dims
 * @property {number} queryCount
 * @property {Float32Array} queries queryCount × dims
 */

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist'

/**
 * A positive integer from the environment, or the default.
 * @param {string} name
 * @param {number} fallback
 */
export function intEnv(name, fallback) {
	const text = process.env[name]
	if (text === undefined || text === '') return fallback
	const value = Number(text)
	if (!Number.isInteger(value) || value <= 0) throw new Error(`${name}=${text}: expected a positive integer`)
	return value
}

/**
 * mulberry32: a small seeded generator, so every run uses the same vectors.
 * @param {number} seed
 */
export function seededRandom(seed) {
	let state = seed >>> 0
	return () => {
		state = (state + 0x6d2b79f5) >>> 0
		let t = state
		t = Math.imul(t ^ (t >>> 15), t | 1)
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296
	}
}

/**
 * Standard normal samples by Box-Muller over a uniform generator.
 * @param {() => number} rand
 */
function gaussian(rand) {
	return () => {
		const u = 1 - rand() // (0, 1]: log(0) would be -Infinity
		return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand())
	}
}

/** @param {Float32Array} v */
function normalize(v) {
	let sum = 0
	for (const x of v) sum += x * x
	const norm = Math.sqrt(sum)
	for (let i = 0; i < v.length; i++) v[i] = /** @type {number} */ (v[i]) / norm
}

/**
 * The 778 all-MiniLM-L6-v2 embeddings (384 dims, unit length) of SAP Fiori documentation chunks. Queries are
 * perturbed copies of every document: document + Gaussian noise of 0.4 × its length, renormalised, so each query is
 * near its document (cosine similarity about 0.93) without being one of the base vectors.
 */
export async function fioriDocs() {
	const dims = 384
	const bytes = await readFile(path.join(getEmbeddingsPath(), 'embeddings.bin'))
	if (bytes.length % (dims * 4) !== 0)
		throw new Error(`embeddings.bin: ${bytes.length} bytes is not a multiple of ${dims} float32`)
	// Copy into an aligned buffer: a Buffer may start at any byte offset of its pool.
	const base = new Float32Array(new Uint8Array(bytes).buffer)
	const count = base.length / dims
	const noise = gaussian(seededRandom(384))
	const sigma = 0.4 / Math.sqrt(dims)
	const queries = new Float32Array(base.length)
	for (let q = 0; q < count; q++) {
		const v = queries.subarray(q * dims, (q + 1) * dims)
		for (let j = 0; j < dims; j++) v[j] = /** @type {number} */ (base[q * dims + j]) + sigma * noise()
		normalize(v)
	}
	return /** @type {Dataset} */ ({
		name: 'fiori-docs',
		description:
			`${count} MiniLM-L6-v2 document embeddings (@sap-ux/fiori-docs-embeddings); ` +
			'queries: each document + 40% Gaussian noise',
		metric: 'cosine',
		dims,
		count,
		base,
		queryCount: count,
		queries,
	})
}

/**
 * The images of one IDX file (gzipped, big-endian header: magic 0x00000803, count, rows, columns, then bytes), the
 * first `limit` of them as float32 pixel values 0..255.
 * @param {string} file
 * @param {number} limit
 */
async function readIdxImages(file, limit) {
	const bytes = gunzipSync(await readFile(file))
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
	if (view.getUint32(0) !== 0x803) throw new Error(`${file}: not an IDX file of unsigned bytes in 3 dimensions`)
	const available = view.getUint32(4)
	const dims = view.getUint32(8) * view.getUint32(12)
	if (limit > available) throw new Error(`${file} holds ${available} images, ${limit} asked for`)
	const pixels = bytes.subarray(16, 16 + limit * dims)
	return { dims, vectors: Float32Array.from(pixels) }
}

/**
 * Fashion-MNIST from Debian's dataset-fashion-mnist package: 28×28 grey images as 784-d vectors, by L2 distance.
 * Base: the first `trainCount` training images; queries: the first `testCount` test images.
 * @param {number} trainCount
 * @param {number} testCount
 */
export async function fashionMnist(trainCount, testCount) {
	const train = await readIdxImages(path.join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'), trainCount)
	const test = await readIdxImages(path.join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'), testCount)
	return /** @type {Dataset} */ ({
		name: 'fashion-mnist',
		description:
			`Fashion-MNIST (Debian dataset-fashion-mnist): first ${trainCount} training images; ` +
			`queries: first ${testCount} test images`,
		metric: 'l2',
		dims: train.dims,
		count: trainCount,
		base: train.vectors,
		queryCount: testCount,
		queries: test.vectors,
	})
}

/**
 * Seeded clustered data: `clusters` centres uniform in [-1, 1]^dims, each vector a centre plus Gaussian noise
 * (σ = 0.25 per coordinate), by L2 distance. Queries come from the same distribution but are not base vectors.
 * @param {number} count
 * @param {number} dims
 * @param {number} queryCount
 * @param {number} [clusters]
 */
export function clustered(count, dims, queryCount, clusters = 100) {
	const rand = seededRandom(20240601)
	const noise = gaussian(rand)
	const centres = Float32Array.from({ length: clusters * dims }, () => rand() * 2 - 1)
	/** @param {number} n */
	const draw = (n) => {
		const out = new Float32Array(n * dims)
		for (let i = 0; i < n; i++) {
			const c = Math.floor(rand() * clusters)
			for (let j = 0; j < dims; j++)
				out[i * dims + j] = /** @type {number} */ (centres[c * dims + j]) + 0.25 * noise()
		}
		return out
	}
	const base = draw(count)
	const queries = draw(queryCount)
	return /** @type {Dataset} */ ({
		name: 'clustered',
		description:
			`${count} × ${dims} seeded vectors around ${clusters} Gaussian clusters (σ 0.25, centres in [-1,1]); ` +
			`${queryCount} queries from the same distribution`,
		metric: 'l2',
		dims,
		count,
		base,
		queryCount,
		queries,
	})
}
