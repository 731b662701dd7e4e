#!/usr/bin/env bash
# Installs the Debian packages the whole project needs, only those that are missing.
# apt-get update runs only when something has to be installed, so a second run costs one dpkg-query.
set -euo pipefail

packages=(
	build-essential cmake googletest libgtest-dev libbenchmark-dev
	clang-format clang-tidy clang-16 lld-16
	emscripten wabt binaryen
	shellcheck
	chromium
	postgresql-15 postgresql-server-dev-15 postgresql-contrib
	g++-aarch64-linux-gnu qemu-user
)
# This machine has a newer Node.js than Debian's; take Debian's only when there is none.
if ! command -v node >/dev/null 2>&1; then
	packages+=(nodejs npm)
fi

missing=()
for pkg in "${packages[@]}"; do
	# "ii " = wanted and installed; dpkg-query succeeds for removed-but-known packages too, so check the status
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
	if [[ "$status" != "ii " ]]; then
		missing+=("$pkg")
	fi
done

if ((${#missing[@]} == 0)); then
	echo "setup-apt: all ${#packages[@]} packages present"
	exit 0
fi

echo "setup-apt: installing ${missing[*]}"
sudo=()
if ((EUID != 0)); then
	sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
