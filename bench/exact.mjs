// Exact nearest neighbours by brute force in JavaScript, in float64 over the float32 values the table stores: the
// reference every recall figure is measured against.

/** @typedef {import('./datasets.mjs').Dataset} Dataset */

/**
 * @typedef {object} GroundTruth
 * @property {number} k
 * @property {Int32Array} ids queryCount × k row ids (1-based, as in the table), nearest first
 * @property {Float64Array} kth distance from each query to its k-th nearest neighbour
 */

/**
 * A float64 distance between row `i` of `a` and row `j` of `b` (both row-major, `dims` wide).
 * @param {import('./datasets.mjs').Metric} metric
 * @param {number} dims
 * @returns {(a: Float32Array, i: number, b: Float32Array, j: number) => number}
 */
export function distanceFunction(metric, dims) {
	if (metric === 'l2')
		return (a, i, b, j) => {
			let sum = 0
			const ai = i * dims
			const bj = j * dims
			for (let d = 0; d < dims; d++) {
				const diff = /** @type {number} */ (a[ai + d]) - /** @type {number} */ (b[bj + d])
				sum += diff * diff
			}
			return Math.sqrt(sum)
		}
	return (a, i, b, j) => {
		let dot = 0
		let na = 0
		let nb = 0
		const ai = i * dims
		const bj = j * dims
		for (let d = 0; d < dims; d++) {
			const x = /** @type {number} */ (a[ai + d])
			const y = /** @type {number} */ (b[bj + d])
			dot += x * y
			na += x * x
			nb += y * y
		}
		return 1 - dot / Math.sqrt(na * nb)
	}
}

/**
 * The k nearest base vectors of every query.
 * @param {Dataset} data
 * @param {number} k
 * @param {(done: number, total: number) => void} [progress]
 * @returns {GroundTruth}
 */
export function groundTruth(data, k, progress) {
	const distance = distanceFunction(data.metric, data.dims)
	const ids = new Int32Array(data.queryCount * k)
	const kth = new Float64Array(data.queryCount)
	const bestD = new Float64Array(k)
	const bestI = new Int32Array(k)
	for (let q = 0; q < data.queryCount; q++) {
		bestD.fill(Infinity)
		// Sorted insertion into the k best: cheap because most candidates lose against the current k-th at once.
		for (let i = 0; i < data.count; i++) {
			const d = distance(data.queries, q, data.base, i)
			if (d >= /** @type {number} */ (bestD[k - 1])) continue
			let at = k - 1
			while (at > 0 && /** @type {number} */ (bestD[at - 1]) > d) {
				bestD[at] = /** @type {number} */ (bestD[at - 1])
				bestI[at] = /** @type {number} */ (bestI[at - 1])
				at--
			}
			bestD[at] = d
			bestI[at] = i + 1
		}
		ids.set(bestI, q * k)
		kth[q] = /** @type {number} */ (bestD[k - 1])
		progress?.(q + 1, data.queryCount)
	}
	return { k, ids, kth }
}

/**
 * Recall@k of one answer: the share of the k true neighbours it found. A returned row counts when its true distance
 * is within the k-th true distance (relative slack 1e-6 for float32 rounding), so ties at the k-th place (duplicate
 * vectors, integer pixel data) are not counted as misses; each row id counts once.
 * @param {Dataset} data
 * @param {GroundTruth} truth
 * @param {number} q query index
 * @param {ArrayLike<number>} returned row ids in the order the engine returned them
 */
export function recallOf(data, truth, q, returned) {
	const distance = distanceFunction(data.metric, data.dims)
	const limit = /** @type {number} */ (truth.kth[q]) * (1 + 1e-6) + 1e-9
	const seen = new Set()
	let hits = 0
	for (let r = 0; r < Math.min(returned.length, truth.k); r++) {
		const id = /** @type {number} */ (returned[r])
		if (seen.has(id) || id < 1 || id > data.count) continue
		seen.add(id)
		if (distance(data.queries, q, data.base, id - 1) <= limit) hits++
	}
	return hits / truth.k
}
