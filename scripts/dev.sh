#!/usr/bin/env bash
# Installs what Podrun needs on this machine (idempotent, quick when all is there), then runs
# a Taskfile task: `bash scripts/dev.sh serve`, `bash scripts/dev.sh test`, ...
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v bwrap >/dev/null 2>&1 || need_apt+=(bubblewrap)
[ -e /usr/lib/x86_64-linux-gnu/libseccomp.so.2 ] || [ -e /usr/lib/aarch64-linux-gnu/libseccomp.so.2 ] \
  || need_apt+=(libseccomp2)
{ command -v setpriv && command -v unshare && command -v prlimit; } >/dev/null 2>&1 \
  || need_apt+=(util-linux)
command -v mount >/dev/null 2>&1 || need_apt+=(mount)
if [ "${1:-}" = "test" ] || [ "${1:-}" = "test-web" ]; then
  command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "podrun: please install: ${need_apt[*]} (e.g. sudo apt-get install ${need_apt[*]})" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

stamp=.podrun-install.stamp
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || ! python3 -c "import service, strawberry, beanie" 2>/dev/null; then
  python3 -m pip install --disable-pip-version-check -q -e '.[dev]'
  touch "$stamp"
fi

if [ -f web/package.json ]; then
  if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules ]; then
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
  fi
  if [ ! -f web/dist/index.html ] || [ -n "$(find web/src web/index.html -newer web/dist/index.html 2>/dev/null | head -1)" ]; then
    (cd web && npm run build --silent)
  fi
fi

exec task "${@:-serve}"
