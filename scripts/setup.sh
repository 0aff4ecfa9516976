#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for development: system packages (root), npm packages, the
# self-contained native build (prebuilds/), the node-gyp fallback check, and the TypeScript build.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
if [ "$(id -u)" = 0 ]; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends libtgowt-dev libopenh264-dev cmake g++ make python3 binutils \
    iproute2 util-linux chromium >/dev/null
fi
npm ci --ignore-scripts --no-audit --no-fund
npm run build:ts
npm run prebuilds          # cmake-js build (build/Release) + prebuilds/linux-x64/*.node
npm run check:node-gyp     # binding.gyp builds the same sources and works
