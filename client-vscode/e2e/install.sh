#!/usr/bin/env bash
# Installs code-server (VS Code in a browser) and playwright-core without any download outside the package
# registries: code-server's postinstall would fetch ripgrep from GitHub, so the install runs with scripts
# off, Debian's rg is put where @vscode/ripgrep looks (its bin/ folder), then the native modules are built.
set -euo pipefail
cd "$(dirname "$0")"
if [ -x node_modules/.bin/code-server ] && node_modules/.bin/code-server --version >/dev/null 2>&1; then
  exit 0
fi
need=(libkrb5-dev libsecret-1-dev libx11-dev libxkbfile-dev ripgrep chromium)
if ! dpkg -s "${need[@]}" >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
npm ci --ignore-scripts --no-audit --no-fund
export npm_config_yes=true  # node-pty's postinstall runs `npx node-gyp` (from the npm registry)
npm rebuild argon2 --unsafe-perm
vscode=node_modules/code-server/lib/vscode
(cd "$vscode" && npm install --omit=dev --ignore-scripts --no-audit --no-fund)
mkdir -p "$vscode/node_modules/@vscode/ripgrep/bin"
ln -sf "$(command -v rg)" "$vscode/node_modules/@vscode/ripgrep/bin/rg"
(cd "$vscode" && npm rebuild --unsafe-perm)
# What code-server's own postinstall does after installing VS Code's modules:
ln -sfn node_modules "$vscode/node_modules.asar"
(cd "$vscode/bin/remote-cli" && ln -sfn code-linux.sh code-server)
(cd "$vscode/bin/helpers" && ln -sfn browser-linux.sh browser.sh)
(cd "$vscode/extensions" && npm install --omit=dev --ignore-scripts --no-audit --no-fund)
node_modules/.bin/code-server --version
