#!/usr/bin/env bash
# Installs what the browser tests need. `npm test` calls it before the suites that need it, so a
# fresh clone needs no other step. Debian packages (chromium, a CJK font, ripgrep, native build deps) when
# running as root; then, unless --debs-only (all the unit stage's Chromium panel suite needs),
# code-server 4.100.3 and playwright-core into the ignored tools folder `.e2e-tools/`.
# Idempotent: does nothing when already installed.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tools="$root/.e2e-tools"
CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_VERSION=1.65.1

lock() { if command -v flock >/dev/null; then flock "$1" "${@:2}"; else "${@:2}"; fi; }

# fonts-wqy-microhei: a CJK font, without which Chromium draws the Chinese UI (zh-cn-e2e.mjs) as boxes.
debs=(chromium fonts-wqy-microhei ripgrep build-essential python3 pkg-config libkrb5-dev libxkbfile-dev libsecret-1-dev)
missing=()
# dpkg -s also succeeds for a removed package whose config files remain: ask for "installed".
for p in "${debs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "e2e setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    lock /tmp/apt.lock apt-get update -q
    lock /tmp/apt.lock apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "e2e setup: please install these Debian packages first: ${missing[*]}" >&2
    exit 2
  fi
fi

if [ "${1:-}" = --debs-only ]; then exit 0; fi

if [ -x "$tools/node_modules/.bin/code-server" ] && [ -d "$tools/node_modules/playwright-core" ]; then
  echo "e2e setup: tools already installed in $tools"
  exit 0
fi

# @vscode/ripgrep's postinstall downloads rg from GitHub; seed its cache with Debian's rg.
cache="$(node -p 'require("os").tmpdir()')/vscode-ripgrep-cache-1.15.11"
archive="$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -f "$archive" ]; then
  mkdir -p "$cache"
  staging="$(mktemp -d)"
  cp "$(command -v rg)" "$staging/rg"
  tar -C "$staging" -czf "$archive" rg
  rm -rf "$staging"
fi

mkdir -p "$tools"
[ -f "$tools/package.json" ] || echo '{"name":"fewshot-e2e-tools","private":true}' > "$tools/package.json"
echo "e2e setup: installing code-server@$CODE_SERVER_VERSION and playwright-core@$PLAYWRIGHT_VERSION into $tools"
(
  cd "$tools"
  export npm_config_unsafe_perm=true npm_config_yes=true
  npm install --no-audit --no-fund --save-exact "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION"
)
echo "e2e setup: done"
