// A small static file server for the browser examples: `node examples/serve.mjs [port]`, then open
// http://localhost:8080/browser.html. It serves
//   /                           examples/ (the pages)
//   /cdn/@ruvector/pglite/      the built package (packages/pglite/dist), laid out as a CDN serves an npm package
//   /cdn/@electric-sql/pglite/  PGlite's dist folder
//   /data/                      the MiniLM embeddings of @sap-ux/fiori-docs-embeddings (records.jsonl, embeddings.bin)
//   /vite/                      the Vite build of examples/vite (build/examples/vite, made by its test)
// The package finds its bundle from import.meta.url, so serving it from its own path is what a CDN import looks like.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer } from 'node:http'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { getEmbeddingsPath } from '@sap-ux/fiori-docs-embeddings'

const EXAMPLES = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.dirname(EXAMPLES)

/** @type {Array<[string, string]>} URL prefix → folder, longest prefix first. */
export const ROUTES = [
	['/cdn/@ruvector/pglite/', path.join(ROOT, 'packages', 'pglite', 'dist')],
	['/cdn/@electric-sql/pglite/', path.join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'dist')],
	['/data/', getEmbeddingsPath()],
	['/vite/', path.join(ROOT, 'build', 'examples', 'vite')],
	['/', EXAMPLES],
]

/** @type {Record<string, string>} WebAssembly must be application/wasm for streaming compilation. */
const TYPES = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.json': 'application/json',
	'.map': 'application/json',
	'.wasm': 'application/wasm',
	'.gz': 'application/gzip',
	'.css': 'text/css; charset=utf-8',
}

/**
 * The file a request path names, or null when it is outside every route's folder.
 * @param {string} urlPath decoded path of the request
 */
function resolve(urlPath) {
	for (const [prefix, dir] of ROUTES) {
		if (!urlPath.startsWith(prefix)) continue
		const file = path.resolve(dir, `.${urlPath.slice(prefix.length - 1)}`)
		return file === dir || file.startsWith(dir + path.sep) ? file : null
	}
	return null
}

/**
 * Serve on `port` (0 picks a free one); resolves with the server and its base URL.
 * @param {number} [port]
 */
export function startServer(port = 0) {
	const server = createServer(async (req, res) => {
		let file = null
		try {
			file = resolve(decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname))
			if (file && (await stat(file)).isDirectory()) file = path.join(file, 'index.html')
			if (!file || !(await stat(file)).isFile()) throw new Error('not a file')
		} catch {
			res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
			return
		}
		res.writeHead(200, {
			'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
			'cache-control': 'no-store',
		})
		createReadStream(file).pipe(res)
	})
	return new Promise((done) => {
		server.listen(port, '127.0.0.1', () => {
			const address = /** @type {import('node:net').AddressInfo} */ (server.address())
			done({ server, url: `http://127.0.0.1:${address.port}` })
		})
	})
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
	const { url } = /** @type {{ url: string }} */ (await startServer(Number(process.argv[2] ?? 8080)))
	console.log(`serving examples at ${url}/browser.html and ${url}/worker.html (Ctrl-C stops)`)
}
