#!/usr/bin/env bash
# npm run images: builds the Dockerfile's operator, runtime and examples targets with
# Debian's buildah (no Docker engine or daemon) and pushes them to $PROCESSGROUP_REGISTRY
# (`npm run cluster:up -- --kubelet` prints it). Prints one line per image: TARGET=REF.
#   PROCESSGROUP_IMAGE_TAG (default dev): the tag pushed.
#   usage: images/build.sh [TARGET...]   (default: operator runtime examples)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=buildah.sh
source "$here/buildah.sh"
registry=${PROCESSGROUP_REGISTRY:?set PROCESSGROUP_REGISTRY to 127.0.0.1:PORT (npm run cluster:up -- --kubelet prints it)}
tag=${PROCESSGROUP_IMAGE_TAG:-dev}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(operator runtime examples)
command -v buildah >/dev/null || { log "buildah missing: bash test/controlplane/node-packages.sh installs it"; exit 1; }

bash "$here/base.sh" "$repo"
major=$(node_major "$repo")

# The Dockerfile's `npm ci` reaches the npm registry through whatever this machine's npm is
# configured with. A machine whose HTTPS goes through a proxy with its own CA has that CA in
# npm's `cafile`: hand it to the build's RUN steps (read-only mounts, never in a layer).
build_mounts=()
cafile=$(npm config get cafile 2>/dev/null || true)
if [ -n "$cafile" ] && [ "$cafile" != "null" ] && [ "$cafile" != "undefined" ] && [ -r "$cafile" ]; then
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  printf 'cafile=/run/processgroup-build/ca.crt\n' >"$work/npmrc"
  build_mounts+=(--volume "$cafile:/run/processgroup-build/ca.crt:ro" --volume "$work/npmrc:/usr/local/etc/npmrc:ro")
  log "npm cafile $cafile mounted into the build"
fi
for target in "${targets[@]}"; do
  started=$(date +%s)
  ref="$registry/processgroup/$target:$tag"
  # --layers caches each step, so an unchanged dependency set skips `npm ci` next time;
  # --pull=never: the base exists only in our storage.
  bah bud --quiet --layers --pull=never --isolation chroot --build-arg "NODE_MAJOR=$major" "${build_mounts[@]}" \
    --target "$target" -t "$ref" -f "$repo/Dockerfile" "$repo" >/dev/null
  bah push --quiet --tls-verify=false "$ref" "docker://$ref"
  log "$target built and pushed in $(( $(date +%s) - started ))s"
  echo "$target=$ref"
done
