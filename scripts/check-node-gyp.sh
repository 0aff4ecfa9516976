#!/bin/sh
# Proves the node-gyp fallback (binding.gyp, what node-gyp-build runs when no prebuild fits) builds
# the same sources offline and loads: builds in a scratch copy, then negotiates two peers with it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$root/binding.gyp" "$root/package.json" "$root/src-native" "$root/scripts" "$work/"
ln -s "$root/node_modules" "$work/node_modules"
cd "$work"
# npm's own node-gyp, as node-gyp-build's install fallback uses it. Headers: npm's nodedir if one
# is configured, else the ones installed with node (nodesource and nodejs.org builds ship
# <prefix>/include/node), so that the check needs neither a ~/.npmrc nor a download into
# ~/.cache/node-gyp; node-gyp downloads them only when neither exists.
gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
nodedir=$(npm config get nodedir 2>/dev/null || true)
[ "$nodedir" != undefined ] || nodedir=
prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
if [ -z "$nodedir" ] && [ -f "$prefix/include/node/common.gypi" ]; then nodedir=$prefix; fi
node "$gyp" rebuild --jobs max ${nodedir:+--nodedir="$nodedir"} >"$work/gyp.log" 2>&1 || { tail -40 "$work/gyp.log"; exit 1; }
echo "node-gyp build: $(ls -l build/Release/node_libwebrtc.node | awk '{print $5}') bytes"
NODE_LIBWEBRTC_BINARY="$work/build/Release/node_libwebrtc.node" node "$root/scripts/netns.js" node "$root/examples/pair.js"
