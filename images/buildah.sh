# Sourced by the image scripts: buildah with storage of its own under the cache (no daemon,
# no system storage), RUN steps in a chroot (no user namespaces or OCI runtime needed).
# Storage driver: overlay as root (kernel overlayfs; buildah unmounts after each step),
# vfs otherwise. vfs works everywhere but copies the whole tree at every Dockerfile step:
# about 10 minutes for the three images here, against about 1 with overlay.
cache=${PROCESSGROUP_CACHE:-$HOME/.cache/processgroup}
images_cache="$cache/images"
log() { printf '[images] %s\n' "$*" >&2; }
if [ -z "${PROCESSGROUP_BUILDAH_DRIVER:-}" ]; then
  if [ "$(id -u)" = 0 ] && grep -qw overlay /proc/filesystems; then PROCESSGROUP_BUILDAH_DRIVER=overlay; else PROCESSGROUP_BUILDAH_DRIVER=vfs; fi
fi
bah() {
  buildah --root "$images_cache/storage-$PROCESSGROUP_BUILDAH_DRIVER" \
    --runroot "${TMPDIR:-/tmp}/processgroup-buildah-$(id -u)-$PROCESSGROUP_BUILDAH_DRIVER" \
    --storage-driver "$PROCESSGROUP_BUILDAH_DRIVER" "$@"
}
export BUILDAH_ISOLATION=chroot
# The one Node parameter: the major of the `node` devDependency in package.json. The
# Dockerfile's FROM node:${NODE_MAJOR}-bookworm-slim and the base image follow it.
node_major() {
  # The `node` devDependency's major (engines names a range, not the Node the images carry).
  node -p "(/(\\d+)\\./.exec(require('$(cd "$1" && pwd)/package.json').devDependencies.node) ?? [])[1] ?? ''"
}
