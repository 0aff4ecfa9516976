#!/usr/bin/env bash
# Proves the published package works where nothing but node and glibc exists: packs the tarball,
# installs it with no network at all, then runs the two-peer example in a chroot that holds only
# node, the shared libraries node and the addon need (ldd), and the installed package, inside a
# loopback-only network namespace.
#
# Hermetic: the install reads nothing from the machine's npm cache. Our runtime dependencies are
# packed from ./node_modules into tarballs and installed together with ours, so npm resolves every
# dependency edge to a tarball and never asks for a packument; the install runs with --offline, an
# empty private cache and inside `unshare -n`, so any fetch fails (ENOTCACHED) instead of passing
# on a machine where an earlier install left the registry's answers behind.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'umount "$work/root/proc" "$work/root/dev" 2>/dev/null || true; rm -rf "$work"' EXIT
export npm_config_cache="$work/npm-cache"   # empty, ours alone
mkdir -p "$npm_config_cache" "$work/deps"
cd "$root"
ls prebuilds/linux-x64/*.node >/dev/null
tgz=$(npm pack --silent --ignore-scripts --pack-destination "$work" | tail -n 1)
# The runtime dependency closure as npm ci installed it: lines path:name@version[:FLAGS], the first
# is the package itself; a package no one depends on (EXTRANEOUS) is left out, a wrong version fails.
ls=$(npm ls --omit=dev --all --parseable --long | tail -n +2)
if grep -v ':EXTRANEOUS$' <<<"$ls" | grep -E ':[A-Z]+$'; then echo "npm ls: broken dependency above"; exit 1; fi
mapfile -t deps < <(grep -v ':EXTRANEOUS$' <<<"$ls" | sed 's/:[^:]*$//')
for d in "${deps[@]}"; do
  npm pack --silent --ignore-scripts --pack-destination "$work/deps" "$d" >/dev/null
done
# Installed side by side at the top level, so one version per name (true today: two leaf packages).
names=$(for d in "${deps[@]}"; do node -p 'require(process.argv[1] + "/package.json").name' "$d"; done | sort)
[ -z "$(uniq -d <<<"$names")" ] || { echo "two versions of one dependency: $names"; exit 1; }
mkdir -p "$work/app"
cd "$work/app"
echo '{ "name": "app", "version": "1.0.0", "private": true }' > package.json
unshare -n npm install --offline --no-audit --no-fund --loglevel=error "$work/$tgz" "$work"/deps/*.tgz >/dev/null
echo "installed offline with an empty cache and no network: ${tgz} + $(cd "$work/deps" && echo *.tgz)"
addon=$(ls "$work"/app/node_modules/node-libwebrtc/prebuilds/linux-x64/*.node)
# The install script (node-gyp-build) must have found the prebuild, not compiled from source, and
# the prebuild is what loads.
[ ! -d node_modules/node-libwebrtc/build ] || { echo "install compiled from source instead of using the prebuild"; exit 1; }
loads=$(node -p 'require("node-gyp-build").resolve("node_modules/node-libwebrtc")')
[ "$loads" = "$addon" ] || { echo "node-gyp-build loads $loads, not the prebuild $addon"; exit 1; }
echo "loads the prebuild: ${addon#"$work/app/"}"

R="$work/root"
mkdir -p "$R/usr/bin" "$R/dev" "$R/proc" "$R/tmp" "$R/app"
cp "$(readlink -f "$(command -v node)")" "$R/usr/bin/node"
for f in $( (ldd "$(command -v node)"; ldd "$addon") | grep -o '/[^ ]*' | sort -u); do
  mkdir -p "$R$(dirname "$f")"
  cp -L "$f" "$R$f"
done
cp -r node_modules "$R/app/"
sed "s#require('..')#require('node-libwebrtc')#" "$root/examples/pair.js" > "$R/app/pair.js"
echo "chroot: $(find "$R" -name '*.so*' | wc -l) shared libraries: $(find "$R" -name '*.so*' -printf '%f ' | tr '\n' ' ')"
if find "$R" -name '*.so*' | grep -E 'tg_owt|absl|srtp|ssl|crypto|opus|vpx|nss' ; then
  echo "libraries from -dev packages leaked into the chroot"; exit 1
fi
# An empty environment: nothing of the host (NODE_OPTIONS, NODE_PATH, NODE_EXTRA_CA_CERTS...) helps.
unshare -n -m sh -c "ip link set lo up && mount --bind /dev '$R/dev' && mount -t proc proc '$R/proc' && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin chroot '$R' /usr/bin/node /app/pair.js"
