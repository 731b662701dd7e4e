// Check that every import of a PGlite side module is exported by PGlite's main module.
//
// PGlite's pglite.wasm exports a fixed list of symbols. A side module importing a
// function outside that list still loads, then hangs or misbehaves when the function
// is called, so the build refuses such a module.
//
// Usage: node check-side-module-imports.mjs side-module.wasm pglite.wasm [pglite.wasm ...]
import { readFileSync } from 'node:fs';

// Provided by Emscripten's dynamic linker itself, not by the main module's exports.
const LINKER_PROVIDED = new Set(['memory', '__indirect_function_table', '__stack_pointer', '__memory_base', '__table_base']);

// Read the import and export sections of a wasm binary. Only these two sections are
// parsed, so proposals the module may use elsewhere (exceptions, GC...) do not matter.
function readSymbols(path) {
	const bytes = readFileSync(path);
	let pos = 8; // magic + version
	const u32 = () => {
		let result = 0, shift = 0, byte;
		do {
			byte = bytes[pos++];
			result |= (byte & 0x7f) << shift;
			shift += 7;
		} while (byte & 0x80);
		return result >>> 0;
	};
	const name = () => {
		const length = u32();
		const text = bytes.toString('utf8', pos, pos + length);
		pos += length;
		return text;
	};
	const skipLimits = () => {
		const flags = u32();
		u32();
		if (flags & 1) u32();
	};
	const imports = [];
	const exports = new Set();
	while (pos < bytes.length) {
		const id = bytes[pos++];
		const size = u32();
		const end = pos + size;
		if (id === 2) {
			for (let count = u32(); count > 0; count--) {
				const module = name();
				const field = name();
				const kind = bytes[pos++];
				imports.push({ module, field, kind });
				if (kind === 0) u32(); // function: type index
				else if (kind === 1) { pos++; skipLimits(); } // table: element type, limits
				else if (kind === 2) skipLimits(); // memory
				else if (kind === 3) pos += 2; // global: value type, mutability
				else if (kind === 4) { pos++; u32(); } // tag: attribute, type index
				else throw new Error(`${path}: unknown import kind ${kind}`);
			}
		} else if (id === 7) {
			for (let count = u32(); count > 0; count--) {
				exports.add(name());
				pos++;
				u32();
			}
		}
		pos = end;
	}
	return { imports, exports };
}

const [sideModule, ...mainModules] = process.argv.slice(2);
if (!sideModule || mainModules.length === 0) {
	console.error('usage: check-side-module-imports.mjs side-module.wasm pglite.wasm [pglite.wasm ...]');
	process.exit(2);
}

const side = readSymbols(sideModule);
// GOT.mem.x / GOT.func.x ask the loader for the address of x: x itself must be exported.
// A default-visibility symbol of the side module is imported too (it could be preempted);
// the loader binds it to the module's own export.
const needed = side.imports
	.filter((i) => !(i.module === 'env' && LINKER_PROVIDED.has(i.field)))
	.map((i) => i.field)
	.filter((symbol) => !side.exports.has(symbol));

let failed = false;
for (const mainModule of mainModules) {
	const { exports } = readSymbols(mainModule);
	const missing = [...new Set(needed)].filter((symbol) => !exports.has(symbol)).sort();
	if (missing.length > 0) {
		failed = true;
		console.error(`${sideModule}: ${missing.length} import(s) not exported by ${mainModule}:`);
		for (const symbol of missing) console.error(`  ${symbol}`);
	} else {
		console.log(`${sideModule}: all ${needed.length} imports resolve in ${mainModule}`);
	}
}
process.exit(failed ? 1 : 0);
