#!/usr/bin/env bash
# Builds the test control plane from Go modules and caches the binaries outside the repo.
# Prints nothing but progress on stderr; a warm cache returns at once.
#   cache: ${PROCESSGROUP_CACHE:-~/.cache/processgroup}/bin/<component>-<version>/
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
cache=${PROCESSGROUP_CACHE:-$HOME/.cache/processgroup}
export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local
log() { printf '[controlplane] %s\n' "$*" >&2; }

need() { # need DIR BIN... -> true when any binary is missing
  local dir=$1; shift
  for b in "$@"; do [ -x "$dir/$b" ] || return 0; done
  return 1
}

# k8s.io/kubernetes requires its staging modules at v0.0.0; a consumer must replace each
# one by the published v0.<minor>.<patch>. Writes a wrapper module that does so, reading the
# list from the version's own go.mod. The control plane and the node build from the same one.
kubernetes_module() { # kubernetes_module DIR
  local v=$KUBERNETES_VERSION staging
  go mod download -json "k8s.io/kubernetes@$v" >/dev/null
  staging=$(grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging' "$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/$v.mod" | awk '{print $1}')
  {
    echo "module processgroup.dev/controlplane/kubernetes"
    echo "go 1.26"
    echo "require k8s.io/kubernetes $v"
    for m in $staging; do echo "replace $m => $m v0.${v#v1.}"; done
  } >"$1/go.mod"
  log "  $(echo "$staging" | wc -w) staging modules replaced; resolving modules"
}

build_kubernetes_commands() { # build_kubernetes_commands DIRNAME DESCRIPTION COMMAND...
  local v=$KUBERNETES_VERSION name=$1 what=$2 minor dir work started
  shift 2
  dir="$cache/bin/$name-$v"
  local bins=(); for c in "$@"; do bins+=("$(basename "$c")"); done
  need "$dir" "${bins[@]}" || { log "$name $v cached"; return; }
  started=$(date +%s)
  log "building $name $v ($what)"
  work=$(mktemp -d); trap 'rm -rf "${work:-}"; trap - RETURN' RETURN
  minor=${v#v1.}; minor=${minor%%.*}
  kubernetes_module "$work"
  local pkg="k8s.io/component-base/version"
  local ldflags="-s -w -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  mkdir -p "$work/out"
  (cd "$work" && go build -trimpath -ldflags "$ldflags" -o "$work/out/" "$@")
  mkdir -p "$dir" && mv "$work"/out/* "$dir/"
  log "  $name $v built in $(( $(date +%s) - started ))s"
}

build_kubernetes() {
  log "a cold build of the control plane takes 15-30 minutes on 2 cores"
  build_kubernetes_commands kubernetes "kube-apiserver, kube-controller-manager, kube-scheduler, kubectl" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
}

# A real node: kubelet and kube-proxy from the same module and flags as the control plane,
# so a warm Go build cache shares most of the compile.
build_node() {
  build_kubernetes_commands kubernetes-node "kubelet, kube-proxy" \
    k8s.io/kubernetes/cmd/kubelet k8s.io/kubernetes/cmd/kube-proxy
}

# The pod sandbox image's one binary: a static program that waits for a signal.
build_pause() {
  local dir="$cache/bin/pause-1" work
  need "$dir" pause || { log "pause cached"; return; }
  work=$(mktemp -d); trap 'rm -rf "${work:-}"; trap - RETURN' RETURN
  printf 'module processgroup.dev/controlplane/pause\ngo 1.26\n' >"$work/go.mod"
  cp "$here/pause/main.go" "$work/"
  mkdir -p "$dir"
  (cd "$work" && GOFLAGS= go build -trimpath -ldflags "-s -w" -o "$dir/pause" .)
  log "  pause built"
}

build_etcd() {
  local v=$ETCD_VERSION dir work started
  dir="$cache/bin/etcd-$v"
  need "$dir" etcd || { log "etcd $v cached"; return; }
  started=$(date +%s)
  log "building etcd $v"
  work=$(mktemp -d); trap 'rm -rf "${work:-}"; trap - RETURN' RETURN
  # etcd's server/go.mod carries replace directives, so `go install` refuses it; a wrapper
  # module that merely requires it builds it.
  printf 'module processgroup.dev/controlplane/etcd\ngo 1.26\nrequire go.etcd.io/etcd/server/v3 %s\n' "$v" >"$work/go.mod"
  mkdir -p "$work/out"
  (cd "$work" && go build -trimpath -ldflags "-s -w" -o "$work/out/etcd" go.etcd.io/etcd/server/v3)
  mkdir -p "$dir" && mv "$work/out/etcd" "$dir/"
  log "  etcd $v built in $(( $(date +%s) - started ))s"
}

build_go_install() { # name version package
  local name=$1 v=$2 pkg=$3 dir started
  dir="$cache/bin/$name-$v"
  need "$dir" "$name" || { log "$name $v cached"; return; }
  started=$(date +%s)
  log "building $name $v"
  mkdir -p "$dir"
  GOFLAGS= GOBIN="$dir" go install -trimpath -ldflags "-s -w" "$pkg@$v"
  log "  $name $v built in $(( $(date +%s) - started ))s"
}

# Several processes may ask for the same binaries at once (parallel test files, a test run
# beside `npm run cluster:up`); one builds, the others wait and then find it cached.
locked() { # locked TARGET COMMAND...
  local target=$1; shift
  command -v flock >/dev/null || { "$@"; return; } # no util-linux (macOS): no lock
  mkdir -p "$cache"
  exec {lock}>"$cache/.build-$target.lock"
  if ! flock -n "$lock"; then
    log "another build of $target is running; waiting for it"
    flock "$lock"
  fi
  "$@"
  exec {lock}>&-
}

main() {
  local what=${1:-all}
  case $what in
    all|full) main etcd; main kubernetes; main kwok; main helm ;;
    etcd) locked etcd build_etcd ;;
    kubernetes) locked kubernetes build_kubernetes ;;
    kwok) locked kwok build_go_install kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok ;;
    helm) locked helm build_go_install helm "$HELM_VERSION" helm.sh/helm/v3/cmd/helm ;;
    # What `cluster:up -- --kubelet` and the e2e suite add to the full profile.
    node) main kubernetes-node; main crane; main pause ;;
    kubernetes-node) locked kubernetes-node build_node ;;
    crane) locked crane build_go_install crane "$CRANE_VERSION" github.com/google/go-containerregistry/cmd/crane ;;
    pause) locked pause build_pause ;;
    *) echo "usage: build.sh [all|etcd|kubernetes|kwok|helm|node|kubernetes-node|crane|pause]" >&2; exit 2 ;;
  esac
}
main "$@"
