#!/usr/bin/env bash
# Proves the published package works where nothing but node and glibc exists: packs the tarball,
# installs it offline (npm cache only), then runs the two-peer example in a chroot that holds only
# node, the shared libraries node and the addon need (ldd), and the installed package, inside a
# loopback-only network namespace.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'umount "$work/root/proc" "$work/root/dev" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$root"
ls prebuilds/linux-x64/*.node >/dev/null
tgz=$(npm pack --silent --ignore-scripts --pack-destination "$work" | tail -n 1)
mkdir -p "$work/app"
cd "$work/app"
echo '{ "name": "app", "version": "1.0.0", "private": true }' > package.json
npm install --offline --no-audit --no-fund --loglevel=error "$work/$tgz" >/dev/null
addon=$(ls "$work"/app/node_modules/node-libwebrtc/prebuilds/linux-x64/*.node)
[ ! -d node_modules/node-libwebrtc/build ] || { echo "install compiled from source instead of using the prebuild"; exit 1; }

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
unshare -n -m sh -c "ip link set lo up && mount --bind /dev '$R/dev' && mount -t proc proc '$R/proc' && chroot '$R' /usr/bin/node /app/pair.js"
