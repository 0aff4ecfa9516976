#!/bin/sh
# prebuildify drives node-gyp only; it calls: <this> rebuild --target=X --devdir=D --arch=A --release
# A Node-API build does not depend on the target version, so this runs the cmake-js build instead.
set -e
cd "$(dirname "$0")/.."
exec node scripts/build-native.js
