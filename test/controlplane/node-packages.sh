#!/usr/bin/env bash
# Installs from Debian's packages what a real node and daemonless image builds need, only
# where missing: containerd, runc and the CNI plugins (the kubelet's runtime and network),
# iptables (kube-proxy), buildah and mmdebstrap (`npm run images`). Needs root and apt.
set -euo pipefail
log() { printf '[node-packages] %s\n' "$*" >&2; }

missing=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "$1" ]; }
have containerd || missing+=(containerd)
have runc || missing+=(runc)
have /usr/lib/cni/bridge || missing+=(containernetworking-plugins)
have iptables || missing+=(iptables)
have buildah || missing+=(buildah)
have mmdebstrap || missing+=(mmdebstrap)
if [ ${#missing[@]} -eq 0 ]; then
  log "all present"
  exit 0
fi
command -v apt-get >/dev/null || { log "missing ${missing[*]} and no apt-get to install them" ; exit 1; }
log "installing ${missing[*]} from Debian's packages"
apt-get update -qq
# No recommends: buildah would pull in a whole container stack we do not use.
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
