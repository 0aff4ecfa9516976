'use strict'
// npm run prebuilds: the self-contained binary for prebuilds/linux-x64/, made by prebuildify
// (stripped, tagged napi + glibc) from the cmake-js build. node-gyp-build loads it before any
// local build.
const { spawnSync } = require('node:child_process')
const path = require('node:path')

const root = path.join(__dirname, '..')
const r = spawnSync(path.join(root, 'node_modules', '.bin', 'prebuildify'),
  ['--napi', '--strip', '--tag-libc', '--node-gyp', path.join(root, 'scripts', 'cmake-js-as-node-gyp.sh')],
  { cwd: root, stdio: 'inherit' })
process.exit(r.status ?? 1)
