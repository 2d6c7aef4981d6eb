#!/usr/bin/env bash
# Installs what `npm run bench` measures against, and is safe to run again:
#   - wrk, Apache 2.4 and mod_wsgi (Python 3) from Debian's packages, when missing;
#   - PM2 at a pinned version into ~/.cache/processgroup/bench/pm2 (PROCESSGROUP_BENCH_HOME
#     moves it), so that PM2 is never a dependency of the project and `npm ci` stays lean.
# Anything it cannot install is reported; the bench then says so and measures the rest.
set -uo pipefail

PM2_VERSION=7.0.4
PACKAGES=(wrk apache2 libapache2-mod-wsgi-py3)
BENCH_HOME="${PROCESSGROUP_BENCH_HOME:-$HOME/.cache/processgroup/bench}"
status=0

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

missing=()
for package in "${PACKAGES[@]}"; do installed "$package" || missing+=("$package"); done
if ((${#missing[@]} == 0)); then
  echo "setup: ${PACKAGES[*]} already installed"
elif ! command -v apt-get >/dev/null; then
  echo "setup: no apt-get here; install ${missing[*]} (or your system's equivalents) yourself" >&2
  status=1
else
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
  echo "setup: installing ${missing[*]}"
  if "${sudo[@]}" apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
    # The bench starts its own Apache on a free loopback port with its own config; the system
    # service Debian may have started is not used, only idle beside the measurements.
    echo "setup: installed; if an apache2 service now runs, \`systemctl disable --now apache2\` keeps it out of the way"
  else
    echo "setup: could not install ${missing[*]}" >&2
    status=1
  fi
fi

pm2_dir="$BENCH_HOME/pm2"
pm2_manifest="$pm2_dir/node_modules/pm2/package.json"
if [ -f "$pm2_manifest" ] && grep -q "\"version\": \"$PM2_VERSION\"" "$pm2_manifest"; then
  echo "setup: PM2 $PM2_VERSION already in $pm2_dir"
else
  echo "setup: installing PM2 $PM2_VERSION into $pm2_dir"
  mkdir -p "$pm2_dir"
  if ! npm install --prefix "$pm2_dir" --no-audit --no-fund --loglevel=error "pm2@$PM2_VERSION"; then
    echo "setup: could not install PM2" >&2
    status=1
  fi
fi
exit "$status"
