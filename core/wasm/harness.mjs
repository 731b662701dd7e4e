// Loads kernels_harness.wasm (built by `make core-build`) and wraps its exports.
// RUVECTOR_CORE_WASM overrides the module path.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const LEVEL = { serial: 0, avx2: 1, avx512: 2, neon: 3, wasm_simd128: 4 };

const defaultPath = fileURLToPath(new URL('../../build/core/wasm/kernels_harness.wasm', import.meta.url));

// Load a fresh instance. `env` stands in for the process environment seen by getenv().
export async function loadHarness(env = {}) {
	const bytes = await readFile(process.env.RUVECTOR_CORE_WASM ?? defaultPath);
	let exports;
	const decoder = new TextDecoder();
	const encoder = new TextEncoder();
	const getenv = (namePtr) => {
		const mem = new Uint8Array(exports.memory.buffer);
		let end = namePtr;
		while (mem[end] !== 0) end++;
		const value = env[decoder.decode(mem.subarray(namePtr, end))];
		if (value === undefined) return 0;
		const out = exports.rv_env_value();
		const encoded = encoder.encode(value);
		if (encoded.length >= 64) throw new Error('environment value too long for the harness buffer');
		mem.set(encoded, out);
		mem[out + encoded.length] = 0;
		return out;
	};
	const { instance } = await WebAssembly.instantiate(bytes, { env: { getenv } });
	exports = instance.exports;
	return exports;
}

// mulberry32: a small seeded generator, so the kernel tests' failures reproduce.
export function rng(seed) {
	let s = seed >>> 0;
	return () => {
		s = (s + 0x6d2b79f5) >>> 0;
		let t = s;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}
